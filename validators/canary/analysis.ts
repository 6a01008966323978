import { checkResult, plural, round, worstStatus } from "../checks/result";
import { wilsonInterval } from "../checks/wilson";
import { errorRateFailPercent, type ManifestThresholds } from "../../contract/manifest";
import type { CheckResult, CheckStatus } from "../../contract/report";
import { differenceInterval } from "./proportions";

/** One side of the comparison over the same window: its target group's counts, p99 and (new revision) crashes. */
export interface SideFigures {
  /** The target group's ARN suffix. */
  targetGroup: string;
  /** The ECS service revision and task definition, when known. */
  revision?: string;
  taskDefinition?: string;
  /** Undefined when the metrics could not be read (`unavailable` says why). */
  requests?: number;
  errors5xx?: number;
  unavailable?: string;
  /** TargetResponseTime p99 in ms; undefined when there is none or it could not be read (`latencyUnavailable`). */
  p99Ms?: number;
  latencyUnavailable?: string;
}

export interface CanaryInput {
  /** The new revision, with the tasks of it that crashed in the window. */
  canary: SideFigures & { crashes: { taskId: string; cause: string }[] };
  baseline: SideFigures;
  /** The new revision's share of production traffic (100: no baseline traffic left to compare with). */
  sharePercent: number;
  windowStart: Date;
  windowEnd: Date;
  policy: CanaryPolicy;
}

/** The release policy's rollback conditions and the statistics' settings. */
export interface CanaryPolicy {
  /** A new revision above this 5xx rate fails (the policy's 1%). */
  maxErrorRatePercent: number;
  /** A new revision's p99 above this fails (the policy's 1 s). */
  maxP99Ms: number;
  /** ... and above this many times the baseline's p99. */
  maxP99Ratio: number;
  /** Fewer requests on a side than this cannot be judged: inconclusive (the step is extended). */
  minRequests: number;
  /** Two-sided confidence of the intervals. */
  confidence: number;
}

/** The policy from the manifest: the fail error rate (errorRateFailPercent, 1%) and the p99 threshold (1 s) are the rollback limits. */
export function canaryPolicy(thresholds: ManifestThresholds, confidence = 0.99): CanaryPolicy {
  return {
    maxErrorRatePercent: errorRateFailPercent(thresholds),
    maxP99Ms: thresholds.p99LatencyMs,
    maxP99Ratio: 2,
    minRequests: thresholds.minRequests,
    confidence,
  };
}

interface Judged {
  status: CheckStatus;
  text: string;
}

/**
 * The canary check: the new revision's target group against the baseline's over the same window.
 * Any crash fails. 5xx: the new revision's rate above the limit fails (its Wilson interval's lower
 * bound above it fails at any traffic); the difference with the baseline whose Newcombe interval
 * lies above 0 (surely worse) fails; fewer than minRequests on the new side, or on the baseline
 * while it still serves traffic, is inconclusive. p99: above the limit or above twice the
 * baseline's fails; none is inconclusive. Never pass for lack of data.
 */
export function judgeCanary(input: CanaryInput): CheckResult<"canary"> {
  const { canary, baseline, policy } = input;
  const errors = judgeErrors(input);
  const latency = judgeLatency(input);
  const crashes: Judged =
    canary.crashes.length > 0
      ? {
          status: "fail",
          text: `${plural(canary.crashes.length, "task")} of the new revision crashed (${canary.crashes
            .slice(0, 3)
            .map((c) => `${c.taskId}: ${c.cause}`)
            .join("; ")})`,
        }
      : { status: "pass", text: "no crash" };
  const status = worstStatus([errors.status, latency.status, crashes.status]);
  const share = round(input.sharePercent, 1);
  const lines = [
    `new revision (${canary.targetGroup}, ${share}% of traffic): ${sideText(canary)}, ${plural(canary.crashes.length, "crash", "crashes")}`,
    `baseline (${baseline.targetGroup}): ${sideText(baseline)}`,
    `${status}: ${[errors, latency, crashes].map((j) => j.text).join("; ")}.`,
  ];
  const diff =
    canary.requests !== undefined && baseline.requests !== undefined
      ? differenceInterval(canary.errors5xx ?? 0, canary.requests, baseline.errors5xx ?? 0, baseline.requests, policy.confidence)
      : undefined;
  const observed = {
    sharePercent: share,
    windowStart: input.windowStart.toISOString(),
    windowEnd: input.windowEnd.toISOString(),
    canary: { ...sideObserved(canary, policy.confidence), crashes: canary.crashes.length, crashedTasks: canary.crashes.slice(0, 10) },
    baseline: sideObserved(baseline, policy.confidence),
    differencePercent: diff
      ? { estimate: round(100 * diff.estimate, 3), lower: round(100 * diff.lower, 3), upper: round(100 * diff.upper, 3) }
      : null,
    criteria: { errorRate: errors.status, latency: latency.status, crashes: crashes.status },
  };
  const threshold = { ...policy, crashes: 0 };
  return checkResult("canary", status, lines.join("\n"), observed, threshold);
}

function judgeErrors(input: CanaryInput): Judged {
  const { canary, baseline, policy } = input;
  const limit = policy.maxErrorRatePercent;
  if (canary.requests === undefined)
    return { status: "inconclusive", text: `the new revision's 5xx are unknown (${canary.unavailable ?? "no metrics"})` };
  if (canary.requests === 0) return { status: "inconclusive", text: "no request reached the new revision yet" };
  const errors = canary.errors5xx ?? 0;
  const rate = (100 * errors) / canary.requests;
  const interval = wilsonInterval(errors, canary.requests, policy.confidence);
  if (100 * interval.lower > limit)
    return { status: "fail", text: `5xx ${pct(rate)} above ${limit}% (even the interval's lower bound, ${pct(100 * interval.lower)})` };
  if (canary.requests >= policy.minRequests && rate > limit) return { status: "fail", text: `5xx ${pct(rate)} above ${limit}%` };
  const comparable = baseline.requests !== undefined && baseline.requests >= policy.minRequests;
  if (comparable) {
    const diff = differenceInterval(errors, canary.requests, baseline.errors5xx ?? 0, baseline.requests ?? 0, policy.confidence);
    if (diff && diff.lower > 0) {
      return {
        status: "fail",
        text: `5xx worse than the baseline: +${pp(diff.estimate)} (interval +${pp(diff.lower)} to +${pp(diff.upper)}, all above 0)`,
      };
    }
  }
  if (canary.requests < policy.minRequests) {
    return {
      status: "inconclusive",
      text: `only ${canary.requests} requests on the new revision, fewer than ${policy.minRequests}: too little traffic to judge, observe longer`,
    };
  }
  if (input.sharePercent < 100 && !comparable) {
    const why =
      baseline.requests === undefined
        ? `its metrics are unknown (${baseline.unavailable ?? "no metrics"})`
        : `only ${baseline.requests} requests, fewer than ${policy.minRequests}`;
    return { status: "inconclusive", text: `cannot compare with the baseline: ${why}` };
  }
  return comparable
    ? { status: "pass", text: `5xx ${pct(rate)} within ${limit}% and not worse than the baseline` }
    : { status: "pass", text: `5xx ${pct(rate)} within ${limit}% (all traffic on the new revision: no baseline to compare)` };
}

function judgeLatency(input: CanaryInput): Judged {
  const { canary, baseline, policy } = input;
  if (canary.p99Ms === undefined) {
    return {
      status: "inconclusive",
      text: `the new revision's p99 is unknown (${canary.latencyUnavailable ?? "no TargetResponseTime data"})`,
    };
  }
  const p99 = round(canary.p99Ms, 1);
  if (canary.p99Ms > policy.maxP99Ms) return { status: "fail", text: `p99 ${p99} ms above ${policy.maxP99Ms} ms` };
  if (baseline.p99Ms !== undefined && baseline.p99Ms > 0 && canary.p99Ms > policy.maxP99Ratio * baseline.p99Ms) {
    return { status: "fail", text: `p99 ${p99} ms above ${policy.maxP99Ratio}x the baseline's ${round(baseline.p99Ms, 1)} ms` };
  }
  if (baseline.p99Ms === undefined)
    return { status: "pass", text: `p99 ${p99} ms within ${policy.maxP99Ms} ms (no baseline p99 to compare)` };
  return {
    status: "pass",
    text: `p99 ${p99} ms within ${policy.maxP99Ms} ms and ${policy.maxP99Ratio}x the baseline's ${round(baseline.p99Ms, 1)} ms`,
  };
}

function sideText(side: SideFigures): string {
  const counts =
    side.requests === undefined
      ? `5xx unknown (${side.unavailable ?? "no metrics"})`
      : `${side.errors5xx ?? 0} 5xx of ${side.requests} requests${side.requests > 0 ? ` (${pct((100 * (side.errors5xx ?? 0)) / side.requests)})` : ""}`;
  const p99 = side.p99Ms === undefined ? "p99 unknown" : `p99 ${round(side.p99Ms, 1)} ms`;
  return `${counts}, ${p99}`;
}

function sideObserved(side: SideFigures, confidence: number): Record<string, unknown> {
  const known = side.requests !== undefined;
  const requests = side.requests ?? 0;
  const errors = side.errors5xx ?? 0;
  const interval = wilsonInterval(errors, requests, confidence);
  return {
    targetGroup: side.targetGroup,
    revision: side.revision ?? null,
    taskDefinition: side.taskDefinition ?? null,
    requests: known ? requests : null,
    errors5xx: known ? errors : null,
    ratePercent: known && requests > 0 ? round((100 * errors) / requests, 3) : null,
    intervalPercent: known && requests > 0 ? { lower: round(100 * interval.lower, 3), upper: round(100 * interval.upper, 3) } : null,
    p99Ms: side.p99Ms === undefined ? null : round(side.p99Ms, 1),
  };
}

const pct = (value: number) => `${round(value, 3)}%`;
const pp = (fraction: number) => `${round(100 * fraction, 3)} pp`;
