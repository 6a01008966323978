import type { HeartbeatTimers } from "../lock/heartbeat";
import type { StackLock } from "../lock/types";
import type { DeploymentManifest, EcsManifest } from "../../contract/manifest";
import { releaseHandle } from "../release/record";
import { type RunFinish, RunRecorder, type RunResult } from "../records/recorder";
import { recordedUnderLock } from "./stackLock";
import type { RecordStore } from "../records/types";
import { rollbackAlert } from "../rollback/alerts";
import { checkServiceNames, dependsOnOrder } from "../rollback/order";
import { rollbackEnd, rollbackServices } from "../rollback/rollback";
import { readStackServices, type StackService } from "../rollback/stackConfig";
import { isPulumiCliMissing } from "../providers/pulumi/errors";
import type { ReleaseDeps } from "../rollback/types";
import type { MigrationRunner } from "../providers/migration";
import { runDownMigrations } from "./downMigrations";
import { BadInputError } from "../core/errors";
import { runtimeOf } from "../../contract/manifest";
import { resolveTargets } from "../rollback/targets";

export interface ManualRollbackOptions {
  /** `--service`: roll these back even if their config already names the target tag. @default every service not on its last good release */
  services?: string[];
  /** `--to`: a validated tag instead of the last good release. */
  toTag?: string;
  /** `--reason`, recorded with the rollback. */
  reason: string;
  waitSeconds: number;
  lockTimeoutSeconds: number;
  /** `--with-migrations`: run each service's migration.down first, in reverse dependsOn order (ECS). @default false */
  withMigrations?: boolean;
}

export interface ManualRollbackDeps<M extends DeploymentManifest = EcsManifest> extends ReleaseDeps<M> {
  store: Pick<RecordStore, "put" | "redact">;
  lock: StackLock;
  who: string;
  runId: string;
  /** Timers of the lock heartbeat. @default real, unref'd intervals */
  timers?: HeartbeatTimers;
  /** Runs down-migrations (--with-migrations). @default none */
  migrations?: MigrationRunner;
}

/**
 * `deployctl rollback`: under the stack lock, roll services back to their last good release (or
 * `--to` a validated tag) with the same fast path, stack path and validation as an automatic
 * rollback. Without `--service`, only services whose config tag differs from their last good one.
 * A failed rollback, or nothing to roll back to, alerts critical and ends `rollback-failed`.
 */
export async function manualRollback<M extends DeploymentManifest>(
  manifest: M,
  options: ManualRollbackOptions,
  deps: ManualRollbackDeps<M>,
): Promise<RunResult> {
  if (options.services?.length) checkServiceNames("--service", options.services, manifest.services, manifest.stack);
  if (options.withMigrations && runtimeOf(manifest) !== "ecs")
    throw new BadInputError(
      `--with-migrations: stack ${manifest.stack} runs on ${runtimeOf(manifest)}; deployctl runs down-migrations on ECS stacks only (on Kubernetes, run the down command as a Job yourself).`,
    );
  const ctx = { manifest, runId: deps.runId };
  return recordedUnderLock(
    {
      lock: deps.lock,
      stack: manifest.stack,
      who: deps.who,
      what: `rollback${options.toTag ? ` --to ${options.toTag}` : ""}`,
      timeoutSeconds: options.lockTimeoutSeconds,
      now: deps.now,
      sleep: deps.sleep,
      progress: (m) => deps.progress.info(m),
      timers: deps.timers,
      signal: deps.signal,
    },
    () => ({
      signal: deps.signal,
      recorder: new RunRecorder({ runId: deps.runId, command: "rollback", who: deps.who, stack: manifest.stack, now: deps.now }),
      store: deps.store,
      finalActions: () => deps.progress.actions(),
      metrics: deps.metrics,
    }),
    async (recorder): Promise<RunFinish> => {
      const current = await currentTags(manifest, deps);
      let selected = options.services?.length ? options.services : await servicesOffTheirRelease(manifest, current, options.toTag, deps);
      if (selected.length === 0) {
        deps.progress.info(
          `nothing to roll back: every service of stack ${manifest.stack} already runs ${options.toTag ?? "its last good release"}`,
        );
        return { outcome: "nothing-to-do", verdict: "pass" };
      }
      selected = dependsOnOrder(manifest.services, selected);
      for (const name of selected)
        recorder.service({
          name,
          tagBefore: current.find((s) => s.name === name)?.tag,
          taskDefinitionBefore: releaseHandle(manifest, name),
        });
      const downs = await runDownMigrations(
        { manifest, services: selected, withMigrations: options.withMigrations ?? false, runId: deps.runId },
        deps,
        recorder,
      );
      if (downs) return downs;
      const result = await rollbackServices(
        { manifest, services: selected, reason: options.reason, toTag: options.toTag, waitSeconds: options.waitSeconds, recorder },
        deps,
      );
      if (result.status === "ok") {
        recorder.addActions(
          await deps.alerts.recovered(selected.map((service) => ({ stack: manifest.stack, service, runId: deps.runId }))),
        );
      } else {
        recorder.addActions(
          await deps.alerts.notify(selected.map((name) => rollbackAlert(ctx, { name, verdict: "fail", checks: [] }, result))),
        );
      }
      // AWS unreachable before anything was rolled back: an operational error (exit 4), not a rollback that ran and failed (exit 1).
      if (result.operationalError) {
        return { outcome: "error", errorKind: "operational", verdict: "inconclusive", error: result.problems.join("; ") };
      }
      const ended = rollbackEnd(result);
      return {
        ...ended,
        verdict: result.reports.at(-1)?.verdict ?? "inconclusive",
        error: result.problems.length > 0 ? result.problems.join("; ") : ended.error,
      };
    },
  );
}

/** One service of a rollback plan: where it goes back to and why (`rollback --dry-run`). */
export interface RollbackPlanService {
  service: string;
  /** The tag its stack config names now. */
  tagBefore?: string;
  /** The tag it would go back to; absent when it has nothing to roll back to. */
  tagAfter?: string;
  /** What it would run again: the release's task definition (ECS), revision (Kubernetes) or image (Docker). */
  release?: string;
  validatedAt?: string;
  why: string;
}

/** What `rollback` would do, computed as the real run computes it and stopping before the first change. */
export interface RollbackPlan {
  stack: string;
  toTag?: string;
  withMigrations: boolean;
  /** In the order they would roll back (reverse dependsOn order); empty: nothing to roll back. */
  services: RollbackPlanService[];
}

/**
 * `rollback --dry-run`: the same service selection and release lookup as manualRollback (the stack
 * config's tags, the last good releases or `--to`'s validated one), read without the lock; nothing is
 * written, updated, recorded or alerted. A `--to` tag that never passed validation is bad input here too.
 */
export async function planRollback<M extends DeploymentManifest>(
  manifest: M,
  options: Pick<ManualRollbackOptions, "services" | "toTag" | "withMigrations">,
  deps: Pick<ReleaseDeps<M>, "stacks" | "registry" | "progress">,
): Promise<RollbackPlan> {
  if (options.services?.length) checkServiceNames("--service", options.services, manifest.services, manifest.stack);
  if (options.withMigrations && runtimeOf(manifest) !== "ecs")
    throw new BadInputError(
      `--with-migrations: stack ${manifest.stack} runs on ${runtimeOf(manifest)}; deployctl runs down-migrations on ECS stacks only (on Kubernetes, run the down command as a Job yourself).`,
    );
  const plan: RollbackPlan = { stack: manifest.stack, withMigrations: options.withMigrations ?? false, services: [] };
  if (options.toTag !== undefined) plan.toTag = options.toTag;
  const current = await currentTags(manifest, deps);
  const named = Boolean(options.services?.length);
  const selected = named ? (options.services ?? []) : await servicesOffTheirRelease(manifest, current, options.toTag, deps);
  const inOrder = dependsOnOrder(manifest.services, selected);
  const { targets, missing } = await resolveTargets(
    deps.registry,
    manifest.stack,
    inOrder.map((name) => ({ name })),
    options.toTag,
  );
  for (const name of [...inOrder].reverse()) {
    const tagBefore = current.find((s) => s.name === name)?.tag;
    const release = targets.find((t) => t.service === name)?.release;
    const entry: RollbackPlanService = { service: name, ...(tagBefore !== undefined ? { tagBefore } : {}), why: "" };
    if (!release) entry.why = missing.find((m) => m.service === name)?.reason ?? "nothing to roll back to";
    else {
      Object.assign(entry, { tagAfter: release.imageTag, release: release.taskDefinitionArn, validatedAt: release.validatedAt });
      const what = options.toTag !== undefined ? `--to ${options.toTag}, validated` : "its last good release, validated";
      entry.why = `${named ? "named with --service" : `its config names ${tagBefore ?? "no tag"}`}; ${what} ${release.validatedAt} (run ${release.runId})`;
    }
    plan.services.push(entry);
  }
  return plan;
}

/**
 * Each service's tag in the stack config; without a Pulumi CLI (a Docker stack validated from a
 * --manifest file) the manifest's tags, said in the progress (the stack update will be pending).
 */
async function currentTags(manifest: DeploymentManifest, deps: Pick<ReleaseDeps<DeploymentManifest>, "stacks" | "progress">) {
  try {
    return await readStackServices(deps.stacks, manifest.stack);
  } catch (err) {
    if (!isPulumiCliMissing(err)) throw err;
    deps.progress.info(`no Pulumi CLI: the tags of stack ${manifest.stack} are read from its manifest (${err.message})`);
    return manifest.services.map((s, index): StackService => ({ name: s.name, index, tag: s.imageTag }));
  }
}

/**
 * Services whose config tag is not the tag they would be rolled back to. Services with no
 * release at all are left out (and said so) unless no service has one: then all of them are
 * returned, so the rollback reports that there is nothing to roll back to.
 */
async function servicesOffTheirRelease(
  manifest: DeploymentManifest,
  current: readonly { name: string; tag: string }[],
  toTag: string | undefined,
  deps: Pick<ReleaseDeps<DeploymentManifest>, "registry" | "progress">,
): Promise<string[]> {
  const off: string[] = [];
  const unknown: string[] = [];
  for (const service of manifest.services) {
    const tag = current.find((s) => s.name === service.name)?.tag;
    const target = toTag ?? (await deps.registry.get(manifest.stack, service.name))?.imageTag;
    if (target === undefined) unknown.push(service.name);
    else if (target !== tag) off.push(service.name);
  }
  if (unknown.length === manifest.services.length) return unknown;
  if (unknown.length > 0)
    deps.progress.info(`not rolling back ${unknown.join(", ")}: no last good release recorded (name them with --service to try anyway)`);
  return off;
}
