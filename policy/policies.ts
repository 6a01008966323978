import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { alarmsPolicies } from "./alarms";
import { albPolicies } from "./alb";
import { codebuildPolicies } from "./codebuild";
import { codepipelinePolicies } from "./codepipeline";
import { ecrPolicies } from "./ecr";
import { ecsClusterPolicies } from "./ecsCluster";
import { ecsServicePolicies } from "./ecsService";
import { ecsTaskPolicies } from "./ecsTask";
import { iamPolicies } from "./iam";
import { logsPolicies } from "./logs";
import { s3Policies } from "./s3";
import { snsPolicies } from "./sns";
import { tagsPolicies } from "./tags";

export type DeliveryPolicy = ResourceValidationPolicy | StackValidationPolicy;

/**
 * Every rule of the `delivery` policy pack, importable without side effects: policy/index.ts serves
 * them to `pulumi preview --policy-pack policy`, infra/synth/policy.ts evaluates the same objects
 * offline for `deployctl synth`.
 */
export const policies: readonly DeliveryPolicy[] = [
  ...ecrPolicies,
  ...s3Policies,
  ...logsPolicies,
  ...snsPolicies,
  ...iamPolicies,
  ...ecsTaskPolicies,
  ...ecsServicePolicies,
  ...ecsClusterPolicies,
  ...albPolicies,
  ...codebuildPolicies,
  ...codepipelinePolicies,
  ...alarmsPolicies,
  ...tagsPolicies,
];

export function isStackPolicy(p: DeliveryPolicy): p is StackValidationPolicy {
  return "validateStack" in p && typeof p.validateStack === "function";
}
