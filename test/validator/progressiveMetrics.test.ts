import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { beforeEach, describe, expect, it } from "vitest";
import type { CheckName, CheckResult, ValidationReport } from "../../contract/report";
import { validate } from "../../validators/validate";
import { canaryService } from "../canary/support";
import { testManifest } from "./support/manifest";
import { type MockedAws, NOW, mockedAws } from "./support/mocks";
import { arrangeHealthy } from "./support/scenario";

/**
 * A progressive service has two target groups and ECS alternates which one serves production traffic
 * from one deployment to the next: its errorRate and latency checks read both.
 */
const api = canaryService("api");
const FIRST = api.targetGroup;
const ALT = api.deployment?.alternateTargetGroup ?? "";
const manifest = testManifest([api]);

let aws: MockedAws;
beforeEach(() => {
  aws = mockedAws();
});
const deps = () => ({ clients: aws.clients, now: () => NOW, sleep: async () => undefined });
const check = (report: ValidationReport, name: CheckName): CheckResult =>
  report.services[0].checks.find((c) => c.name === name) as CheckResult;

describe("validate a progressive service's traffic in both target groups", () => {
  it("fails on 5xx served from the alternate group after ECS moved production traffic there", async () => {
    arrangeHealthy(aws, [api], {
      metrics: { [FIRST]: { requests: 0, errors5xx: 0 }, [ALT]: { requests: 1000, errors5xx: 80, p95: 0.1, p99: 0.2 } },
    });

    const report = await validate({ manifest }, deps());

    expect(check(report, "errorRate")).toMatchObject({ status: "fail", observed: { requests: 1000, errors5xx: 80, ratePercent: 8 } });
    expect(check(report, "latency")).toMatchObject({ status: "pass", observed: { p95Ms: 100, p99Ms: 200 } });
  });

  it("adds both groups' counts and weighs their percentiles by sample count", async () => {
    arrangeHealthy(aws, [api], {
      metrics: { [FIRST]: { requests: 600, errors5xx: 0, p95: 0.1, p99: 0.2 }, [ALT]: { requests: 400, errors5xx: 4, p95: 0.6, p99: 0.7 } },
    });

    const report = await validate({ manifest }, deps());

    expect(check(report, "errorRate").observed).toMatchObject({ requests: 1000, errors5xx: 4 });
    expect(check(report, "latency").observed).toMatchObject({ p95Ms: 300, p99Ms: 400, minutes: 1 });
    const [counts, percentiles] = aws.cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries ?? []);
    const described = (q: (typeof counts)[number]) =>
      `${q.Id}:${q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === "TargetGroup")?.Value ?? "-"}`;
    expect(counts.map(described)).toEqual([`r0:${FIRST}`, `t0:${FIRST}`, `r0_alt:${ALT}`, `t0_alt:${ALT}`, "e0:-"]);
    expect(percentiles.map(described)).toEqual([
      `p0:${FIRST}`,
      `q0:${FIRST}`,
      `n0:${FIRST}`,
      `p0_alt:${ALT}`,
      `q0_alt:${ALT}`,
      `n0_alt:${ALT}`,
    ]);
  });
});
