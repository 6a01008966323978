import { errorMessage } from "../core/errors";
import type { Alert } from "../alerts/types";
import type { HeartbeatTimers } from "../lock/heartbeat";
import { type StackLock, StackLockedError } from "../lock/types";
import type { DeploymentManifest, EcsManifest } from "../../contract/manifest";
import { type RunFinish, RunRecorder, type RunResult } from "../records/recorder";
import type { FailedTrafficStep, RecordStore, RunCommand } from "../records/types";
import { recordLastGood, releaseHandle } from "../release/record";
import { type ActionRecord, overallVerdict, type RetryAttempt, type ServiceReport, type ValidationReport } from "../../contract/report";
import { failureReason, inconclusiveAlert, operationalAlert, rollbackAlert, serviceAlert } from "../rollback/alerts";
import { dependsOnOrder } from "../rollback/order";
import { rollbackEnd, rollbackServices } from "../rollback/rollback";
import { afterRetries, healthCheckFailed, retryFailedHealth } from "../rollback/retryRestart";
import { revalidateInProgress, validateWithRetry } from "../rollback/validateWithRetry";
import type { ReleaseDeps } from "../rollback/types";
import { recordRun, withStackLock } from "./stackLock";

export interface AfterValidationOptions<M extends DeploymentManifest = EcsManifest> {
  manifest: M;
  /** What validate() returned, or the error it threw (the validator's own error: exit 4, never a rollback). */
  outcome: ValidationReport | Error;
  /** `--rollback`: roll failing services back to their last good release. @default false */
  rollback: boolean;
  /** Record passing services as last good (`--no-record` turns it off). @default true */
  record: boolean;
  /** How long the validation after a rollback (or a restart, `retries`) waits for the rollout. @default 300 */
  waitSeconds?: number;
  /**
   * `--retries N` (with `rollback`): a service failing a health check (smoke or tasks) first gets a
   * new deployment of the same revision and is validated again, up to N times, before the rollback.
   * @default 0
   */
  retries?: number;
  /** `--lock-timeout` for the rollback's stack lock. @default 0 */
  lockTimeoutSeconds?: number;
  /** @default "validate" */
  command?: RunCommand;
  /**
   * Progressive services driven through their traffic steps before the verdict (validate --wait,
   * validators/canary/drive.ts): their step reports and actions go into the run record, and the
   * failed step's service is not sent through the rollback's fast path (ECS already restored it).
   */
  before?: { actions: ActionRecord[]; validations: ValidationReport[]; failedStep?: FailedTrafficStep };
}

export interface AfterValidationDeps<M extends DeploymentManifest = EcsManifest> extends ReleaseDeps<M> {
  store: Pick<RecordStore, "put" | "redact">;
  lock: StackLock;
  who: string;
  runId: string;
  /** Timers of the lock heartbeat. @default real, unref'd intervals */
  timers?: HeartbeatTimers;
}

export interface AfterValidationResult extends RunResult {
  /** The report the decision was made on: the one given, with in-progress rollouts validated again (rollback only). */
  report?: ValidationReport;
}

/**
 * What `deployctl validate` does after its verdict: on pass, record each service as last good
 * and resolve its incidents; on fail, alert and (with `rollback`) validate again services whose
 * rollout is still in progress (twice at most), force a new deployment of those failing a health
 * check (smoke or tasks) and validate them again (`retries` times, under the stack lock), then roll
 * failing services back under the stack lock; on inconclusive or an operational error, alert and never roll back. Always writes one run
 * record. Never throws for a verdict: the outcome says how it went.
 */
export async function afterValidation<M extends DeploymentManifest>(
  options: AfterValidationOptions<M>,
  deps: AfterValidationDeps<M>,
): Promise<AfterValidationResult> {
  const { manifest } = options;
  const decided: { report?: ValidationReport } = {};
  const result = await recordRun(
    () => ({
      recorder: new RunRecorder({
        runId: deps.runId,
        command: options.command ?? "validate",
        who: deps.who,
        stack: manifest.stack,
        now: deps.now,
      }),
      store: deps.store,
      signal: deps.signal,
      metrics: deps.metrics,
    }),
    async (recorder) => {
      for (const report of options.before?.validations ?? []) recorder.validation(report);
      recorder.addActions(options.before?.actions ?? []);
      const ended = await decide(options, deps, recorder, decided);
      return { ...ended, verdict: decided.report?.verdict ?? "inconclusive" };
    },
  );
  return { ...result, ...(decided.report ? { report: decided.report } : {}) };
}

/** The report to decide on (in-progress rollouts validated again before a rollback), then what the verdicts call for. */
async function decide<M extends DeploymentManifest>(
  options: AfterValidationOptions<M>,
  deps: AfterValidationDeps<M>,
  recorder: RunRecorder,
  decided: { report?: ValidationReport },
): Promise<RunFinish> {
  const { manifest } = options;
  const ctx = { manifest, runId: deps.runId };
  const operational = async (message: string): Promise<RunFinish> => {
    const names = manifest.services.map((s) => s.name);
    recorder.addActions(await deps.alerts.notify([operationalAlert(ctx, names, message)]));
    return { outcome: "error", error: message };
  };
  if (options.outcome instanceof Error) return operational(options.outcome.message);
  recorder.validation(options.outcome);
  let report = options.outcome;
  if (options.rollback) {
    // A rollout still in progress is not a failure yet: validate those services again first.
    try {
      const settled = await revalidateInProgress(
        deps.validate,
        report,
        { manifest, waitSeconds: options.waitSeconds ?? 300 },
        { onRetry: (m) => deps.progress.info(m) },
      );
      for (const extra of settled.extra) recorder.validation(extra);
      report = settled.report;
    } catch (err) {
      return operational(errorMessage(err));
    }
    if ((options.retries ?? 0) > 0 && report.services.some(healthCheckFailed)) {
      const retried = await retryUnderLock(report, options, deps, recorder);
      if ("end" in retried) {
        decided.report = report;
        return retried.end;
      }
      report = retried.report;
    }
  }
  decided.report = report;
  for (const s of report.services) {
    const m = manifest.services.find((x) => x.name === s.name);
    recorder.service({
      name: s.name,
      tagBefore: m?.imageTag,
      tagAfter: m?.imageTag,
      taskDefinitionBefore: releaseHandle(manifest, s.name),
      taskDefinitionAfter: releaseHandle(manifest, s.name),
    });
  }
  const recordFailed = await recordPassed(report, options, deps, recorder);
  const failed = report.services.filter((s) => s.verdict === "fail");
  const alerts = report.services.filter((s) => s.verdict === "inconclusive").map((s) => inconclusiveAlert(ctx, s));
  if (failed.length === 0) {
    recorder.addActions(await deps.alerts.notify(alerts));
    if (recordFailed) return { outcome: "error", error: "could not record the last good release (see actions)" };
    return { outcome: report.verdict === "pass" ? "released" : "inconclusive" };
  }
  if (!options.rollback) {
    for (const s of failed)
      alerts.push(
        serviceAlert(ctx, s, {
          severity: "warning",
          action: `none: run with --rollback (or deployctl rollback --stack ${manifest.stack}) to restore the last good release`,
        }),
      );
    recorder.addActions(await deps.alerts.notify(alerts));
    return { outcome: "failed" };
  }
  return rollBackFailed(failed, alerts, options, deps, recorder, report.attempts);
}

/** Records passing services as last good (unless `--no-record`) and resolves their incidents; true when recording failed. */
async function recordPassed<M extends DeploymentManifest>(
  report: ValidationReport,
  options: AfterValidationOptions<M>,
  deps: AfterValidationDeps<M>,
  recorder: RunRecorder,
): Promise<boolean> {
  const { manifest } = options;
  const passed = report.services.filter((s) => s.verdict === "pass").map((s) => s.name);
  let recordFailed = false;
  if (options.record && passed.length > 0) {
    const actions = await recordLastGood(deps.registry, manifest, passed, { runId: deps.runId, who: deps.who, now: deps.now });
    recorder.addActions(actions);
    recordFailed = actions.some((a) => a.status === "failed");
  }
  if (passed.length > 0)
    recorder.addActions(await deps.alerts.recovered(passed.map((service) => ({ stack: manifest.stack, service, runId: deps.runId }))));
  return recordFailed;
}

/**
 * `--retries`: under the stack lock, a new deployment of the same revision for each service failing
 * a health check, and a validation once its rollout is done, up to `retries` times. Returns the
 * report with the last judgement of each service (attempts included), or how the run ended: the
 * lock not taken (alerted, nothing restarted nor rolled back) or the validator's own error.
 */
async function retryUnderLock<M extends DeploymentManifest>(
  first: ValidationReport,
  options: AfterValidationOptions<M>,
  deps: AfterValidationDeps<M>,
  recorder: RunRecorder,
): Promise<{ report: ValidationReport } | { end: RunFinish }> {
  const { manifest } = options;
  const ctx = { manifest, runId: deps.runId };
  const retries = options.retries ?? 0;
  const failing = first.services.filter(healthCheckFailed);
  let locked = false;
  let finishedAt = first.finishedAt;
  try {
    return await withStackLock(
      {
        lock: deps.lock,
        stack: manifest.stack,
        who: deps.who,
        what: `validate --retries ${retries} ${failing.map((s) => s.name).join(",")}`,
        timeoutSeconds: options.lockTimeoutSeconds ?? 0,
        now: deps.now,
        sleep: deps.sleep,
        progress: (m) => deps.progress.info(m),
        timers: deps.timers,
      },
      async () => {
        locked = true;
        const retried = await retryFailedHealth(first.services, new Date(first.finishedAt), retries, {
          restart: (services) => deps.runtime(manifest).restart(services, deps.now),
          revalidate: async (services, since) => {
            const reports = await validateWithRetry(
              deps.validate,
              { manifest, services, since, waitSeconds: options.waitSeconds ?? 300, onProgress: (m) => deps.progress.info(`  ${m}`) },
              { onRetry: (m) => deps.progress.info(`  ${m}`) },
            );
            for (const r of reports) recorder.validation(r);
            const last = reports.at(-1);
            if (last) finishedAt = last.finishedAt;
            return last ? last.services : [];
          },
          record: recorder,
          now: deps.now,
          onRetry: (m) => deps.progress.info(m),
        });
        const { services } = retried;
        return { report: { ...first, services, verdict: overallVerdict(services), finishedAt, attempts: retried.attempts } };
      },
    );
  } catch (err) {
    const message = errorMessage(err);
    if (locked) {
      recorder.addActions(
        await deps.alerts.notify([
          operationalAlert(
            ctx,
            manifest.services.map((s) => s.name),
            message,
          ),
        ]),
      );
      return { end: { outcome: "error", error: message } };
    }
    const alerts = failing.map((s) =>
      serviceAlert(ctx, s, { severity: "critical", action: `not restarted nor rolled back: ${message}`, dedup: false }),
    );
    recorder.addActions(await deps.alerts.notify(alerts));
    return { end: { outcome: "failed", errorKind: err instanceof StackLockedError ? "locked" : "operational", error: message } };
  }
}

/** Rolls the failing services back (reverse dependsOn order) under the stack lock; a lock not taken is alerted and never rolled back. */
async function rollBackFailed<M extends DeploymentManifest>(
  failed: ServiceReport[],
  alerts: Alert[],
  options: AfterValidationOptions<M>,
  deps: AfterValidationDeps<M>,
  recorder: RunRecorder,
  attempts?: readonly RetryAttempt[],
): Promise<RunFinish> {
  const { manifest } = options;
  const ctx = { manifest, runId: deps.runId };
  const order = dependsOnOrder(
    manifest.services,
    failed.map((s) => s.name),
  );
  let locked = false;
  try {
    return await withStackLock(
      {
        lock: deps.lock,
        stack: manifest.stack,
        who: deps.who,
        what: `validate --rollback ${order.join(",")}`,
        timeoutSeconds: options.lockTimeoutSeconds ?? 0,
        now: deps.now,
        sleep: deps.sleep,
        progress: (m) => deps.progress.info(m),
        timers: deps.timers,
        signal: deps.signal,
      },
      async (): Promise<RunFinish> => {
        locked = true;
        const result = await rollbackServices(
          {
            manifest,
            services: order,
            reason: failed.map((s) => `${failureReason(s)}${afterRetries(attempts, s.name)}`).join("; "),
            waitSeconds: options.waitSeconds ?? 300,
            recorder,
            failedStep: options.before?.failedStep,
            restoredByEcs: options.before?.failedStep ? [options.before.failedStep.service] : [],
          },
          deps,
        );
        for (const s of failed) alerts.push(rollbackAlert(ctx, s, result));
        recorder.addActions(await deps.alerts.notify(alerts));
        return rollbackEnd(result);
      },
    );
  } catch (err) {
    if (locked) throw err;
    const message = errorMessage(err);
    for (const s of failed)
      alerts.push(serviceAlert(ctx, s, { severity: "critical", action: `not rolled back: ${message}`, dedup: false }));
    recorder.addActions(await deps.alerts.notify(alerts));
    return { outcome: "failed", errorKind: err instanceof StackLockedError ? "locked" : "operational", error: message };
  }
}
