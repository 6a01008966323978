import type { HeartbeatTimers } from "../../lock/heartbeat";
import type { StackLock } from "../../lock/types";
import type { DeploymentManifest, EcsManifest } from "../../../contract/manifest";
import { type RunFinish, RunRecorder, type RunResult } from "../../records/recorder";
import type { RecordStore } from "../../records/types";
import { checkServiceNames, dependsOnOrder } from "../../rollback/order";
import type { ReleaseDeps } from "../../rollback/types";
import { recordedUnderLock } from "../stackLock";
import type { GateFn } from "./gate";
import type { MigrationRunner } from "../../providers/migration";
import type { ProgressiveWatchFn } from "./progressive";
import { prepare, recordReleased, releaseService } from "./release";

export interface DeployOptions {
  /** The image tag to deploy. @default the tags already in the stack config (a promotion) */
  tag?: string;
  /** Services to deploy (`--service`, repeatable). @default every service of the manifest */
  services?: string[];
  /** How long each validation waits for the rollout (`--wait`). @default 600 */
  waitSeconds?: number;
  /**
   * `--retries N`: a service failing a health check (smoke or tasks) first gets a new deployment of
   * the same revision and is validated again, up to N times, before the rollback. @default 0
   */
  retries?: number;
  /** `--lock-timeout`. @default 0 */
  lockTimeoutSeconds?: number;
  /** @default DEFAULT_LEASE_SECONDS */
  leaseSeconds?: number;
  /** `--skip-migrations`: update services without running their migrations (recorded). @default false */
  skipMigrations?: boolean;
}

export interface DeployDeps<M extends DeploymentManifest = EcsManifest> extends ReleaseDeps<M> {
  gate: GateFn;
  /** Timers of the lock heartbeat. @default real, unref'd intervals */
  timers?: HeartbeatTimers;
  store: Pick<RecordStore, "put" | "redact">;
  lock: StackLock;
  who: string;
  runId: string;
  /** Watches progressive services' traffic steps (validators/canary). @default none: they are validated as rolling ones */
  progressive?: ProgressiveWatchFn;
  /** Runs services' migrations before their update (ECS: a one-off task). @default none: a service with a migration ends the deploy */
  migrations?: MigrationRunner;
}

/** What deploy returns: the saved run record and how the run ended. */
export type DeployResult = RunResult;

/**
 * `deployctl deploy`: under the stack lock, gate; then one service at a time in dependsOn order,
 * set its image tag in the stack config, update the stack (streaming the engine's output) and
 * validate (waiting for the rollout, retrying while it is still in progress; with `retries`, a failed
 * health check first forces a new deployment of the same revision and validates again); a progressive service
 * is first watched traffic step by step (a failing step returns its traffic at once and rolls the
 * release back). When every service passes, record them as last good. When one fails, it and those already deployed in this release
 * roll back in reverse order. Inconclusive verdicts and the validator's own errors stop the deploy
 * and alert; they never roll back. Always one run record (except when the lock is refused).
 */
export async function deploy<M extends DeploymentManifest>(initial: M, options: DeployOptions, deps: DeployDeps<M>): Promise<RunResult> {
  const selected = options.services?.length ? [...new Set(options.services)] : initial.services.map((s) => s.name);
  checkServiceNames("--service", selected, initial.services, initial.stack);
  const order = dependsOnOrder(initial.services, selected);
  const { progress } = deps;
  return recordedUnderLock(
    {
      lock: deps.lock,
      stack: initial.stack,
      who: deps.who,
      what: `deploy ${options.tag ?? "the config's tags"} (${order.join(", ")})`,
      leaseSeconds: options.leaseSeconds,
      timeoutSeconds: options.lockTimeoutSeconds,
      now: deps.now,
      sleep: deps.sleep,
      progress: (m) => progress.info(m),
      timers: deps.timers,
      signal: deps.signal,
    },
    () => ({
      recorder: new RunRecorder({ runId: deps.runId, command: "deploy", who: deps.who, stack: initial.stack, now: deps.now }),
      store: deps.store,
      finalActions: () => progress.actions(),
      signal: deps.signal,
      metrics: deps.metrics,
    }),
    (recorder) => deployUnderLock(initial, order, options, deps, recorder),
  );
}

/** The release itself, under the lock: prepare, then each service in order, then record the release. */
async function deployUnderLock<M extends DeploymentManifest>(
  initial: M,
  order: string[],
  options: DeployOptions,
  deps: DeployDeps<M>,
  recorder: RunRecorder,
): Promise<RunFinish> {
  const ready = await prepare(initial, order, options, deps, recorder);
  if ("outcome" in ready) return ready;
  const { planned, stackServices } = ready;
  let manifest = initial;
  const deployed: string[] = [];
  for (const [i, service] of planned.entries()) {
    const rest = planned.slice(i + 1).map((p) => p.name);
    const step = await releaseService(
      { manifest, service, deployed, rest, stackServices },
      { waitSeconds: options.waitSeconds ?? 600, retries: options.retries ?? 0, skipMigrations: options.skipMigrations ?? false },
      deps,
      recorder,
    );
    if (step.kind === "ended") return step.end;
    manifest = step.manifest;
    deployed.push(service.name);
  }
  return recordReleased(manifest, deployed, deps, recorder);
}
