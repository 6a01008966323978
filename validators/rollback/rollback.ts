import { BadInputError, DeliveryError } from "../core/errors";
import { type DeploymentManifest, runtimeOf } from "../../contract/manifest";
import type { RunRecorder } from "../records/recorder";
import type { FailedTrafficStep } from "../records/types";
import { isPulumiCliMissing } from "../providers/pulumi/errors";
import type { ValidationReport } from "../../contract/report";
import { readStackServices, tagEdits } from "./stackConfig";
import { type MissingTarget, resolveTargets, type RollbackTarget } from "./targets";
import type { ReleaseDeps } from "./types";
import { validateWithRetry } from "./validateWithRetry";

export interface RollbackRequest<M extends DeploymentManifest = DeploymentManifest> {
  manifest: M;
  /** Services to roll back, in deploy (dependsOn) order: they are rolled back in reverse. */
  services: string[];
  /** Why (recorded, and in the stack update message). */
  reason: string;
  /** Roll back to this validated tag instead of the last good one (`--to`). */
  toTag?: string;
  /** How long the validation after the rollback waits for the rollout. */
  waitSeconds: number;
  recorder: RunRecorder;
  /**
   * Services ECS already returned to their old revision (a progressive deployment stopped with
   * ROLLBACK): no fast path for them, the stack path still restores their config. @default []
   */
  restoredByEcs?: string[];
  /** The traffic step that failed, for the record. */
  failedStep?: FailedTrafficStep;
}

export interface RollbackResult {
  /** ok: restored and validated; failed: something did not work; nothing: no service had a release to go back to. */
  status: "ok" | "failed" | "nothing";
  /** In the order they were rolled back (reverse deploy order). */
  targets: RollbackTarget[];
  missing: MissingTarget[];
  /** Everything that went wrong, for people and for the critical alert. */
  problems: string[];
  reports: ValidationReport[];
  /**
   * Set when the rollback could not run at all for an operational reason (the release registry
   * unreachable, access denied, throttled): nothing was changed. `deployctl rollback` then ends
   * `error` (exit 4), not `rollback-failed` (exit 1, a rollback that ran and failed).
   */
  operationalError?: DeliveryError;
  /**
   * Set when the stack update could not run because there is no Pulumi CLI (a Docker stack on a
   * laptop): the fast path restored what runs, the stack config still names the rolled-back tags.
   */
  stackUpdatePending?: string;
}

/** How a run that rolled back ends: rolled-back; the stack update pending (no Pulumi CLI): an operational error, exit 4; else rollback-failed. */
export function rollbackEnd(result: Pick<RollbackResult, "status" | "stackUpdatePending">): {
  outcome: "rolled-back" | "rollback-failed" | "error";
  errorKind?: "operational";
  error?: string;
} {
  if (result.status !== "ok") return { outcome: "rollback-failed" };
  if (result.stackUpdatePending) return { outcome: "error", errorKind: "operational", error: result.stackUpdatePending };
  return { outcome: "rolled-back" };
}

/**
 * Rolls services back to their last good release: (1) fast path, the runtime points each service
 * straight back at it (ECS: UpdateService to the last good task definition, not for services ECS
 * already rolled back; Kubernetes: the Deployment's revision; Docker: the containers recreated from
 * the last good image); (2) stack path, set their image tags in the stack config and run a stack
 * update, so Pulumi config and state match what runs (without a Pulumi CLI it is reported pending
 * and the validation judges the restored tags); (3) validate again (a rollout still in progress is retried). Progressive services first get the
 * restore gate, so their lifecycle hook lets the validated release through. Never throws for a
 * failed step: every problem is collected and the result says failed.
 */
export async function rollbackServices<M extends DeploymentManifest>(
  request: RollbackRequest<M>,
  deps: ReleaseDeps<M>,
): Promise<RollbackResult> {
  const { manifest, recorder } = request;
  const { progress } = deps;
  const problems: string[] = [];
  const inOrder = request.services.map((name) => ({ name }));
  const failedStep = request.failedStep ? { failedStep: request.failedStep } : {};
  let resolved: Awaited<ReturnType<typeof resolveTargets>>;
  try {
    resolved = await progress.stage(
      `rollback: find the release to restore (${request.services.join(", ")})`,
      () => resolveTargets(deps.registry, manifest.stack, inOrder, request.toTag),
      (r) =>
        r.missing.length > 0
          ? { state: "failed", detail: r.missing.map((m) => m.reason).join("; ") }
          : { state: "ok", detail: describeTargets(r.targets) },
    );
  } catch (err) {
    // `--to` a tag that never passed validation stays bad input (exit 2); an unreadable registry is a failed rollback.
    if (err instanceof BadInputError) throw err;
    recorder.rollback({ reason: request.reason, services: [], status: "failed", ...failedStep });
    return {
      status: "failed",
      targets: [],
      missing: [],
      problems: [`cannot find the release to restore: ${err instanceof Error ? err.message : String(err)}`],
      reports: [],
      ...(err instanceof DeliveryError && err.kind === "operational" ? { operationalError: err } : {}),
    };
  }
  const { targets: found, missing } = resolved;
  problems.push(...missing.map((m) => m.reason));
  const targets = [...found].reverse();
  if (targets.length === 0) {
    recorder.rollback({ reason: request.reason, services: [], status: "failed", ...failedStep });
    return { status: "nothing", targets, missing, problems, reports: [] };
  }

  // Progressive services: the hook must let the validated release through (fast and stack path).
  if (deps.restoreGate) {
    const gate = await deps.restoreGate(
      targets.map((t) => ({ service: t.service, imageTag: t.release.imageTag })),
      request.reason,
    );
    recorder.addActions(gate);
    problems.push(...gate.filter((a) => a.status === "failed").map((a) => a.message));
  }
  const restored = new Set(request.restoredByEcs ?? []);
  const fastTargets = targets.filter((t) => !restored.has(t.service));
  if (fastTargets.length > 0) {
    const fast = await progress.stage(
      `rollback fast path: ${FAST_PATH[runtimeOf(manifest)]} ${fastTargets.map((t) => t.service).join(", ")}`,
      () =>
        deps.runtime(manifest).fastRollback(
          fastTargets.map((t) => ({ service: t.service, imageTag: t.release.imageTag, revision: t.release.taskDefinitionArn })),
          deps.now,
        ),
      (actions) => (actions.some((a) => a.status === "failed") ? { state: "failed", detail: failedMessages(actions) } : { state: "ok" }),
    );
    recorder.addActions(fast);
    problems.push(...fast.filter((a) => a.status === "failed").map((a) => a.message));
  }

  let stackUpdatePending: string | undefined;
  try {
    await progress.stage(
      "rollback stack path: set image tags and update the stack",
      async () => {
        const edits = tagEdits(
          manifest.stack,
          await readStackServices(deps.stacks, manifest.stack),
          targets.map((t) => ({ service: t.service, tag: t.release.imageTag })),
        );
        const set = await deps.stacks.setConfig(manifest.stack, edits);
        const values = edits.map((e) => `${e.path}=${e.value}`).join(", ");
        recorder.action({
          kind: "config-set",
          target: manifest.stack,
          status: set === "dry-run" ? "dry-run" : "ok",
          message: set === "dry-run" ? `would set ${values}` : values,
        });
        const up = await deps.stacks.up(manifest.stack, {
          onOutput: (text) => deps.progress.stream(text),
          message: `deployctl rollback ${recorder.runId}: ${request.reason}`.slice(0, 250),
        });
        recorder.action({
          kind: "stack-update",
          target: manifest.stack,
          status: up.result === "succeeded" ? "ok" : up.result === "dry-run" ? "dry-run" : "failed",
          message: up.result === "dry-run" ? `would run pulumi up for stack ${manifest.stack}` : `rollback stack update ${up.result}`,
          details: { changes: up.changes },
        });
        if (up.result === "failed") throw new Error("the rollback stack update failed");
        return up;
      },
      (up) => ({ state: "ok", detail: changesText(up.changes) }),
    );
  } catch (err) {
    if (isPulumiCliMissing(err)) {
      const tags = targets.map((t) => `${t.service}=${t.release.imageTag}`).join(", ");
      stackUpdatePending = `the stack update is pending: set the image tags back (${tags}) in the stack config of ${manifest.stack} and run pulumi up (no Pulumi CLI could run here)`;
      recorder.action({ kind: "stack-update", target: manifest.stack, status: "failed", message: stackUpdatePending });
      progress.info(stackUpdatePending);
    } else problems.push(`stack path: ${err instanceof Error ? err.message : String(err)}`);
  }

  // Without the stack update the stack's output still names the rolled-back tags: judge the restored ones.
  const judged = stackUpdatePending ? () => Promise.resolve(withRestoredReleases(manifest, targets)) : deps.loadManifest;
  const reports = await validateAfterRollback(request, { ...deps, loadManifest: judged }, targets, problems);
  for (const report of reports) recorder.validation(report);
  for (const t of targets)
    recorder.service({ name: t.service, tagAfter: t.release.imageTag, taskDefinitionAfter: t.release.taskDefinitionArn });
  const status = problems.length === 0 ? "ok" : "failed";
  recorder.rollback({ reason: request.reason, services: targets.map((t) => t.service), status, ...failedStep });
  return { status, targets, missing, problems, reports, ...(stackUpdatePending ? { stackUpdatePending } : {}) };
}

/** How the fast path is named in the progress, per runtime. */
const FAST_PATH = { ecs: "UpdateService", kubernetes: "Deployment back to its revision", docker: "recreate the containers of" } as const;

/** The manifest with each target's restored release: its image tag (and on ECS its task definition). */
export function withRestoredReleases<M extends DeploymentManifest>(manifest: M, targets: readonly RollbackTarget[]): M {
  const services = (manifest.services as readonly M["services"][number][]).map((s) => {
    const target = targets.find((t) => t.service === s.name);
    if (!target) return s;
    const arn = "taskDefinitionArn" in s ? { taskDefinitionArn: target.release.taskDefinitionArn } : {};
    return { ...s, imageTag: target.release.imageTag, ...arn };
  });
  // Each service keeps its runtime's shape (only imageTag and, on ECS, taskDefinitionArn change).
  return { ...manifest, services } as M;
}

async function validateAfterRollback<M extends DeploymentManifest>(
  request: RollbackRequest<M>,
  deps: ReleaseDeps<M>,
  targets: RollbackTarget[],
  problems: string[],
): Promise<ValidationReport[]> {
  try {
    const reports = await deps.progress.stage(
      `rollback: validate ${targets.map((t) => t.service).join(", ")} again`,
      async () =>
        validateWithRetry(
          deps.validate,
          {
            manifest: await deps.loadManifest(),
            services: targets.map((t) => t.service),
            waitSeconds: restoreWaitSeconds(request, targets),
            onProgress: (m) => deps.progress.info(`  ${m}`),
          },
          { onRetry: (m) => deps.progress.info(`  ${m}`) },
        ),
      (rs) => ({
        state: rs.at(-1)?.verdict === "pass" ? "ok" : rs.at(-1)?.verdict === "inconclusive" ? "inconclusive" : "failed",
        detail: `verdict ${rs.at(-1)?.verdict}`,
      }),
    );
    const last = reports.at(-1);
    if (last?.verdict !== "pass") problems.push(`validation after the rollback: verdict ${last?.verdict ?? "none"}`);
    return reports;
  } catch (err) {
    problems.push(`validation after the rollback could not run: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  }
}

export function changesText(changes: Record<string, number>): string {
  const parts = Object.entries(changes)
    .filter(([op, n]) => op !== "same" && n > 0)
    .map(([op, n]) => `${op} ${n}`);
  return parts.length > 0 ? parts.join(", ") : "no changes";
}

function describeTargets(targets: readonly RollbackTarget[]): string {
  return targets.map((t) => `${t.service} -> ${t.release.imageTag}`).join(", ");
}

function failedMessages(actions: readonly { status: string; message: string }[]): string {
  return actions
    .filter((a) => a.status === "failed")
    .map((a) => a.message)
    .join("; ");
}

/**
 * How long the validation after a rollback waits: a progressive service's restore goes through
 * ECS's steps (the hook lets them pass at once) and its bake time, so it waits for those too.
 */
export function restoreWaitSeconds(
  request: Pick<RollbackRequest, "manifest" | "waitSeconds">,
  targets: readonly { service: string }[],
): number {
  const { manifest } = request;
  const ecs = manifest.runtime === undefined || manifest.runtime === "ecs" ? manifest : undefined;
  const progressive = targets.map((t) => ecs?.services.find((s) => s.name === t.service)?.deployment).filter((d) => d !== undefined);
  const longest = Math.max(0, ...progressive.map((d) => (2 * d.steps.length + d.bakeMinutes + 5) * 60));
  return Math.max(request.waitSeconds, longest);
}
