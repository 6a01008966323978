import { describe, expect, it } from "vitest";
import { type CanaryInput, canaryPolicy, judgeCanary } from "../../validators/canary/analysis";
import { differenceInterval } from "../../validators/canary/proportions";
import { testManifest } from "../validator/support/manifest";

const POLICY = canaryPolicy(testManifest().thresholds);
const START = new Date("2025-03-01T12:00:00Z");
const END = new Date("2025-03-01T12:10:00Z");

type Side = { requests?: number; errors5xx?: number; p99Ms?: number; unavailable?: string; latencyUnavailable?: string };

function input(
  canary: Side,
  baseline: Side,
  extra: Partial<Pick<CanaryInput, "sharePercent">> & { crashes?: CanaryInput["canary"]["crashes"] } = {},
): CanaryInput {
  return {
    canary: { targetGroup: "targetgroup/api-tg-alt/f", ...canary, crashes: extra.crashes ?? [] },
    baseline: { targetGroup: "targetgroup/api-tg/0", ...baseline },
    sharePercent: extra.sharePercent ?? 5,
    windowStart: START,
    windowEnd: END,
    policy: POLICY,
  };
}

const healthyBaseline = { requests: 19_000, errors5xx: 19, p99Ms: 400 };

describe("differenceInterval (Newcombe's hybrid score interval)", () => {
  it("matches Newcombe's worked example 56/70 - 48/80 at 95%: 0.0524 to 0.3339", () => {
    const d = differenceInterval(56, 70, 48, 80, 0.95);
    expect([d?.estimate, d?.lower, d?.upper].map((v) => Math.round((v ?? 0) * 10_000) / 10_000)).toEqual([0.2, 0.0524, 0.3339]);
  });

  it("has no interval when a side has no trials", () => {
    expect(differenceInterval(0, 0, 3, 100)).toBeUndefined();
  });
});

describe("judgeCanary", () => {
  it.each<[string, CanaryInput, string, Record<string, string>]>([
    [
      "a healthy canary passes",
      input({ requests: 1_000, errors5xx: 1, p99Ms: 420 }, healthyBaseline),
      "pass",
      { errorRate: "pass", latency: "pass", crashes: "pass" },
    ],
    [
      "a canary above 1% 5xx fails",
      input({ requests: 1_000, errors5xx: 30, p99Ms: 420 }, healthyBaseline),
      "fail",
      { errorRate: "fail", latency: "pass", crashes: "pass" },
    ],
    [
      "a canary surely worse than the baseline, though below 1%, fails",
      input({ requests: 20_000, errors5xx: 150, p99Ms: 420 }, healthyBaseline),
      "fail",
      { errorRate: "fail", latency: "pass", crashes: "pass" },
    ],
    [
      "a canary with p99 above 1 s fails",
      input({ requests: 1_000, errors5xx: 1, p99Ms: 1_200 }, healthyBaseline),
      "fail",
      { errorRate: "pass", latency: "fail", crashes: "pass" },
    ],
    [
      "a canary with p99 above twice the baseline's fails",
      input({ requests: 1_000, errors5xx: 1, p99Ms: 900 }, healthyBaseline),
      "fail",
      { errorRate: "pass", latency: "fail", crashes: "pass" },
    ],
    [
      "any crash fails",
      input({ requests: 1_000, errors5xx: 1, p99Ms: 420 }, healthyBaseline, { crashes: [{ taskId: "t1", cause: "OutOfMemory" }] }),
      "fail",
      { errorRate: "pass", latency: "pass", crashes: "fail" },
    ],
    [
      "too little traffic on the canary is inconclusive, never pass",
      input({ requests: 40, errors5xx: 0, p99Ms: 420 }, healthyBaseline),
      "inconclusive",
      { errorRate: "inconclusive", latency: "pass", crashes: "pass" },
    ],
    [
      "no request on the canary is inconclusive",
      input({ requests: 0, errors5xx: 0 }, healthyBaseline),
      "inconclusive",
      { errorRate: "inconclusive", latency: "inconclusive", crashes: "pass" },
    ],
    [
      "a few requests that are all errors fail at once (the interval's lower bound is above 1%)",
      input({ requests: 20, errors5xx: 10, p99Ms: 420 }, healthyBaseline),
      "fail",
      { errorRate: "fail", latency: "pass", crashes: "pass" },
    ],
    [
      "a baseline with too little traffic to compare is inconclusive",
      input({ requests: 1_000, errors5xx: 1, p99Ms: 420 }, { requests: 30, errors5xx: 0, p99Ms: 400 }),
      "inconclusive",
      { errorRate: "inconclusive", latency: "pass", crashes: "pass" },
    ],
    [
      "at 100% the canary is judged on the absolute limits alone",
      input({ requests: 20_000, errors5xx: 20, p99Ms: 420 }, { requests: 0, errors5xx: 0 }, { sharePercent: 100 }),
      "pass",
      { errorRate: "pass", latency: "pass", crashes: "pass" },
    ],
    [
      "unknown percentiles make latency inconclusive",
      input({ requests: 1_000, errors5xx: 1, latencyUnavailable: "HTTP 500" }, healthyBaseline),
      "inconclusive",
      { errorRate: "pass", latency: "inconclusive", crashes: "pass" },
    ],
    [
      "unknown counts make the 5xx inconclusive",
      input({ unavailable: "Forbidden", p99Ms: 420 }, healthyBaseline),
      "inconclusive",
      { errorRate: "inconclusive", latency: "pass", crashes: "pass" },
    ],
  ])("%s", (_name, given, status, criteria) => {
    const result = judgeCanary(given);
    expect([result.status, result.observed.criteria]).toEqual([status, criteria]);
  });

  it("reports both sides, the difference and why, one line each", () => {
    const result = judgeCanary(input({ requests: 1_000, errors5xx: 30, p99Ms: 420 }, healthyBaseline));
    expect(result.message.split("\n")).toEqual([
      "new revision (targetgroup/api-tg-alt/f, 5% of traffic): 30 5xx of 1000 requests (3%), p99 420 ms, 0 crashes",
      "baseline (targetgroup/api-tg/0): 19 5xx of 19000 requests (0.1%), p99 400 ms",
      "fail: 5xx 3% above 1% (even the interval's lower bound, 1.891%); p99 420 ms within 1000 ms and 2x the baseline's 400 ms; no crash.",
    ]);
  });

  it("puts both sides, the difference interval and the criteria in observed, the policy in threshold", () => {
    const result = judgeCanary(input({ requests: 1_000, errors5xx: 1, p99Ms: 420 }, healthyBaseline));
    expect(result.observed).toEqual({
      sharePercent: 5,
      windowStart: "2025-03-01T12:00:00.000Z",
      windowEnd: "2025-03-01T12:10:00.000Z",
      canary: {
        targetGroup: "targetgroup/api-tg-alt/f",
        revision: null,
        taskDefinition: null,
        requests: 1_000,
        errors5xx: 1,
        ratePercent: 0.1,
        intervalPercent: { lower: 0.012, upper: 0.846 },
        p99Ms: 420,
        crashes: 0,
        crashedTasks: [],
      },
      baseline: {
        targetGroup: "targetgroup/api-tg/0",
        revision: null,
        taskDefinition: null,
        requests: 19_000,
        errors5xx: 19,
        ratePercent: 0.1,
        intervalPercent: { lower: 0.056, upper: 0.179 },
        p99Ms: 400,
      },
      // Checked against an independent computation of Wilson and Newcombe at z = 2.5758.
      differencePercent: { estimate: 0, lower: -0.118, upper: 0.747 },
      criteria: { errorRate: "pass", latency: "pass", crashes: "pass" },
    });
    expect(result.threshold).toEqual({
      maxErrorRatePercent: 1,
      maxP99Ms: 1000,
      maxP99Ratio: 2,
      minRequests: 100,
      confidence: 0.99,
      crashes: 0,
    });
  });
});

describe("canaryPolicy", () => {
  it("rolls a step back above the manifest's errorRateFailPercent, not the warning alarm's threshold", () => {
    const thresholds = { ...testManifest().thresholds, errorRateWarningPercent: 2, errorRateFailPercent: 1.5 };

    expect(canaryPolicy(thresholds).maxErrorRatePercent).toBe(1.5);
  });

  it("uses 1 % when the manifest does not set errorRateFailPercent", () => {
    const thresholds = { ...testManifest().thresholds, errorRateWarningPercent: 3, errorRateFailPercent: undefined };

    expect(canaryPolicy(thresholds).maxErrorRatePercent).toBe(1);
  });
});
