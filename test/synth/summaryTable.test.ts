import { describe, expect, it } from "vitest";
import {
  alarmThreshold,
  formatSummary,
  formatSummaryTable,
  formatSynthTotals,
  policyVerdict,
  type StackSummary,
} from "../../infra/synth/summary";

const summary: StackSummary = {
  stack: "prod",
  tier: "prod",
  region: "us-east-1",
  resourceCount: 181,
  resourcesByType: { "aws:ecs/service:Service": 1 },
  services: [
    {
      name: "api",
      image: "delivery/api:sha-1",
      tasks: 3,
      cpu: 512,
      memory: 1024,
      autoscaling: "3-20 at 60% CPU",
      alarms: [{ name: "cpu-high", threshold: 80, comparison: "GreaterThanThreshold" }],
    },
  ],
};

describe("synth's short output", () => {
  it("one table per stack with the policy verdict in its header", () => {
    expect(formatSummaryTable(summary, [{ enforcementLevel: "mandatory" }, { enforcementLevel: "advisory" }])).toBe(
      [
        "Stack prod (tier prod, us-east-1): 181 resources, policies: 1 mandatory, 1 advisory violations",
        "  SERVICE  IMAGE               TASKS    CPU / MEMORY    AUTOSCALING      ALARMS",
        "  api      delivery/api:sha-1  3 tasks  512 / 1024 MiB  3-20 at 60% CPU  1",
        "",
      ].join("\n"),
    );
  });

  it("a stack without services says so", () => {
    expect(formatSummaryTable({ ...summary, services: [] }, [])).toBe(
      "Stack prod (tier prod, us-east-1): 181 resources, policies: no violations\n  no services\n",
    );
  });

  it("the totals line counts stacks, resources and violations", () => {
    const doc = (resourceCount: number, violations: number) => ({
      summary: { resourceCount },
      policy: { violations: Array.from({ length: violations }, () => ({})) },
    });

    expect(formatSynthTotals([doc(9, 0)], "out/synth")).toBe("1 stack, 9 resources, 0 policy violations; wrote out/synth/<stack>.json\n");
    expect(formatSynthTotals([doc(9, 1), doc(151, 0)], "/tmp/x")).toBe(
      "2 stacks, 160 resources, 1 policy violation; wrote /tmp/x/<stack>.json\n",
    );
    expect(policyVerdict([{ enforcementLevel: "advisory" }])).toBe("0 mandatory, 1 advisory violation");
  });
});

describe("synth --verbose prints each alarm's threshold with its unit and window", () => {
  it("latency in ms (CloudWatch compares seconds), rates in %, counts with their noun, the window in s/m", () => {
    const alarms: StackSummary["services"][number]["alarms"] = [
      { name: "latency-p95", threshold: 0.5, comparison: "GreaterThanThreshold", unit: "s", windowSeconds: 300 },
      { name: "error-rate-warning", threshold: 1, comparison: "GreaterThanThreshold", unit: "%", windowSeconds: 300 },
      { name: "running-tasks-low", threshold: 3, comparison: "LessThanThreshold", unit: "tasks", windowSeconds: 180 },
      { name: "unhealthy-hosts", threshold: 0, comparison: "GreaterThanThreshold", unit: "targets", windowSeconds: 90 },
      { name: "custom", threshold: 7, comparison: undefined },
    ];

    const text = formatSummary({ ...summary, services: [{ ...summary.services[0], alarms }] });

    expect(text.split("\n").at(-2)).toBe(
      "    alarms: latency-p95 > 500 ms over 5m; error-rate-warning > 1% over 5m; running-tasks-low < 3 tasks over 3m; unhealthy-hosts > 0 targets over 1m30s; custom 7",
    );
  });

  it.each([
    [{ threshold: 1.2, unit: "s" }, "1200 ms"],
    [{ threshold: 0.25, unit: "s" }, "250 ms"],
    [{ threshold: 85, unit: "%" }, "85%"],
    [{ threshold: undefined, unit: "%" }, "?"],
    [{ threshold: 2, unit: undefined }, "2"],
  ] as const)("%j is %s", (alarm, shown) => {
    expect(alarmThreshold(alarm)).toBe(shown);
  });
});
