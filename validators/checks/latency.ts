import type { LatencyPercentiles } from "../providers/runtime";
import type { ManifestThresholds } from "../../contract/manifest";
import type { CheckResult, CheckStatus } from "../../contract/report";
import { checkResult, round, worstStatus } from "./result";

/** Latency percentiles of one service over its window, in milliseconds (TargetResponseTime on ECS). */
export type LatencyStats = LatencyPercentiles;

export interface LatencyInput {
  /** Undefined when the percentiles could not be read; `unavailableReason` says why. */
  stats?: LatencyStats;
  unavailableReason?: string;
  thresholds: Pick<ManifestThresholds, "p95LatencyMs" | "p99LatencyMs">;
}

/**
 * p95 and p99 against their thresholds: above the threshold warns, above twice the threshold
 * fails; without data (no traffic, or the metrics request failed) the check is inconclusive.
 */
export function judgeLatency(input: LatencyInput): CheckResult {
  const { p95LatencyMs, p99LatencyMs } = input.thresholds;
  const threshold = { p95Ms: p95LatencyMs, p99Ms: p99LatencyMs, failAbove: "2x threshold" };
  const stats = input.stats;
  if (!stats) {
    const reason = (input.unavailableReason ?? "no metrics").replace(/\.$/, "");
    return checkResult("latency", "inconclusive", `Latency percentiles unavailable: ${reason}.`, { reason }, threshold);
  }
  if (stats.p95Ms === undefined || stats.p99Ms === undefined) {
    return checkResult(
      "latency",
      "inconclusive",
      "No TargetResponseTime data in the window: cannot judge latency.",
      { minutes: stats.minutes },
      threshold,
    );
  }
  const p95 = judgeOne("p95", stats.p95Ms, p95LatencyMs);
  const p99 = judgeOne("p99", stats.p99Ms, p99LatencyMs);
  const status = worstStatus([p95.status, p99.status]);
  const observed = { p95Ms: round(stats.p95Ms, 1), p99Ms: round(stats.p99Ms, 1), minutes: stats.minutes };
  return checkResult("latency", status, `${p95.text}; ${p99.text}.`, observed, threshold);
}

function judgeOne(label: string, valueMs: number, thresholdMs: number): { status: CheckStatus; text: string } {
  const shown = `${label} ${round(valueMs, 1)} ms`;
  if (valueMs > 2 * thresholdMs) return { status: "fail", text: `${shown} is above twice the ${thresholdMs} ms threshold` };
  if (valueMs > thresholdMs) return { status: "warn", text: `${shown} is above the ${thresholdMs} ms threshold` };
  return { status: "pass", text: `${shown} is within ${thresholdMs} ms` };
}
