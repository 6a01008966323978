import { describe, expect, it } from "vitest";
import { ecsRollingSettings, healthyThreshold } from "../../infra/components/lib/rolling";
import { renderEnvironment } from "../../infra/synth/render";
import { ConfigError } from "../../infra/config/errors";
import { environmentConfig, resourcesOf, serviceEntry, T } from "../support/pulumi";

describe("ecsRollingSettings", () => {
  it.each([
    // tasks, maxSurge, maxUnavailable -> maximum %, minimum healthy % (ECS rounds the maximum down, the minimum up)
    [1, 1, 0, 200, 100],
    [2, 1, 0, 150, 100],
    [3, 1, 0, 134, 100],
    [20, 1, 0, 105, 100],
    [4, 2, 1, 150, 75],
    [3, 0, 1, 100, 66],
  ])("%s tasks, maxSurge %s, maxUnavailable %s: %s %% / %s %%", (tasks, maxSurge, maxUnavailable, maximum, minimum) => {
    const settings = ecsRollingSettings({ maxSurge, maxUnavailable, minReadySeconds: 10 }, tasks);

    expect(settings).toEqual({ deploymentMaximumPercent: maximum, deploymentMinimumHealthyPercent: minimum });
    // What ECS does with them: at most desired + maxSurge tasks, at least desired - maxUnavailable healthy.
    expect(Math.floor((tasks * maximum) / 100)).toBe(tasks + maxSurge);
    expect(Math.ceil((tasks * minimum) / 100)).toBe(tasks - maxUnavailable);
  });
});

describe("healthyThreshold", () => {
  it.each([
    [0, 2],
    [10, 2],
    [30, 2],
    [31, 3],
    [60, 4],
    [150, 10],
  ])("covers minReadySeconds %s with %s checks 15 s apart", (seconds, threshold) => {
    expect(healthyThreshold(seconds)).toBe(threshold);
  });
});

describe("delivery:rolling", () => {
  it("defaults to one extra task at a time, none unavailable, 10 s ready", () => {
    const config = environmentConfig({ tier: "dev", services: [serviceEntry("api")] });

    expect(config.rolling).toEqual({ maxSurge: 1, maxUnavailable: 0, minReadySeconds: 10 });
  });

  it("maps a stack's bounds onto the ECS service and the target group's health check", async () => {
    const rendered = await renderEnvironment(
      environmentConfig({
        tier: "staging",
        services: [serviceEntry("api", { desiredCount: 4, autoscaling: false })],
        rolling: { maxSurge: 2, maxUnavailable: 1, minReadySeconds: 60 },
      }),
    );
    const service = resourcesOf(rendered, T.ecsService)[0];
    const group = resourcesOf(rendered, T.targetGroup)[0];

    expect([service.inputs.deploymentMaximumPercent, service.inputs.deploymentMinimumHealthyPercent]).toEqual([150, 75]);
    expect(group.inputs.healthCheck).toMatchObject({ interval: 15, healthyThreshold: 4 });
  });

  it.each([
    [{ maxSurge: 0, maxUnavailable: 0 }, "Pulumi.dev.yaml: delivery:rolling has maxSurge 0 and maxUnavailable 0"],
    [{ maxUnavailable: 1 }, "Pulumi.dev.yaml: delivery:rolling.maxUnavailable is 1, not below service api's desiredCount 1"],
    [{ minReadySeconds: 300 }, "Pulumi.dev.yaml: delivery:rolling.minReadySeconds is 300; must be from 0 to 150 seconds"],
    [{ maxSurge: 1.5 }, "Pulumi.dev.yaml: delivery:rolling.maxSurge is 1.5; expected a whole number of tasks"],
  ])("refuses %j naming the key", (rolling, message) => {
    const parse = () => environmentConfig({ tier: "dev", services: [serviceEntry("api")], rolling }, { stack: "dev" });

    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(message);
  });
});
