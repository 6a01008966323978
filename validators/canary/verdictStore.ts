import { PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { EcsManifest } from "../../contract/manifest";
import type { ActionRecord } from "../../contract/report";
import { type PublishedValue, publishedValueSchema } from "../../contract/verdict";
import { awsCall } from "../providers/aws/call";

export type { PublishedRestore, PublishedValue, PublishedVerdict } from "../../contract/verdict";

/**
 * Overwrites the service's verdict parameter (`deployment.verdictParameter` in the manifest) with
 * `value` as JSON, checked against the contract first (contract/verdict.ts). Throws
 * OperationalError when SSM cannot be written.
 */
export async function publish(ssm: SSMClient, parameter: string, value: PublishedValue): Promise<void> {
  const checked = publishedValueSchema.parse(value);
  await awsCall("SSM PutParameter (canary verdict)", () =>
    ssm.send(
      new PutParameterCommand({
        Name: parameter,
        Type: "String",
        Overwrite: true,
        Value: JSON.stringify(checked),
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
