import type { Alert, AlertChannel, ChannelResult, ResolveNotice } from "../alerts/types";
import type { StackLock } from "../lock/types";
import type { PulumiStacks } from "../providers/pulumi/stacks";
import type { FastRollbackAction, RestartAction } from "../providers/runtime";
import type { RecordStore, RunRecord } from "../records/types";
import type { ReleaseRegistry } from "../release/lastGood";
import type { ReleaseDeps, RestoreGateFn, ValidateFn } from "../rollback/types";
import { REPORT_SCHEMA_VERSION, type ValidationReport } from "../../contract/report";
import type { DeploymentManifest } from "../../contract/manifest";

/**
 * `validate --dry-run` and `--no-alert`: the same workflow, with the outside world's writes replaced
 * here, at the composition root. Reads stay real (the verdict, the last good releases, the alert
 * state that decides deduplication and escalation); every write answers `dry-run` (or, for alerts
 * under `--no-alert`, `skipped`) and says what it would have done, so the run's actions are the plan.
 */

/** An alert channel that sends nothing: its result says what it would have sent (`dry-run`) or that `--no-alert` held it (`skipped`). */
export function withheldChannel(channel: AlertChannel, status: "dry-run" | "skipped"): AlertChannel {
  const why = status === "dry-run" ? "dry run" : "--no-alert";
  return {
    name: channel.name,
    send: (alert: Alert): Promise<ChannelResult> => {
      const what = `${alert.severity} alert for ${alert.stack}/${alert.service}`;
      if (channel.sends && !channel.sends(alert))
        return Promise.resolve({ status: "skipped", message: `${channel.name} would not send a ${what}` });
      return Promise.resolve({
        status,
        message: status === "dry-run" ? `would send ${what} to ${channel.name}` : `${what} not sent to ${channel.name} (${why})`,
      });
    },
    ...(channel.resolve
      ? {
          resolve: (notice: ResolveNotice): Promise<ChannelResult> =>
            Promise.resolve({
              status,
              message:
                status === "dry-run"
                  ? `would resolve the incident of ${notice.stack}/${notice.service} in ${channel.name}`
                  : `incident of ${notice.stack}/${notice.service} not resolved in ${channel.name} (${why})`,
            }),
        }
      : {}),
  };
}

/** Keeps the run record (and the alert state) in memory: reads go to the real store, writes nowhere. */
export class DryRunRecordStore implements RecordStore {
  /** The record the run would have written. */
  record?: RunRecord;
  readonly location: string;

  constructor(private readonly real: RecordStore) {
    this.location = `${real.location} (dry run: nothing written)`;
  }

  put(record: RunRecord): Promise<string> {
    this.record = this.real.redact(record);
    return Promise.resolve(`not written (dry run; would go to ${this.real.location})`);
  }

  redact<T>(value: T): T {
    return this.real.redact(value);
  }

  list(options?: { limit?: number }): Promise<RunRecord[]> {
    return this.real.list(options);
  }

  readState(name: string): Promise<unknown> {
    return this.real.readState(name);
  }

  writeState(): Promise<void> {
    return Promise.resolve();
  }
}

/** Last good releases read from the real registry; nothing written. */
export function dryRunRegistry(real: ReleaseRegistry): ReleaseRegistry {
  return {
    get: (stack, service) => real.get(stack, service),
    history: (stack, service) => real.history(stack, service),
    put: () => Promise.resolve("dry-run"),
    ...(real.location ? { location: (stack: string, service: string) => real.location?.(stack, service) ?? "" } : {}),
    ...(real.describe ? { describe: (stack: string, service: string) => real.describe?.(stack, service) ?? "" } : {}),
  };
}

/** A stack lock that is never taken: a dry run changes nothing, so it holds nothing and waits for nobody. */
export function dryRunLock(real: StackLock): StackLock {
  return {
    location: `${real.location} (dry run: not taken)`,
    tryAcquire: (request) => {
      const since = new Date().toISOString();
      return Promise.resolve({
        acquired: true,
        handle: {
          info: { stack: request.stack, who: request.who, what: request.what, since, expires: since, token: "dry-run" },
          renew: () => Promise.resolve(),
          release: () => Promise.resolve(true),
        },
      });
    },
  };
}

/**
 * The release deps of a dry run: the runtime's changes (fast rollback, restart), the stack's
 * config and update, and the restore gate answer `dry-run` with what they would do; after a change
 * that was only planned, nothing is validated again (each service's report says so); no metrics.
 */
export function dryRunReleaseDeps<M extends DeploymentManifest>(real: ReleaseDeps<M>, manifest: M): ReleaseDeps<M> {
  let planned = false;
  const at = (now: () => Date) => now().toISOString();
  const runtime: ReleaseDeps<M>["runtime"] = () => ({
    fastRollback: (targets, now) => {
      planned = true;
      return Promise.resolve(
        targets.map(
          (t): FastRollbackAction => ({
            kind: "rollback-fast-path",
            target: t.service,
            status: "dry-run",
            message: `would roll ${t.service} back to ${t.imageTag} (${t.revision})`,
            at: at(now),
            details: { imageTag: t.imageTag, revision: t.revision },
          }),
        ),
      );
    },
    restart: (services, now) => {
      planned = true;
      return Promise.resolve(
        services.map(
          (service): RestartAction => ({
            kind: "force-new-deployment",
            target: service,
            status: "dry-run",
            message: `would force a new deployment of the revision ${service} runs, then validate it again`,
            at: at(now),
          }),
        ),
      );
    },
  });
  const stacks: PulumiStacks = {
    getOutput: (stack, name) => real.stacks.getOutput(stack, name),
    getConfig: (stack, path) => real.stacks.getConfig(stack, path),
    setConfig: () => Promise.resolve("dry-run"),
    up: () => {
      planned = true;
      return Promise.resolve({ result: "dry-run", changes: {} });
    },
    ...(real.stacks.ready ? { ready: real.stacks.ready.bind(real.stacks) } : {}),
  };
  // Only progressive services (ECS, with a deployment strategy) have a lifecycle hook to let through.
  const progressive = (name: string) =>
    (manifest.services as readonly object[]).some((s) => "name" in s && s.name === name && "deployment" in s && s.deployment !== undefined);
  const restoreGate: RestoreGateFn = (targets) =>
    Promise.resolve(
      targets
        .filter((t) => progressive(t.service))
        .map((t) => ({
          kind: "restore-gate",
          target: t.service,
          status: "dry-run" as const,
          message: `would let ${t.service} ${t.imageTag} through its lifecycle hook`,
          at: at(real.now),
        })),
    );
  const validate: ValidateFn<M> = (request) =>
    planned ? Promise.resolve(notValidatedAgain(request.manifest.stack, request.services, real.now())) : real.validate(request);
  const { metrics: _metrics, ...rest } = real;
  return {
    ...rest,
    runtime,
    stacks,
    registry: dryRunRegistry(real.registry),
    validate,
    // Nothing was updated: the stack's output is the manifest judged.
    loadManifest: () => Promise.resolve(manifest),
    ...(real.restoreGate ? { restoreGate } : {}),
  };
}

/** The report of a validation a dry run does not make: nothing changed, so each service's checks are skipped. */
function notValidatedAgain(stack: string, services: readonly string[], now: Date): ValidationReport {
  const at = now.toISOString();
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    stack,
    verdict: "pass",
    startedAt: at,
    finishedAt: at,
    services: services.map((name) => ({
      name,
      verdict: "pass",
      checks: [
        {
          name: "rollout",
          status: "skipped",
          message: "dry run: nothing was changed, so it was not validated again",
          observed: {},
          threshold: {},
        },
      ],
    })),
    actions: [],
  };
}
