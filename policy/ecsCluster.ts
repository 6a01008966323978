import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceRule } from "./lib/define";
import { arr, rec } from "./lib/values";

export const ecsClusterContainerInsights = resourceRule({
  name: "ecs-cluster-container-insights",
  description:
    "ECS clusters have Container Insights on: the running-task alarm and the validator's task metrics come from it (Security Hub ECS.12, checkov CKV_AWS_65).",
  remediation: 'Set settings: [{ name: "containerInsights", value: "enabled" }] (or "enhanced") on the cluster.',
  severity: "medium",
  types: ["aws:ecs/cluster:Cluster"],
  validate(props, ctx) {
    const setting = arr(props.settings)
      .map(rec)
      .find((s) => s?.name === "containerInsights");
    const value = setting?.value;
    if (value !== "enabled" && value !== "enhanced") {
      ctx.report(
        `settings containerInsights is ${value === undefined ? "not set" : JSON.stringify(value)}; it must be "enabled" or "enhanced".`,
      );
    }
  },
});

export const ecsClusterPolicies: ResourceValidationPolicy[] = [ecsClusterContainerInsights];
