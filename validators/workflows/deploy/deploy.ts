import { CliError } from "../../core/errors";
import { ExitCode, type ExitCodeValue } from "../../cli/exitCodes";
import { acquireStackLock } from "../../lock/acquire";
import { type HeartbeatTimers, startHeartbeat } from "../../lock/heartbeat";
import { DEFAULT_LEASE_SECONDS } from "../../lock/open";
import type { StackLock } from "../../lock/types";
import type { EcsManifest } from "../../../contract/manifest";
import { RunRecorder, saveRecord, type SavedRecord } from "../../records/recorder";
import type { RecordStore, RunOutcome } from "../../records/types";
import type { Verdict } from "../../../contract/report";
import { recordLastGood } from "../../release/record";
import { failureReason, inconclusiveAlert, operationalAlert, rollbackAlert } from "../../rollback/alerts";
import { checkServiceNames, dependsOnOrder } from "../../rollback/order";
import { rollbackServices } from "../../rollback/rollback";
import { readStackServices, tagEdits } from "../../rollback/stackConfig";
import type { ReleaseDeps } from "../../rollback/types";
import { type ProgressiveWatchFn, stepServiceReport, watchRelease } from "./progressive";
import { updateService, validateService } from "./steps";
import { type GateFn, gateReasons } from "./gate";
import { describeTags, planDeploy, runGates } from "./plan";

export interface DeployOptions {
  /** The image tag to deploy. @default the tags already in the stack config (a promotion) */
  tag?: string;
  /** Services to deploy (`--service`, repeatable). @default every service of the manifest */
  services?: string[];
  /** How long each validation waits for the rollout (`--wait`). @default 600 */
  waitSeconds?: number;
  /** `--lock-timeout`. @default 0 */
  lockTimeoutSeconds?: number;
  /** @default DEFAULT_LEASE_SECONDS */
  leaseSeconds?: number;
}

export interface DeployDeps extends ReleaseDeps {
  gate: GateFn;
  /** Timers of the lock heartbeat. @default real, unref'd intervals */
  timers?: HeartbeatTimers;
  store: Pick<RecordStore, "put" | "redact">;
  lock: StackLock;
  who: string;
  runId: string;
  /** Watches progressive services' traffic steps (validators/canary). @default none: they are validated as rolling ones */
  progressive?: ProgressiveWatchFn;
}

export interface DeployResult extends SavedRecord {
  exitCode: ExitCodeValue;
}

/**
 * `deployctl deploy`: under the stack lock, gate; then one service at a time in dependsOn order,
 * set its image tag in the stack config, update the stack (streaming the engine's output) and
 * validate (waiting for the rollout, retrying while it is still in progress); a progressive service
 * is first watched traffic step by step (a failing step returns its traffic at once and rolls the
 * release back). When every service passes, record them as last good. When one fails, it and those already deployed in this release
 * roll back in reverse order. Inconclusive verdicts and the validator's own errors stop the deploy
 * and alert; they never roll back. Always one run record (except when the lock is refused).
 */
export async function deploy(initial: EcsManifest, options: DeployOptions, deps: DeployDeps): Promise<DeployResult> {
  const selected = options.services?.length ? [...new Set(options.services)] : initial.services.map((s) => s.name);
  checkServiceNames("--service", selected, initial.services, initial.stack);
  const order = dependsOnOrder(initial.services, selected);
  const waitSeconds = options.waitSeconds ?? 600;
  const { progress } = deps;
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const handle = await acquireStackLock(
    deps.lock,
    { stack: initial.stack, who: deps.who, what: `deploy ${options.tag ?? "the config's tags"} (${order.join(", ")})`, leaseSeconds },
    { timeoutSeconds: options.lockTimeoutSeconds ?? 0, now: deps.now, sleep: deps.sleep, onWait: (m) => progress.info(m) },
  );
  const stopHeartbeat = startHeartbeat(handle, leaseSeconds, (m) => progress.info(`warning: ${m}`), deps.timers);
  const recorder = new RunRecorder({ runId: deps.runId, command: "deploy", who: deps.who, stack: initial.stack, now: deps.now });
  const ctx = { manifest: initial, runId: deps.runId };
  const finish = async (outcome: RunOutcome, exitCode: ExitCodeValue, error?: string): Promise<DeployResult> => {
    recorder.addActions(progress.actions());
    const verdict = VERDICT_OF[outcome];
    return { exitCode, ...(await saveRecord(deps.store, recorder, { outcome, exitCode, verdict, error })) };
  };
  try {
    let stackServices;
    let plan;
    try {
      stackServices = await readStackServices(deps.stacks, initial.stack);
      plan = planDeploy(initial.stack, order, initial, stackServices, options.tag);
    } catch (err) {
      return await finish("refused", err instanceof CliError ? err.exitCode : ExitCode.Operational, message(err));
    }
    if (plan.services.length === 0) {
      progress.info(`nothing to deploy: ${order.join(", ")} already run the tags in the stack config`);
      return await finish("nothing-to-do", ExitCode.Ok);
    }
    const planned = plan.services;
    let gate;
    try {
      gate = await progress.stage(
        `gate ${describeTags(planned)} for ${planned.map((s) => s.name).join(", ")}`,
        () => runGates(deps.gate, initial, planned),
        (g) => ({
          state: g.verdict === "pass" ? "ok" : g.verdict === "fail" ? "failed" : "inconclusive",
          detail: gateReasons(g, ["fail", "inconclusive"]).join("; ") || undefined,
        }),
      );
    } catch (err) {
      return await finish("error", ExitCode.Operational, `gate: ${message(err)}`);
    }
    if (gate.verdict === "fail") return await finish("refused", ExitCode.Fail, `the gate refused: ${gateReasons(gate).join("; ")}`);
    if (plan.holdBack.length > 0) {
      // The config already names every new tag: hold the later services back so they go one at a time.
      try {
        const edits = tagEdits(initial.stack, stackServices, plan.holdBack);
        await deps.stacks.setConfig(initial.stack, edits);
        recorder.action({
          kind: "config-hold-back",
          target: initial.stack,
          status: "ok",
          message: edits.map((e) => `${e.path}=${e.value}`).join(", "),
        });
      } catch (err) {
        return await finish(
          "error",
          ExitCode.Operational,
          `cannot hold back ${plan.holdBack.map((h) => h.service).join(", ")}: ${message(err)}`,
        );
      }
    }

    let manifest = initial;
    const deployed: string[] = [];
    for (const { name, from, to } of planned) {
      const before = manifest.services.find((s) => s.name === name);
      recorder.service({ name, tagBefore: from, taskDefinitionBefore: before?.taskDefinitionArn });
      const updateStartedAt = deps.now();
      const update = await updateService(deps, recorder, { stack: initial.stack, service: name, tag: to, stackServices });
      if (update.kind === "not-changed") return await finish("error", ExitCode.Operational, update.error);
      if (update.kind === "failed") {
        const result = await rollbackServices(
          { manifest, services: [...deployed, name], reason: `${name}: ${update.error}`, waitSeconds, recorder },
          deps,
        );
        recorder.addActions(await deps.alerts.notify([rollbackAlert(ctx, { name, verdict: "fail", checks: [] }, result)]));
        return await finish(result.status === "ok" ? "rolled-back" : "rollback-failed", ExitCode.Fail, update.error);
      }
      manifest = await deps.loadManifest();
      recorder.service({
        name,
        tagDeployed: to,
        tagAfter: to,
        taskDefinitionAfter: manifest.services.find((s) => s.name === name)?.taskDefinitionArn,
      });

      // A progressive service: each traffic step is judged against the baseline before ECS moves on.
      if (deps.progressive && manifest.services.find((s) => s.name === name)?.deployment) {
        const watched = await watchRelease(deps.progressive, recorder, {
          manifest,
          service: name,
          since: updateStartedAt,
          runId: deps.runId,
        });
        if (watched.outcome === "error") {
          const error = `${name}: the progressive deployment could not be judged: ${watched.error ?? "unknown error"}`;
          recorder.addActions(await deps.alerts.notify([operationalAlert(ctx, [name], error)]));
          return await finish("error", ExitCode.Operational, error);
        }
        if (watched.outcome !== "promoted") {
          const reason = `${name}: ${watched.failedStep ? `step ${watched.failedStep.percent}%: ${watched.failedStep.reason}` : "the progressive deployment failed"}`;
          const result = await rollbackServices(
            {
              manifest,
              services: [...deployed, name],
              reason,
              waitSeconds,
              recorder,
              restoredByEcs: [name],
              failedStep: watched.failedStep,
            },
            deps,
          );
          recorder.addActions(await deps.alerts.notify([rollbackAlert(ctx, stepServiceReport(watched, name), result)]));
          if (result.status !== "ok") return await finish("rollback-failed", ExitCode.Fail);
          // Abandoned (inconclusive beyond the step's extension): not promoted, traffic restored; never a pass.
          return watched.outcome === "abandoned"
            ? await finish("inconclusive", ExitCode.Inconclusive, reason)
            : await finish("rolled-back", ExitCode.Fail);
        }
      }

      const validated = await validateService(deps, recorder, { manifest, service: name, waitSeconds, since: update.finishedAt });
      if (validated.kind === "error") {
        recorder.addActions(await deps.alerts.notify([operationalAlert(ctx, [name], validated.error)]));
        return await finish("error", ExitCode.Operational, validated.error);
      }
      const report = validated.service;
      if (report.verdict === "inconclusive") {
        recorder.addActions(await deps.alerts.notify([inconclusiveAlert(ctx, report)]));
        const rest = planned.slice(planned.findIndex((p) => p.name === name) + 1).map((p) => p.name);
        if (rest.length > 0) progress.info(`not deploying ${rest.join(", ")}: ${name} is inconclusive`);
        return await finish("inconclusive", ExitCode.Inconclusive);
      }
      if (report.verdict === "fail") {
        const result = await rollbackServices(
          { manifest, services: [...deployed, name], reason: failureReason(report), waitSeconds, recorder },
          deps,
        );
        recorder.addActions(await deps.alerts.notify([rollbackAlert(ctx, report, result)]));
        return await finish(result.status === "ok" ? "rolled-back" : "rollback-failed", ExitCode.Fail);
      }
      deployed.push(name);
    }

    const recorded = await progress.stage(
      `record ${deployed.join(", ")} as last good`,
      () => recordLastGood(deps.registry, manifest, deployed, { runId: deps.runId, who: deps.who, now: deps.now }),
      (actions) =>
        actions.some((a) => a.status === "failed")
          ? {
              state: "failed",
              detail: actions
                .filter((a) => a.status === "failed")
                .map((a) => a.message)
                .join("; "),
            }
          : { state: "ok" },
    );
    recorder.addActions(recorded);
    recorder.addActions(await deps.alerts.recovered(deployed.map((service) => ({ stack: initial.stack, service, runId: deps.runId }))));
    if (recorded.some((a) => a.status === "failed"))
      return await finish("error", ExitCode.Operational, "could not record the last good release (see actions)");
    return await finish("released", ExitCode.Ok);
  } finally {
    stopHeartbeat();
    await handle.release().catch(() => false);
  }
}

/** The run's verdict by how it ended (a rollback's own validation never turns a fail into a pass). */
const VERDICT_OF: Record<RunOutcome, Verdict> = {
  released: "pass",
  "rolled-back": "fail",
  "rollback-failed": "fail",
  failed: "fail",
  inconclusive: "inconclusive",
  refused: "inconclusive",
  error: "inconclusive",
  "nothing-to-do": "pass",
};

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
