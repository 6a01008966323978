import { describe, expect, it } from "vitest";
import { ecsClusterContainerInsights } from "../../policy/ecsCluster";
import { checkResource } from "./helpers";

describe("ecs-cluster-container-insights", () => {
  const CLUSTER = "aws:ecs/cluster:Cluster";

  it.each([["enabled"], ["enhanced"]])("passes Container Insights %s", (value) => {
    expect(checkResource(ecsClusterContainerInsights, CLUSTER, { settings: [{ name: "containerInsights", value }] })).toEqual({
      violations: [],
    });
  });

  it.each([
    [
      "off",
      [{ name: "containerInsights", value: "disabled" }],
      'settings containerInsights is "disabled"; it must be "enabled" or "enhanced".',
    ],
    ["unset", undefined, 'settings containerInsights is not set; it must be "enabled" or "enhanced".'],
  ])("reports Container Insights %s", (_label, settings, message) => {
    expect(checkResource(ecsClusterContainerInsights, CLUSTER, { settings }).violations).toEqual([message]);
  });
});
