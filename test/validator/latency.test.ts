import { describe, expect, it } from "vitest";
import { judgeLatency } from "../../validators/checks/latency";

const thresholds = { p95LatencyMs: 500, p99LatencyMs: 1000 };

describe("judgeLatency", () => {
  it.each([
    [120, 400, "pass", "p95 120 ms is within 500 ms; p99 400 ms is within 1000 ms."],
    [501, 400, "warn", "p95 501 ms is above the 500 ms threshold; p99 400 ms is within 1000 ms."],
    [300, 1500, "warn", "p95 300 ms is within 500 ms; p99 1500 ms is above the 1000 ms threshold."],
    [1001, 900, "fail", "p95 1001 ms is above twice the 500 ms threshold; p99 900 ms is within 1000 ms."],
    [1000, 2000, "warn", "p95 1000 ms is above the 500 ms threshold; p99 2000 ms is above the 1000 ms threshold."],
  ])("p95 %s ms, p99 %s ms: %s", (p95Ms, p99Ms, status, message) => {
    const result = judgeLatency({ stats: { p95Ms, p99Ms, minutes: 5 }, thresholds });

    expect(result.status).toBe(status);
    expect(result.message).toBe(message);
  });

  it("is inconclusive without datapoints", () => {
    const result = judgeLatency({ stats: { minutes: 0 }, thresholds });

    expect(result).toMatchObject({ status: "inconclusive", message: "No TargetResponseTime data in the window: cannot judge latency." });
  });

  it("is inconclusive with the reason when the percentile request failed", () => {
    const result = judgeLatency({
      unavailableReason: "CloudWatch GetMetricData (percentiles) failed (AWS error): InternalError",
      thresholds,
    });

    expect(result).toMatchObject({
      status: "inconclusive",
      message: "Latency percentiles unavailable: CloudWatch GetMetricData (percentiles) failed (AWS error): InternalError.",
      observed: { reason: "CloudWatch GetMetricData (percentiles) failed (AWS error): InternalError" },
    });
  });
});
