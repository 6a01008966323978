import type { DeploymentManifest } from "../../../contract/manifest";
import type { RunRecorder } from "../../records/recorder";
import type { ServiceReport } from "../../../contract/report";
import { changesText } from "../../rollback/rollback";
import { type StackService, tagEdits } from "../../rollback/stackConfig";
import type { ReleaseDeps } from "../../rollback/types";
import { validateWithRetry } from "../../rollback/validateWithRetry";

/**
 * How a service's stack update went: `updated`; `failed` once the config was changed (the stack
 * may be half way: roll back); `not-changed` when the config could not even be set (nothing to undo).
 */
export type UpdateOutcome =
  | { kind: "updated"; finishedAt: Date }
  | { kind: "failed"; error: string }
  | { kind: "not-changed"; error: string };

/** Sets the service's image tag in the stack config and runs the stack update, streaming its output. */
export async function updateService(
  deps: Pick<ReleaseDeps<DeploymentManifest>, "stacks" | "progress" | "now">,
  recorder: RunRecorder,
  target: { stack: string; service: string; tag: string; stackServices: readonly StackService[] },
): Promise<UpdateOutcome> {
  const { stack, service, tag } = target;
  const edits = tagEdits(stack, target.stackServices, [{ service, tag }]);
  try {
    await deps.stacks.setConfig(stack, edits);
  } catch (err) {
    const error = `cannot set ${edits.map((e) => e.path).join(", ")} in stack ${stack}: ${message(err)}`;
    recorder.action({ kind: "config-set", target: stack, status: "failed", message: error });
    return { kind: "not-changed", error };
  }
  recorder.action({ kind: "config-set", target: stack, status: "ok", message: edits.map((e) => `${e.path}=${e.value}`).join(", ") });
  try {
    const up = await deps.progress.stage(
      `update ${service} to ${tag}`,
      () =>
        deps.stacks.up(stack, {
          onOutput: (text) => deps.progress.stream(text),
          message: `deployctl deploy ${service} ${tag} (run ${recorder.runId})`,
        }),
      (r) => ({ state: r.result === "succeeded" ? "ok" : "failed", detail: changesText(r.changes) }),
    );
    recorder.action({
      kind: "stack-update",
      target: stack,
      status: up.result === "succeeded" ? "ok" : "failed",
      message: `stack update for ${service} ${up.result}`,
      details: { changes: up.changes },
    });
    return up.result === "succeeded"
      ? { kind: "updated", finishedAt: deps.now() }
      : { kind: "failed", error: `the stack update for ${service} ${tag} failed` };
  } catch (err) {
    const error = `the stack update for ${service} ${tag} could not run: ${message(err)}`;
    recorder.action({ kind: "stack-update", target: stack, status: "failed", message: error });
    return { kind: "failed", error };
  }
}

/** Validates one service (waiting for its rollout, retrying while still in progress). */
export async function validateService<M extends DeploymentManifest>(
  deps: Pick<ReleaseDeps<M>, "validate" | "progress">,
  recorder: RunRecorder,
  request: { manifest: M; service: string; waitSeconds: number; since: Date },
): Promise<{ kind: "judged"; service: ServiceReport } | { kind: "error"; error: string }> {
  const { service } = request;
  try {
    const reports = await deps.progress.stage(
      `validate ${service}`,
      () =>
        validateWithRetry(
          deps.validate,
          {
            manifest: request.manifest,
            services: [service],
            waitSeconds: request.waitSeconds,
            since: request.since,
            onProgress: (m) => deps.progress.info(`  ${m}`),
          },
          { onRetry: (m) => deps.progress.info(`  ${m}`) },
        ),
      (rs) => {
        const verdict = rs.at(-1)?.verdict;
        return { state: verdict === "pass" ? "ok" : verdict === "inconclusive" ? "inconclusive" : "failed", detail: `verdict ${verdict}` };
      },
    );
    for (const report of reports) recorder.validation(report);
    const judged = reports.at(-1)?.services.find((s) => s.name === service);
    if (!judged) return { kind: "error", error: `the validation report has no service ${service}` };
    return { kind: "judged", service: judged };
  } catch (err) {
    return { kind: "error", error: `validate ${service}: ${message(err)}` };
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
