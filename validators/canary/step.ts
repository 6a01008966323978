import type { AwsClients } from "../providers/aws/clients";
import type { EcsManifestService } from "../../contract/manifest";
import type { CheckResult, Verdict } from "../../contract/report";
import { type CanaryPolicy, judgeCanary } from "./analysis";
import { type DeploymentSides, describeDeployments } from "../providers/aws/ecsDeployments";
import { measureComparisons } from "./measure";
import { publish } from "./verdictStore";

/** ECS deployment states after which nothing moves any more. */
export const FINISHED = ["SUCCESSFUL", "STOPPED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"];

/** How one traffic step ended. */
export type StepOutcome =
  | {
      kind: "judged";
      verdict: Verdict;
      observedMinutes: number;
      startedAt: Date;
      judgedAt: Date;
      check: CheckResult<"canary">;
      sharePercent: number;
    }
  | { kind: "ecs-finished"; status: string; reason?: string; sharePercent: number; startedAt?: Date; check?: CheckResult<"canary"> }
  | { kind: "not-reached"; sharePercent: number; waitedMinutes: number };

export interface StepContext {
  clients: Pick<AwsClients, "ecs" | "cloudwatch" | "ssm">;
  cluster: string;
  service: EcsManifestService;
  sides: DeploymentSides;
  policy: CanaryPolicy;
  runId: string;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  info: (line: string) => void;
  pollSeconds: number;
  /** Longest wait for ECS to bring traffic to the step. */
  reachMinutes: number;
}

/**
 * Observes one traffic step: waits until ECS gives the new revision `percent` of production
 * traffic, then judges it against the baseline every poll over the window since the step began,
 * publishing each new verdict for the lifecycle hook. Ends at the first fail (at once: the caller
 * rolls back), at a pass once `stepMinutes` are observed, or inconclusive when the observation
 * reached `stepMinutes + maxExtensionMinutes`; or when ECS finished the deployment by itself.
 * `publish: false` (the bake after the last step, past the hook) judges without publishing.
 */
export async function observeStep(
  ctx: StepContext,
  percent: number,
  stepMinutes: number,
  limitMinutes: number,
  options: { publish: boolean } = { publish: true },
): Promise<StepOutcome> {
  const { service, sides } = ctx;
  const verdictParameter = service.deployment?.verdictParameter ?? "";
  const waitFrom = ctx.now();
  let startedAt: Date | undefined;
  let published = "";
  let last: CheckResult<"canary"> | undefined;
  for (;;) {
    const deployment = (await describeDeployments(ctx.clients.ecs, [sides.deploymentArn]))[0];
    const share = deployment?.targetServiceRevision?.requestedProductionTrafficWeight ?? 0;
    const status = deployment?.status ?? "UNKNOWN";
    if (FINISHED.includes(status)) {
      return { kind: "ecs-finished", status, reason: deployment?.statusReason, sharePercent: share, startedAt, check: last };
    }
    const now = ctx.now();
    if (startedAt === undefined) {
      if (share < percent) {
        const waitedMinutes = (now.getTime() - waitFrom.getTime()) / 60_000;
        if (waitedMinutes >= ctx.reachMinutes) return { kind: "not-reached", sharePercent: share, waitedMinutes };
        await ctx.sleep(ctx.pollSeconds * 1000);
        continue;
      }
      startedAt = now;
      ctx.info(`  ${service.name}: the new revision has ${share}% of production traffic; observing it against the baseline`);
    }
    const measured = (
      await measureComparisons(
        ctx.clients,
        ctx.cluster,
        [
          {
            service: service.name,
            ecsService: service.ecsService,
            loadBalancer: service.loadBalancer,
            canary: sides.canary,
            baseline: sides.baseline,
            sharePercent: share,
            start: startedAt,
          },
        ],
        now,
      )
    ).get(service.name);
    if (!measured) throw new Error(`no measurements for ${service.name}`);
    const check = judgeCanary({ ...measured, policy: ctx.policy });
    last = check;
    const observedMinutes = Math.round(((now.getTime() - startedAt.getTime()) / 60_000) * 10) / 10;
    const verdict: Verdict = check.status === "fail" ? "fail" : check.status === "pass" ? "pass" : "inconclusive";
    const reason = check.message.split("\n").at(-1) ?? "";
    if (verdict === "fail") return { kind: "judged", verdict, observedMinutes, startedAt, judgedAt: now, check, sharePercent: share };
    const done = observedMinutes >= stepMinutes;
    const key = `${verdict}:${done}`;
    if (options.publish && key !== published) {
      await publish(ctx.clients.ssm, verdictParameter, {
        revision: sides.canary.revision ?? "",
        baselineRevision: sides.baseline.revision,
        percent,
        verdict,
        observedMinutes,
        reason,
        at: now.toISOString(),
        runId: ctx.runId,
      });
      published = key;
    }
    if (done && verdict === "pass")
      return { kind: "judged", verdict, observedMinutes, startedAt, judgedAt: now, check, sharePercent: share };
    if (observedMinutes >= limitMinutes)
      return { kind: "judged", verdict, observedMinutes, startedAt, judgedAt: now, check, sharePercent: share };
    ctx.info(
      `  ${service.name} at ${percent}%: ${verdict} after ${observedMinutes} of ${stepMinutes} min (${reason.replace(/^\w+: /, "")})`,
    );
    await ctx.sleep(ctx.pollSeconds * 1000);
  }
}
