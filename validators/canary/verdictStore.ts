import { PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { EcsManifest } from "../../contract/manifest";
import type { ActionRecord, Verdict } from "../../contract/report";
import { awsCall } from "../providers/aws/call";

/**
 * What deployctl publishes for the lifecycle hook (infra/hook/canaryHook.js reads it): its verdict
 * on the new revision at a traffic step, or that a validated release is being restored. One SSM
 * String parameter per service (`deployment.verdictParameter` in the manifest,
 * `/delivery/<stack>/<service>/canary-verdict`), overwritten: the hook only needs the latest. The
 * fields are a contract with the hook.
 */
export interface PublishedVerdict {
  /** The new service revision judged, and the baseline it was compared with. */
  revision: string;
  baselineRevision?: string;
  /** The traffic step (percent) the verdict is about. */
  percent: number;
  verdict: Verdict;
  /** Minutes of observation at this step behind the verdict. */
  observedMinutes: number;
  /** One line: why. */
  reason: string;
  at: string;
  runId: string;
}

export interface PublishedRestore {
  restore: { imageTag: string; validUntil: string; reason: string };
  at: string;
  runId: string;
}

/** Overwrites the service's verdict parameter with `value` (JSON). Throws OperationalError when SSM cannot be written. */
export async function publish(ssm: SSMClient, parameter: string, value: PublishedVerdict | PublishedRestore): Promise<void> {
  await awsCall("SSM PutParameter (canary verdict)", () =>
    ssm.send(
      new PutParameterCommand({
        Name: parameter,
        Type: "String",
        Overwrite: true,
        Value: JSON.stringify(value),
        Description: "deployctl's verdict on the latest traffic step (read by the ECS lifecycle hook)",
      }),
    ),
  );
}

/**
 * Before a rollback deploys a validated release again, tell the hook of each progressive service
 * to let that deployment through for `validMinutes` (it was judged when it was released). Returns
 * an action per service; a service that deploys rolling needs none. Never throws.
 */
export async function openRestoreGate(
  ssm: SSMClient,
  manifest: EcsManifest,
  targets: readonly { service: string; imageTag: string }[],
  context: { now: () => Date; runId: string; reason: string },
): Promise<ActionRecord[]> {
  const actions: ActionRecord[] = [];
  for (const target of targets) {
    const deployment = manifest.services.find((s) => s.name === target.service)?.deployment;
    if (!deployment) continue;
    const now = context.now();
    const validMinutes = deployment.steps.length * 5 + deployment.bakeMinutes + 60;
    const validUntil = new Date(now.getTime() + validMinutes * 60_000).toISOString();
    const base = {
      kind: "restore-gate",
      target: target.service,
      details: { parameter: deployment.verdictParameter, imageTag: target.imageTag, validUntil },
    };
    try {
      await publish(ssm, deployment.verdictParameter, {
        restore: { imageTag: target.imageTag, validUntil, reason: context.reason },
        at: now.toISOString(),
        runId: context.runId,
      });
      actions.push({
        ...base,
        status: "ok",
        message: `the canary hook lets ${target.service} ${target.imageTag} through until ${validUntil} (a validated release restored)`,
        at: now.toISOString(),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      actions.push({
        ...base,
        status: "failed",
        message: `could not open the canary hook for ${target.service}: ${message}`,
        at: context.now().toISOString(),
      });
    }
  }
  return actions;
}
