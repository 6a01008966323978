import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceRule } from "./lib/define";
import { tagsOf, urnTypeChain } from "./lib/values";

/** Tags every taggable resource carries. */
export const REQUIRED_TAGS = ["environment", "managed-by"] as const;

/** Components that stand for one service: every taggable resource inside one also carries `service`. */
export const SERVICE_COMPONENT_TYPES = ["delivery:ecs:Service"];

/**
 * AWS resource types that take no `tags` input (settings of another resource, attachments, rules).
 * Every other `aws:` type is taggable; test/policy/tags.test.ts checks this list and the types the
 * shipped stacks render against @pulumi/aws's own type declarations.
 */
export const UNTAGGABLE_TYPES = new Set([
  "aws:appautoscaling/policy:Policy",
  "aws:cloudwatch/dashboard:Dashboard",
  "aws:cloudwatch/eventTarget:EventTarget",
  "aws:cloudwatch/logMetricFilter:LogMetricFilter",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
  "aws:ec2/route:Route",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
  "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy",
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
  "aws:iam/groupPolicy:GroupPolicy",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:kms/alias:Alias",
  "aws:lb/listenerCertificate:ListenerCertificate",
  "aws:lb/targetGroupAttachment:TargetGroupAttachment",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:sns/topicPolicy:TopicPolicy",
  "aws:sns/topicSubscription:TopicSubscription",
]);

export function isTaggable(type: string): boolean {
  return type.startsWith("aws:") && !UNTAGGABLE_TYPES.has(type);
}

export const tagsRequired = resourceRule({
  name: "tags-required",
  description:
    "Every taggable AWS resource carries the environment and managed-by tags, and the service tag when it belongs to a service (inside a delivery:ecs:Service component).",
  remediation:
    "Pass the component's tags (resourceTags(config.tags, service) in infra/components/lib/naming.ts) to the resource's tags input.",
  severity: "low",
  types: isTaggable,
  validate(props, ctx) {
    const tags = tagsOf(props);
    const inService = urnTypeChain(ctx.urn).some((t) => SERVICE_COMPONENT_TYPES.includes(t));
    const required = [...REQUIRED_TAGS, ...(inService ? ["service"] : [])];
    const missing = required.filter((k) => !tags[k]);
    if (missing.length > 0)
      ctx.report(
        `tags lack ${missing.join(", ")}; ${inService ? "a service's resources carry" : "every taggable resource carries"} ${required.join(", ")}.`,
      );
  },
});

export const tagsPolicies: ResourceValidationPolicy[] = [tagsRequired];
