import { DeliveryError, errorMessage } from "../core/errors";
import { raceSignal } from "../core/deadline";
import { acquireStackLock } from "../lock/acquire";
import { type HeartbeatTimers, startHeartbeat } from "../lock/heartbeat";
import { DEFAULT_LEASE_SECONDS } from "../lock/open";
import type { LockHandle, StackLock } from "../lock/types";
import { type RunFinish, type RunRecorder, type RunResult, saveRecord } from "../records/recorder";
import type { RecordStore } from "../records/types";
import type { ActionRecord } from "../../contract/report";
import type { MetricsPublisher } from "../providers/metrics";
import { publishRunMetrics } from "./runMetrics";

/** Which stack to lock, for what, and how long to wait for another run's lock. */
export interface StackLockRequest {
  lock: StackLock;
  stack: string;
  who: string;
  /** The command holding the lock, e.g. `deploy sha-abc1234 (api, web)`. */
  what: string;
  /** @default DEFAULT_LEASE_SECONDS */
  leaseSeconds?: number;
  /** `--lock-timeout`. @default 0 (one attempt) */
  timeoutSeconds?: number;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Waiting messages and heartbeat warnings. */
  progress: (line: string) => void;
  /** Timers of the lock heartbeat. @default real, unref'd intervals */
  timers?: HeartbeatTimers;
  /** The command's --deadline: when it aborts, the body is abandoned and the lock released. @default none */
  signal?: AbortSignal;
}

/**
 * Runs `body` holding the stack lock: acquires it (waiting up to `timeoutSeconds`, else throws
 * StackLockedError, kind `locked`), renews the lease while the body runs, and always releases it.
 * The one lock discipline of every workflow (deploy, validate --rollback, rollback, promote).
 */
export async function withStackLock<T>(request: StackLockRequest, body: (handle: LockHandle) => Promise<T>): Promise<T> {
  const leaseSeconds = request.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const handle = await acquireStackLock(
    request.lock,
    { stack: request.stack, who: request.who, what: request.what, leaseSeconds },
    { timeoutSeconds: request.timeoutSeconds ?? 0, now: request.now, sleep: request.sleep, onWait: request.progress },
  );
  const stopHeartbeat = startHeartbeat(handle, leaseSeconds, (m) => request.progress(`warning: ${m}`), request.timers);
  try {
    return await raceSignal(request.signal, body(handle));
  } finally {
    stopHeartbeat();
    await handle.release().catch(() => false);
  }
}

/** Where the run record goes, and what is added to it when the run ends. */
export interface RecordedRun {
  recorder: RunRecorder;
  store: Pick<RecordStore, "put" | "redact">;
  /** Actions added when the run ends (the progress stages). @default none */
  finalActions?: () => readonly ActionRecord[];
  /** The command's --deadline: when it aborts, the body is abandoned and an `error` record written. @default none */
  signal?: AbortSignal;
  /** Where the run's delivery metrics go (ECS: CloudWatch), best-effort, before the record is written. @default none: nothing published */
  metrics?: MetricsPublisher;
}

/**
 * Runs `body` and writes exactly one run record for it: the end the body returns, or, when it
 * throws one of the tool's own errors (bad input, operational), a `refused` / `error` record
 * before the error goes on up. Either way the run's delivery metrics are published first
 * (best-effort: a failure is a `metrics` action in the record). Returns the saved record with the outcome.
 */
export async function recordRun(start: () => RecordedRun, body: (recorder: RunRecorder) => Promise<RunFinish>): Promise<RunResult> {
  const run = start();
  let end: RunFinish;
  try {
    end = await raceSignal(run.signal, body(run.recorder));
  } catch (err) {
    if (err instanceof DeliveryError) {
      run.recorder.addActions([...(run.finalActions?.() ?? [])]);
      const failed: RunFinish = {
        outcome: err.kind === "operational" ? "error" : "refused",
        errorKind: err.kind,
        verdict: "inconclusive",
        error: errorMessage(err),
      };
      await publishRunMetrics(run.metrics, run.recorder, failed, run.signal);
      await saveRecord(run.store, run.recorder, failed);
    }
    throw err;
  }
  run.recorder.addActions([...(run.finalActions?.() ?? [])]);
  await publishRunMetrics(run.metrics, run.recorder, end, run.signal);
  return saveRecord(run.store, run.recorder, end);
}

/** `withStackLock` around `recordRun`: lock, heartbeat, one run record (started once the lock is held), release. */
export function recordedUnderLock(
  lock: StackLockRequest,
  start: () => RecordedRun,
  body: (recorder: RunRecorder) => Promise<RunFinish>,
): Promise<RunResult> {
  // The deadline is raced inside recordRun (so the record is written first); the lock is released after it.
  return withStackLock({ ...lock, signal: undefined }, () => recordRun(start, body));
}
