import { errorKindOf, errorMessage } from "../../core/errors";
import type { DeploymentManifest } from "../../../contract/manifest";
import type { RunOutcome } from "../../../contract/outcome";
import type { RetryAttempt, ServiceReport, Verdict } from "../../../contract/report";
import type { ErrorKind } from "../../core/errors";
import type { RunFinish, RunRecorder } from "../../records/recorder";
import { recordLastGood, releaseHandle } from "../../release/record";
import { failureReason, inconclusiveAlert, operationalAlert, rollbackAlert } from "../../rollback/alerts";
import { rollbackServices } from "../../rollback/rollback";
import { type StackService, readStackServices, tagEdits } from "../../rollback/stackConfig";
import type { DeployDeps, DeployOptions } from "./deploy";
import { gateReasons } from "./gate";
import { type PlannedService, describeTags, planDeploy, runGates } from "./plan";
import { stepServiceReport, watchRelease } from "./progressive";
import { updateService, validateService } from "./steps";
import { afterRetries, healthCheckFailed, retryFailedHealth } from "../../rollback/retryRestart";
import { runMigration } from "./migration";

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

export function end(outcome: RunOutcome, error?: string, errorKind?: ErrorKind): RunFinish {
  return { outcome, verdict: VERDICT_OF[outcome], ...(error !== undefined ? { error } : {}), ...(errorKind ? { errorKind } : {}) };
}

interface Ready {
  planned: PlannedService[];
  stackServices: StackService[];
}

/** Reads the stack config, plans, gates and holds later services back: what to deploy, or how the run ended. */
export async function prepare<M extends DeploymentManifest>(
  initial: M,
  order: string[],
  options: DeployOptions,
  deps: DeployDeps<M>,
  recorder: RunRecorder,
): Promise<Ready | RunFinish> {
  const { progress } = deps;
  let stackServices;
  let plan;
  try {
    stackServices = await readStackServices(deps.stacks, initial.stack);
    plan = planDeploy(initial.stack, order, initial, stackServices, options.tag);
  } catch (err) {
    return end("refused", errorMessage(err), errorKindOf(err));
  }
  if (plan.services.length === 0) {
    progress.info(`nothing to deploy: ${order.join(", ")} already run the tags in the stack config`);
    return end("nothing-to-do");
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
    return end("error", `gate: ${errorMessage(err)}`);
  }
  if (gate.verdict === "fail") return end("refused", `the gate refused: ${gateReasons(gate).join("; ")}`);
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
      return end("error", `cannot hold back ${plan.holdBack.map((h) => h.service).join(", ")}: ${errorMessage(err)}`);
    }
  }
  return { planned, stackServices };
}

/** What releasing one service gave: the manifest after its stack update, or how the run ended. */
export type ServiceStep<M extends DeploymentManifest> = { kind: "passed"; manifest: M } | { kind: "ended"; end: RunFinish };

/**
 * One service of the release: set its tag and update the stack, watch its traffic steps when it
 * is progressive, validate it; on a failure, roll it and the services `deployed` before it back.
 */
export async function releaseService<M extends DeploymentManifest>(
  step: { manifest: M; service: PlannedService; deployed: string[]; rest: string[]; stackServices: StackService[] },
  options: { waitSeconds: number; retries?: number; skipMigrations?: boolean },
  deps: DeployDeps<M>,
  recorder: RunRecorder,
): Promise<ServiceStep<M>> {
  const { name, from, to } = step.service;
  const { waitSeconds } = options;
  const ctx = { manifest: step.manifest, runId: deps.runId };
  const ended = (e: RunFinish): ServiceStep<M> => ({ kind: "ended", end: e });
  const rollBack = (manifest: M, reason: string, extra?: { restoredByEcs: string[]; failedStep?: RunFailedStep }) =>
    rollbackServices({ manifest, services: [...step.deployed, name], reason, waitSeconds, recorder, ...extra }, deps);

  recorder.service({ name, tagBefore: from, taskDefinitionBefore: releaseHandle(step.manifest, name) });
  // The migration runs first, with the image about to roll out; a failed one leaves the service as it
  // is. ECS runs it here as a one-off task; on Kubernetes it is a Job the stack update waits for.
  const manifest0: DeploymentManifest = step.manifest;
  if (manifest0.runtime === undefined || manifest0.runtime === "ecs") {
    const migrated = await runMigration(
      { manifest: manifest0, service: step.service },
      { skip: options.skipMigrations ?? false },
      deps,
      recorder,
    );
    if (migrated.kind === "ended") return ended(migrated.end);
  }
  const updateStartedAt = deps.now();
  const update = await updateService(deps, recorder, {
    stack: step.manifest.stack,
    service: name,
    tag: to,
    stackServices: step.stackServices,
  });
  if (update.kind === "not-changed") return ended(end("error", update.error));
  if (update.kind === "failed") {
    const result = await rollBack(step.manifest, `${name}: ${update.error}`);
    recorder.addActions(await deps.alerts.notify([rollbackAlert(ctx, { name, verdict: "fail", checks: [] }, result)]));
    return ended(end(result.status === "ok" ? "rolled-back" : "rollback-failed", update.error));
  }
  const manifest = await deps.loadManifest();
  recorder.service({
    name,
    tagDeployed: to,
    tagAfter: to,
    taskDefinitionAfter: releaseHandle(manifest, name),
  });

  // A progressive service: each traffic step is judged against the baseline before ECS moves on.
  const judged: DeploymentManifest = manifest;
  const ecs = judged.runtime === "docker" || judged.runtime === "kubernetes" ? undefined : judged;
  if (deps.progressive && ecs?.services.find((s) => s.name === name)?.deployment) {
    const watched = await watchRelease(deps.progressive, recorder, {
      manifest: ecs,
      service: name,
      since: updateStartedAt,
      runId: deps.runId,
    });
    if (watched.outcome === "error") {
      const error = `${name}: the progressive deployment could not be judged: ${watched.error ?? "unknown error"}`;
      recorder.addActions(await deps.alerts.notify([operationalAlert(ctx, [name], error)]));
      return ended(end("error", error));
    }
    if (watched.outcome !== "promoted") {
      const reason = `${name}: ${watched.failedStep ? `step ${watched.failedStep.percent}%: ${watched.failedStep.reason}` : "the progressive deployment failed"}`;
      const result = await rollBack(manifest, reason, { restoredByEcs: [name], failedStep: watched.failedStep });
      recorder.addActions(await deps.alerts.notify([rollbackAlert(ctx, stepServiceReport(watched, name), result)]));
      if (result.status !== "ok") return ended(end("rollback-failed"));
      // Abandoned (inconclusive beyond the step's extension): not promoted, traffic restored; never a pass.
      return ended(watched.outcome === "abandoned" ? end("inconclusive", reason) : end("rolled-back"));
    }
  }

  let validated: Validated = await validateService(deps, recorder, { manifest, service: name, waitSeconds, since: update.finishedAt });
  let retried = "";
  if (validated.kind === "judged" && (options.retries ?? 0) > 0 && healthCheckFailed(validated.service)) {
    const again = await retryService(validated.service, { manifest, name, waitSeconds, retries: options.retries ?? 0 }, deps, recorder);
    validated = again.validated;
    retried = afterRetries(again.attempts, name);
  }
  if (validated.kind === "error") {
    recorder.addActions(await deps.alerts.notify([operationalAlert(ctx, [name], validated.error)]));
    return ended(end("error", validated.error));
  }
  const report = validated.service;
  if (report.verdict === "inconclusive") {
    recorder.addActions(await deps.alerts.notify([inconclusiveAlert(ctx, report)]));
    if (step.rest.length > 0) deps.progress.info(`not deploying ${step.rest.join(", ")}: ${name} is inconclusive`);
    return ended(end("inconclusive"));
  }
  if (report.verdict === "fail") {
    const result = await rollBack(manifest, `${failureReason(report)}${retried}`);
    recorder.addActions(await deps.alerts.notify([rollbackAlert(ctx, report, result)]));
    return ended(end(result.status === "ok" ? "rolled-back" : "rollback-failed"));
  }
  return { kind: "passed", manifest };
}

type Validated = Awaited<ReturnType<typeof validateService>>;

/** `--retries`: new deployments of the same revision, each validated, while the service fails a health check. */
async function retryService<M extends DeploymentManifest>(
  first: ServiceReport,
  request: { manifest: M; name: string; waitSeconds: number; retries: number },
  deps: DeployDeps<M>,
  recorder: RunRecorder,
): Promise<{ validated: Validated; attempts: RetryAttempt[] }> {
  const { manifest, name, waitSeconds } = request;
  let error: string | undefined;
  const retried = await retryFailedHealth([first], deps.now(), request.retries, {
    restart: (services) => deps.runtime(manifest).restart(services, deps.now),
    revalidate: async (services, since) => {
      const again = await validateService(deps, recorder, { manifest, service: name, waitSeconds, since });
      if (again.kind === "error") {
        error = again.error;
        throw new Error(again.error);
      }
      return services.includes(name) ? [again.service] : [];
    },
    record: recorder,
    now: deps.now,
    onRetry: (m) => deps.progress.info(m),
  }).catch((err: unknown) => {
    if (error === undefined) error = `${name}: ${errorMessage(err)}`;
    return undefined;
  });
  const judged = retried?.services.find((s) => s.name === name);
  const validated: Validated =
    judged && error === undefined ? { kind: "judged", service: judged } : { kind: "error", error: error ?? `no report of ${name}` };
  return { validated, attempts: retried?.attempts ?? [] };
}

type RunFailedStep = NonNullable<Parameters<typeof rollbackServices>[0]["failedStep"]>;

/** Records the deployed services as last good and resolves their incidents. */
export async function recordReleased<M extends DeploymentManifest>(
  manifest: M,
  deployed: string[],
  deps: DeployDeps<M>,
  recorder: RunRecorder,
): Promise<RunFinish> {
  const recorded = await deps.progress.stage(
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
  recorder.addActions(await deps.alerts.recovered(deployed.map((service) => ({ stack: manifest.stack, service, runId: deps.runId }))));
  if (recorded.some((a) => a.status === "failed")) return end("error", "could not record the last good release (see actions)");
  return end("released");
}
