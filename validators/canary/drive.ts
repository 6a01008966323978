import type { EcsManifest } from "../../contract/manifest";
import type { FailedTrafficStep } from "../records/types";
import type { ActionRecord, ValidationReport } from "../../contract/report";
import { latestDeployment } from "../providers/aws/ecsDeployments";
import { type WatchDeps, type WatchResult, watchProgressiveRollout } from "./watch";

/** What driving the steps left for the run record (afterValidation adds it). */
export interface DrivenSteps {
  results: Map<string, WatchResult>;
  actions: ActionRecord[];
  validations: ValidationReport[];
  /** The first step that failed (or was abandoned); ECS already returned that service's traffic. */
  failedStep?: FailedTrafficStep;
}

/**
 * `deployctl validate --wait` after a plain `pulumi up` (the pipeline's deploy stage): each
 * selected progressive service whose newest ECS deployment is in progress is driven through its
 * traffic steps first (verdict per step for the lifecycle hook, a failing step stopped with
 * ROLLBACK), one service at a time; validate then judges what runs. Rolling services, and
 * progressive ones with nothing in progress, are left as they are.
 */
export async function driveInProgress(
  request: { manifest: EcsManifest; services?: readonly string[]; runId: string; confidence?: number },
  deps: WatchDeps,
): Promise<DrivenSteps> {
  const { manifest } = request;
  const selected = manifest.services.filter((s) => s.deployment && (!request.services?.length || request.services.includes(s.name)));
  const driven: DrivenSteps = { results: new Map(), actions: [], validations: [] };
  for (const s of selected) {
    const newest = await latestDeployment(deps.clients.ecs, manifest.cluster, s.ecsService);
    if (newest?.status !== "IN_PROGRESS") continue;
    deps.progress.info(`${s.name}: its ${s.deployment?.strategy} deployment is in progress; judging each traffic step before validating`);
    const result = await watchProgressiveRollout({ manifest, service: s.name, runId: request.runId, confidence: request.confidence }, deps);
    driven.results.set(s.name, result);
    driven.actions.push(...result.actions);
    driven.validations.push(...result.reports);
    if (result.outcome === "error")
      deps.progress.info(`warning: ${s.name}: the traffic steps could not be judged: ${result.error ?? "unknown error"}`);
    driven.failedStep ??= result.failedStep;
  }
  return driven;
}
