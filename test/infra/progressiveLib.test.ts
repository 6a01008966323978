import { describe, expect, it } from "vitest";
import { linearSteps, stepDivisor } from "../../infra/config/deployment";
import type { ProgressiveDeploymentConfig } from "../../infra/config";
import {
  ecsDeploymentConfiguration,
  productionRulePriority,
  progressiveWatchMinutes,
  testRulePriority,
} from "../../infra/components/lib/progressive";
import { alternateTargetGroupName, canaryVerdictParameterName, hookFunctionName, targetGroupName } from "../../infra/components/lib/naming";

const base = { stepMinutes: 10, bakeMinutes: 15, maxExtensionMinutes: 20 };

describe("ecsDeploymentConfiguration maps the release policy onto ECS's native strategies", () => {
  it.each<[string, ProgressiveDeploymentConfig, ReturnType<typeof ecsDeploymentConfiguration>]>([
    [
      "5/25/50/100: LINEAR in steps of 5% (their greatest common divisor)",
      { strategy: "canary", steps: [5, 25, 50, 100], ...base },
      { strategy: "LINEAR", bakeTimeInMinutes: "15", linearConfiguration: { stepPercent: 5, stepBakeTimeInMinutes: "0" } },
    ],
    [
      "10/40/100: LINEAR in steps of 10%",
      { strategy: "canary", steps: [10, 40, 100], ...base },
      { strategy: "LINEAR", bakeTimeInMinutes: "15", linearConfiguration: { stepPercent: 10, stepBakeTimeInMinutes: "0" } },
    ],
    [
      "one step (5 then 100): ECS's CANARY",
      { strategy: "canary", steps: [5, 100], ...base },
      { strategy: "CANARY", bakeTimeInMinutes: "15", canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: "0" } },
    ],
    [
      "linear 30%: LINEAR at its own step (30, 60, 90, 100)",
      { strategy: "linear", steps: [30, 60, 90, 100], stepPercent: 30, ...base },
      { strategy: "LINEAR", bakeTimeInMinutes: "15", linearConfiguration: { stepPercent: 30, stepBakeTimeInMinutes: "0" } },
    ],
    [
      "blue/green: BLUE_GREEN with the bake time",
      { strategy: "blueGreen", steps: [100], ...base },
      { strategy: "BLUE_GREEN", bakeTimeInMinutes: "15" },
    ],
  ])("%s", (_name, deployment, expected) => {
    expect(ecsDeploymentConfiguration(deployment)).toEqual(expected);
  });
});

describe("steps", () => {
  it.each([
    [25, [25, 50, 75, 100]],
    [30, [30, 60, 90, 100]],
    [33.3, [33.3, 66.6, 99.9, 100]],
    [100, [100]],
  ])("linear steps of %s%% reach %j", (step, expected) => {
    expect(linearSteps(step)).toEqual(expected);
  });

  it.each([
    [[5, 25, 50, 100], 5],
    [[10, 40, 100], 10],
    [[1, 50, 100], 1],
  ])("the greatest common divisor of %j is %i", (steps, expected) => {
    expect(stepDivisor(steps)).toBe(expected);
  });
});

describe("listener rule priorities", () => {
  it.each([
    [100, 100, 95],
    [110, 110, 105],
    [undefined, 50000, 49995],
  ])("a route at %s: production %i, test %i", (priority, production, test) => {
    expect([productionRulePriority(priority), testRulePriority(priority)]).toEqual([production, test]);
  });
});

describe("names", () => {
  it("names the alternate target group after the first, within 32 characters", () => {
    expect([
      alternateTargetGroupName("delivery", "prod", "api", 8080),
      alternateTargetGroupName("delivery", "production", "payments-gateway", 8080),
    ]).toEqual(["delivery-prod-api-8080-alt", "delivery-production-paym-e03f081"]);
  });

  it("keeps a long alternate name distinct from the first group's cut name", () => {
    expect(alternateTargetGroupName("delivery", "production", "payments-gateway", 8080)).not.toBe(
      targetGroupName("delivery", "production", "payments-gateway", 8080),
    );
  });

  it("names the verdict parameter beside last-good, and the hook after the environment", () => {
    expect([canaryVerdictParameterName("prod", "api"), hookFunctionName("delivery", "prod")]).toEqual([
      "/delivery/prod/api/canary-verdict",
      "delivery-prod-canary-hook",
    ]);
  });
});

describe("progressiveWatchMinutes", () => {
  it("adds up every progressive service's steps with their extensions and its bake time, and nothing for rolling ones", () => {
    const canary = { strategy: "canary" as const, steps: [5, 25, 50, 100], stepMinutes: 10, bakeMinutes: 15, maxExtensionMinutes: 20 };
    expect(progressiveWatchMinutes([canary, { strategy: "rolling" }, { ...canary, steps: [100] }])).toBe(4 * 30 + 15 + (30 + 15));
    expect(progressiveWatchMinutes([{ strategy: "rolling" }])).toBe(0);
  });
});
