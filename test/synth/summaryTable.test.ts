import { describe, expect, it } from "vitest";
import { formatSummaryTable, formatSynthTotals, policyVerdict, type StackSummary } from "../../infra/synth/summary";

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
