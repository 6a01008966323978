import type { AwsClients } from "../providers/aws/clients";
import type { EcsManifest, EcsManifestService } from "../../contract/manifest";
import { type ActionRecord, type CheckResult, type ValidationReport, type Verdict, runReport, serviceReport } from "../../contract/report";
import type { FailedTrafficStep } from "../records/types";
import type { Progress } from "../core/progress";
import { canaryPolicy } from "./analysis";
import {
  type DeploymentSides,
  deploymentSides,
  describeDeployments,
  latestDeployment,
  stopWithRollback,
} from "../providers/aws/ecsDeployments";
import { FINISHED, observeStep, type StepContext, type StepOutcome } from "./step";
import { publish } from "./verdictStore";

export interface WatchRequest {
  manifest: EcsManifest;
  /** The progressive service (its manifest entry has `deployment`). */
  service: string;
  /**
   * When its stack update began: the ECS deployment to watch is the newest created since (waiting
   * up to findMinutes for it). Without it, the service's newest deployment if it is in progress.
   */
  since?: Date;
  runId: string;
  /** @default 0.99 */
  confidence?: number;
  tuning?: WatchTuning;
}

export interface WatchTuning {
  /** Between two looks at ECS and the metrics (the longest a failing step waits to be seen). @default 30 */
  pollSeconds?: number;
  /** Longest wait for ECS to start the deployment after the stack update. @default 10 */
  findMinutes?: number;
  /** Longest wait for ECS to bring traffic to a step. @default 15 */
  reachMinutes?: number;
  /** Longest wait for ECS to finish rolling back. @default 10 */
  rollbackMinutes?: number;
}

export interface WatchDeps {
  clients: Pick<AwsClients, "ecs" | "cloudwatch" | "ssm">;
  progress: Pick<Progress, "stage" | "info">;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** One traffic step as the run record keeps it. */
export interface TrafficStep {
  percent: number;
  verdict: Verdict;
  observedMinutes: number;
  startedAt?: string;
  judgedAt?: string;
}

/** The step that stopped the release, and how fast traffic went back (a run record field). */
export type FailedStep = FailedTrafficStep;

export interface WatchResult {
  /** promoted: every step passed and ECS completed; failed: rolled back; abandoned: inconclusive beyond the limit, rolled back; error: deployctl could not judge. */
  outcome: "promoted" | "failed" | "abandoned" | "error";
  steps: TrafficStep[];
  failedStep?: FailedStep;
  deploymentArn?: string;
  /** Each step's canary report, for the run record. */
  reports: ValidationReport[];
  actions: ActionRecord[];
  error?: string;
}

/**
 * Drives the release policy through ECS's native progressive deployment: finds the deployment the
 * stack update started, then for each step shows the traffic share and the canary verdict, and
 * publishes it for the lifecycle hook (which holds traffic until it passes). A failing step (or
 * one inconclusive beyond maxExtensionMinutes) is stopped at once with StopServiceDeployment
 * ROLLBACK: 100% of traffic returns to the old revision. After the last step, watches the bake
 * until ECS completes, judging at 100%. Throws nothing: an AWS failure ends with outcome error.
 */
export async function watchProgressiveRollout(request: WatchRequest, deps: WatchDeps): Promise<WatchResult> {
  const service = request.manifest.services.find((s) => s.name === request.service);
  const deployment = service?.deployment;
  const result: WatchResult = { outcome: "error", steps: [], reports: [], actions: [] };
  if (!service || !deployment) return { ...result, error: `${request.service} does not deploy progressively` };
  const tuning = { pollSeconds: 30, findMinutes: 10, reachMinutes: 15, rollbackMinutes: 10, ...request.tuning };
  try {
    const sides = await findSides(request, service, deps, tuning);
    if (!sides) {
      const error = request.since
        ? `ECS started no deployment of ${service.ecsService} within ${tuning.findMinutes} minutes of the stack update`
        : `no deployment of ${service.ecsService} is in progress`;
      return { ...result, error };
    }
    result.deploymentArn = sides.deploymentArn;
    const ctx: StepContext = {
      clients: deps.clients,
      cluster: request.manifest.cluster,
      service,
      sides,
      policy: canaryPolicy(request.manifest.thresholds, request.confidence),
      runId: request.runId,
      now: deps.now,
      sleep: deps.sleep,
      info: (line) => deps.progress.info(line),
      pollSeconds: tuning.pollSeconds,
      reachMinutes: tuning.reachMinutes,
    };
    const phases = [
      ...deployment.steps.map((p) => ({
        percent: p,
        minutes: deployment.stepMinutes,
        limit: deployment.stepMinutes + deployment.maxExtensionMinutes,
      })),
      { percent: 100, minutes: Infinity, limit: Infinity },
    ];
    for (const [index, phase] of phases.entries()) {
      const bake = index === phases.length - 1;
      const name = bake
        ? `${service.name}: bake at 100% (old revision kept ${deployment.bakeMinutes} min)`
        : `${service.name}: traffic ${phase.percent}%`;
      const outcome = await deps.progress.stage(
        name,
        () => observeStep(ctx, phase.percent, phase.minutes, phase.limit, { publish: !bake }),
        (o) => stageEnd(o),
      );
      if (outcome.kind === "judged" || outcome.kind === "ecs-finished")
        record(result, { stack: request.manifest.stack, service: service.name, percent: phase.percent, bake, at: deps.now() }, outcome);
      if (outcome.kind === "not-reached")
        return {
          ...result,
          error: `ECS did not bring ${service.name} to ${phase.percent}% of traffic within ${tuning.reachMinutes} minutes (${outcome.sharePercent}% so far)`,
        };
      if (outcome.kind === "ecs-finished") {
        if (outcome.status === "SUCCESSFUL") return { ...result, outcome: "promoted" };
        const reason = `ECS ended the deployment ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ""}`;
        result.failedStep = {
          service: service.name,
          percent: phase.percent,
          step: Math.min(index + 1, deployment.steps.length),
          verdict: "fail",
          reason,
          rolledBackBy: "ecs",
          verdictAt: deps.now().toISOString(),
        };
        result.failedStep.rollbackStatus = await waitForRollback(ctx, sides, tuning.rollbackMinutes);
        return { ...result, outcome: "failed" };
      }
      if (outcome.verdict === "pass") continue;
      const abandoned = outcome.verdict === "inconclusive";
      await rollBack(ctx, result, {
        phase: phase.percent,
        step: Math.min(index + 1, deployment.steps.length),
        outcome,
        abandoned,
        rollbackMinutes: tuning.rollbackMinutes,
      });
      return { ...result, outcome: abandoned ? "abandoned" : "failed" };
    }
    return { ...result, outcome: "promoted" };
  } catch (err) {
    return { ...result, outcome: "error", error: err instanceof Error ? err.message : String(err) };
  }
}

async function findSides(
  request: WatchRequest,
  service: EcsManifestService,
  deps: WatchDeps,
  tuning: Required<WatchTuning>,
): Promise<DeploymentSides | undefined> {
  if (!request.since) {
    const newest = await latestDeployment(deps.clients.ecs, request.manifest.cluster, service.ecsService);
    return newest?.status === "IN_PROGRESS" ? deploymentSides(deps.clients.ecs, newest, service) : undefined;
  }
  const after = new Date(request.since.getTime() - 60_000);
  const until = deps.now().getTime() + tuning.findMinutes * 60_000;
  for (;;) {
    const found = await latestDeployment(deps.clients.ecs, request.manifest.cluster, service.ecsService, after);
    if (found) return deploymentSides(deps.clients.ecs, found, service);
    if (deps.now().getTime() >= until) return undefined;
    await deps.sleep(tuning.pollSeconds * 1000);
  }
}

/** The failing (or abandoned) step: StopServiceDeployment ROLLBACK first, then the verdict for the hook, then wait for ECS. */
async function rollBack(
  ctx: StepContext,
  result: WatchResult,
  args: { phase: number; step: number; outcome: Extract<StepOutcome, { kind: "judged" }>; abandoned: boolean; rollbackMinutes: number },
): Promise<void> {
  const { outcome } = args;
  const reason = args.abandoned
    ? `still inconclusive after ${outcome.observedMinutes} minutes at ${args.phase}% (the step plus its extension): not promoted`
    : (outcome.check.message.split("\n").at(-1) ?? "verdict fail");
  const verdictAt = outcome.judgedAt;
  const failed: FailedStep = {
    service: ctx.service.name,
    percent: args.phase,
    step: args.step,
    verdict: args.abandoned ? "inconclusive" : "fail",
    reason,
    rolledBackBy: "deployctl",
    verdictAt: verdictAt.toISOString(),
  };
  result.failedStep = failed;
  const requestedAt = ctx.now();
  failed.rollbackRequestedAt = requestedAt.toISOString();
  failed.secondsToRollback = Math.round((requestedAt.getTime() - verdictAt.getTime()) / 100) / 10;
  const base = {
    kind: "rollback-traffic",
    target: ctx.service.name,
    details: { deployment: ctx.sides.deploymentArn, percent: args.phase, stopType: "ROLLBACK" },
  };
  try {
    await stopWithRollback(ctx.clients.ecs, ctx.sides.deploymentArn);
    result.actions.push({
      ...base,
      status: "ok",
      message: `StopServiceDeployment ROLLBACK ${failed.secondsToRollback}s after the verdict at ${args.phase}%: 100% of traffic back to the old revision`,
      at: requestedAt.toISOString(),
    });
  } catch (err) {
    result.actions.push({
      ...base,
      status: "failed",
      message: `StopServiceDeployment failed (the hook fails the step instead): ${err instanceof Error ? err.message : String(err)}`,
      at: ctx.now().toISOString(),
    });
  }
  ctx.info(`↩ ${ctx.service.name}: rollback requested ${failed.secondsToRollback}s after the ${failed.verdict} verdict at ${args.phase}%`);
  try {
    await publish(ctx.clients.ssm, ctx.service.deployment?.verdictParameter ?? "", {
      revision: ctx.sides.canary.revision ?? "",
      baselineRevision: ctx.sides.baseline.revision,
      percent: args.phase,
      verdict: "fail",
      observedMinutes: outcome.observedMinutes,
      reason,
      at: ctx.now().toISOString(),
      runId: ctx.runId,
    });
  } catch (err) {
    result.actions.push({
      kind: "canary-verdict",
      target: ctx.service.name,
      status: "failed",
      message: `could not publish the fail verdict: ${err instanceof Error ? err.message : String(err)}`,
      at: ctx.now().toISOString(),
    });
  }
  failed.rollbackStatus = await waitForRollback(ctx, ctx.sides, args.rollbackMinutes);
}

/** Waits for ECS to finish a rollback; returns its final status, or what it was when the wait ended. */
async function waitForRollback(ctx: StepContext, sides: DeploymentSides, minutes: number): Promise<string> {
  const until = ctx.now().getTime() + minutes * 60_000;
  for (;;) {
    const status = (await describeDeployments(ctx.clients.ecs, [sides.deploymentArn]).catch(() => []))[0]?.status ?? "UNKNOWN";
    if (status === "ROLLBACK_SUCCESSFUL" || status === "ROLLBACK_FAILED" || (FINISHED.includes(status) && !status.startsWith("ROLLBACK")))
      return status;
    if (ctx.now().getTime() >= until) return `${status} (still running after ${minutes} minutes)`;
    await ctx.sleep(ctx.pollSeconds * 1000);
  }
}

/**
 * A step (or the bake) in the result: its verdict, the canary report, a traffic-step action. A step
 * ECS finished before deployctl judged it counts as inconclusive (it was not observed), unless ECS
 * ended the deployment otherwise (fail).
 */
function record(
  result: WatchResult,
  where: { stack: string; service: string; percent: number; bake: boolean; at: Date },
  outcome: Extract<StepOutcome, { kind: "judged" | "ecs-finished" }>,
): void {
  const { stack, service, percent, bake } = where;
  const finishedVerdict: Verdict =
    outcome.kind === "ecs-finished" && outcome.status === "SUCCESSFUL" ? (bake ? "pass" : "inconclusive") : "fail";
  const verdict: Verdict = outcome.kind === "judged" ? outcome.verdict : finishedVerdict;
  const startedAt = outcome.startedAt?.toISOString();
  const judgedAt = outcome.kind === "judged" ? outcome.judgedAt.toISOString() : undefined;
  const observedMinutes = outcome.kind === "judged" ? outcome.observedMinutes : 0;
  result.steps.push({ percent, verdict, observedMinutes, ...(startedAt ? { startedAt } : {}), ...(judgedAt ? { judgedAt } : {}) });
  if (outcome.check)
    result.reports.push(
      stepReport(stack, service, outcome.check, outcome.startedAt, outcome.kind === "judged" ? outcome.judgedAt : undefined),
    );
  result.actions.push({
    kind: "traffic-step",
    target: service,
    status: verdict === "pass" ? "ok" : verdict === "fail" ? "failed" : "skipped",
    message: `${service} ${bake ? "bake at" : "at"} ${percent}%: ${verdict}${outcome.kind === "judged" ? ` after ${observedMinutes} min` : ` (ECS: ${outcome.status})`}`,
    at: judgedAt ?? where.at.toISOString(),
    details: { percent, verdict, observedMinutes, share: outcome.sharePercent, bake },
  });
}

/** A step's report: the canary check alone (its statuses are pass, fail or inconclusive, so the verdict is the check's). */
function stepReport(
  stack: string,
  service: string,
  check: CheckResult<"canary">,
  startedAt: Date | undefined,
  judgedAt: Date | undefined,
): ValidationReport {
  return runReport(stack, [serviceReport(service, [check])], startedAt ?? judgedAt ?? new Date(0), judgedAt ?? startedAt ?? new Date(0));
}

function stageEnd(o: StepOutcome): { state: "ok" | "failed" | "inconclusive"; detail?: string } {
  if (o.kind === "not-reached") return { state: "failed", detail: `traffic stayed at ${o.sharePercent}%` };
  if (o.kind === "ecs-finished")
    return { state: o.status === "SUCCESSFUL" ? "ok" : "failed", detail: `ECS: ${o.status}${o.reason ? ` (${o.reason})` : ""}` };
  const why =
    o.check.message
      .split("\n")
      .at(-1)
      ?.replace(/^\w+: /, "") ?? "";
  return {
    state: o.verdict === "pass" ? "ok" : o.verdict === "fail" ? "failed" : "inconclusive",
    detail: `${o.verdict} after ${o.observedMinutes} min: ${why}`,
  };
}
