import { describe, expect, it } from "vitest";
import {
  ecsServiceCircuitBreaker,
  ecsServiceDeploymentAlarms,
  ecsServiceLatestPlatform,
  ecsServiceMinTasks,
  ecsServiceNoPublicIp,
} from "../../policy/ecsService";
import { checkResource } from "./helpers";

const SERVICE = "aws:ecs/service:Service";
const service = (overrides: Record<string, unknown> = {}) => ({
  name: "api",
  desiredCount: 3,
  launchType: "FARGATE",
  platformVersion: "LATEST",
  networkConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: false },
  deploymentCircuitBreaker: { enable: true, rollback: true },
  alarms: { alarmNames: ["delivery-prod-api-error-rate-critical"], enable: true, rollback: true },
  ...overrides,
});

describe("ecs-service-circuit-breaker", () => {
  it("passes a breaker with rollback", () => {
    expect(checkResource(ecsServiceCircuitBreaker, SERVICE, service())).toEqual({ violations: [] });
  });

  it.each([
    ["missing", undefined, "deploymentCircuitBreaker is enable not set, rollback not set; both must be true."],
    ["without rollback", { enable: true, rollback: false }, "deploymentCircuitBreaker is enable true, rollback false; both must be true."],
  ])("reports a breaker %s", (_label, breaker, message) => {
    expect(checkResource(ecsServiceCircuitBreaker, SERVICE, service({ deploymentCircuitBreaker: breaker })).violations).toEqual([message]);
  });
});

describe("ecs-service-deployment-alarms", () => {
  it("passes deployment alarms with rollback", () => {
    expect(checkResource(ecsServiceDeploymentAlarms, SERVICE, service())).toEqual({ violations: [] });
  });

  it.each([
    [
      "missing",
      undefined,
      "alarms is enable not set, rollback not set, 0 alarm name(s); enable and rollback must be true with at least one alarm.",
    ],
    [
      "without rollback",
      { alarmNames: ["a"], enable: true, rollback: false },
      "alarms is enable true, rollback false, 1 alarm name(s); enable and rollback must be true with at least one alarm.",
    ],
    [
      "without alarms",
      { alarmNames: [], enable: true, rollback: true },
      "alarms is enable true, rollback true, 0 alarm name(s); enable and rollback must be true with at least one alarm.",
    ],
  ])("reports alarms %s", (_label, alarms, message) => {
    expect(checkResource(ecsServiceDeploymentAlarms, SERVICE, service({ alarms })).violations).toEqual([message]);
  });
});

describe("ecs-service-no-public-ip", () => {
  it("passes private tasks", () => {
    expect(checkResource(ecsServiceNoPublicIp, SERVICE, service())).toEqual({ violations: [] });
  });

  it("reports public IPs", () => {
    const props = service({ networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: true } });
    expect(checkResource(ecsServiceNoPublicIp, SERVICE, props).violations).toEqual([
      "networkConfiguration.assignPublicIp is true; tasks must not get public IP addresses.",
    ]);
  });
});

describe("ecs-service-min-tasks", () => {
  it("passes 2 tasks in staging", () => {
    expect(checkResource(ecsServiceMinTasks, SERVICE, service({ desiredCount: 2 }), { tier: "staging" })).toEqual({ violations: [] });
  });

  it.each([
    ["staging", 1, "desiredCount is 1; staging services run at least 2 tasks."],
    ["prod", undefined, "desiredCount is not set; prod services run at least 2 tasks."],
  ])("reports too few tasks in %s", (tier, count, message) => {
    expect(
      checkResource(ecsServiceMinTasks, SERVICE, service({ desiredCount: count }), { tier: tier as "staging" | "prod" }).violations,
    ).toEqual([message]);
  });

  it("does not apply to dev", () => {
    expect(checkResource(ecsServiceMinTasks, SERVICE, service({ desiredCount: 1 }), { tier: "dev" }).notApplicable).toBe(
      "applies to the staging, prod tier(s); this stack is dev",
    );
  });
});

describe("ecs-service-latest-platform", () => {
  it.each([["LATEST"], [undefined]])("passes platformVersion %s on Fargate", (version) => {
    expect(checkResource(ecsServiceLatestPlatform, SERVICE, service({ platformVersion: version }))).toEqual({ violations: [] });
  });

  it("reports a pinned platform version on Fargate", () => {
    expect(checkResource(ecsServiceLatestPlatform, SERVICE, service({ platformVersion: "1.3.0" })).violations).toEqual([
      'platformVersion is "1.3.0"; Fargate services must run on "LATEST".',
    ]);
  });

  it("reports a pinned platform version with a Fargate capacity provider", () => {
    const props = service({
      launchType: undefined,
      capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
      platformVersion: "1.4.0",
    });
    expect(checkResource(ecsServiceLatestPlatform, SERVICE, props).violations).toEqual([
      'platformVersion is "1.4.0"; Fargate services must run on "LATEST".',
    ]);
  });
});
