import { describe, expect, it } from "vitest";
import { isTaggable, tagsRequired, UNTAGGABLE_TYPES } from "../../policy/tags";
import { checkResource, declaresTags } from "./helpers";

const ENV_TAGS = { environment: "prod", "managed-by": "pulumi", project: "delivery" };
const SERVICE_URN =
  "urn:pulumi:prod::delivery::delivery:env:Environment$delivery:ecs:Service$aws:ecs/taskDefinition:TaskDefinition::delivery-prod-api-task";
const ENV_URN = "urn:pulumi:prod::delivery::delivery:env:Environment$delivery:ecs:Cluster$aws:ecs/cluster:Cluster::delivery-prod-cluster";

describe("tags-required", () => {
  it("passes an environment resource with environment and managed-by", () => {
    expect(checkResource(tagsRequired, "aws:ecs/cluster:Cluster", { tags: ENV_TAGS }, { urn: ENV_URN })).toEqual({ violations: [] });
  });

  it("passes a service's resource with the service tag", () => {
    const props = { tags: { ...ENV_TAGS, service: "api" } };
    expect(checkResource(tagsRequired, "aws:ecs/taskDefinition:TaskDefinition", props, { urn: SERVICE_URN })).toEqual({ violations: [] });
  });

  it("reports a service's resource without the service tag", () => {
    expect(
      checkResource(tagsRequired, "aws:ecs/taskDefinition:TaskDefinition", { tags: ENV_TAGS }, { urn: SERVICE_URN }).violations,
    ).toEqual(["tags lack service; a service's resources carry environment, managed-by, service."]);
  });

  it("reports a resource with no tags", () => {
    expect(checkResource(tagsRequired, "aws:ecs/cluster:Cluster", {}, { urn: ENV_URN }).violations).toEqual([
      "tags lack environment, managed-by; every taggable resource carries environment, managed-by.",
    ]);
  });

  it("reports an empty tag value as missing", () => {
    expect(
      checkResource(tagsRequired, "aws:ecs/cluster:Cluster", { tags: { ...ENV_TAGS, environment: "" } }, { urn: ENV_URN }).violations,
    ).toEqual(["tags lack environment; every taggable resource carries environment, managed-by."]);
  });

  it.each([
    ["an untaggable AWS type", "aws:s3/bucketPolicy:BucketPolicy"],
    ["a component", "delivery:ecs:Service"],
    ["a provider", "pulumi:providers:aws"],
  ])("does not apply to %s", (_label, type) => {
    expect(checkResource(tagsRequired, type, {}).notApplicable).toBe(`does not apply to ${type}`);
  });
});

/** The AWS types the environment and the pipeline create (see test/policy/shippedStacks.test.ts for the rendered ones). */
const PROJECT_TYPES = [
  "aws:appautoscaling/target:Target",
  "aws:cloudwatch/eventRule:EventRule",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:codebuild/project:Project",
  "aws:codepipeline/pipeline:Pipeline",
  "aws:dynamodb/table:Table",
  "aws:ec2/eip:Eip",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/vpc:Vpc",
  "aws:ecr/repository:Repository",
  "aws:ecs/cluster:Cluster",
  "aws:ecs/service:Service",
  "aws:ecs/taskDefinition:TaskDefinition",
  "aws:iam/role:Role",
  "aws:kms/key:Key",
  "aws:lb/listener:Listener",
  "aws:lb/listenerRule:ListenerRule",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:lb/targetGroup:TargetGroup",
  "aws:s3/bucket:Bucket",
  "aws:sns/topic:Topic",
  "aws:ssm/parameter:Parameter",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
];

describe("the taggable-type list", () => {
  it.each([...UNTAGGABLE_TYPES])("%s really takes no tags", (type) => {
    expect(declaresTags(type)).toBe(false);
  });

  it.each(PROJECT_TYPES)("%s takes tags and the rule checks it", (type) => {
    expect([declaresTags(type), isTaggable(type)]).toEqual([true, true]);
  });
});
