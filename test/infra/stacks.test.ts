import { beforeAll, describe, expect, it } from "vitest";
import { countByType, renderStack, type RenderedStack, STACKS } from "../support/pulumi";

/**
 * Exact resource counts of the four stacks as their stack files configure them (two services:
 * api with a path rule, web as the default route). Worked out per component:
 * - Network (created): VPC, 4 subnets, IGW, 3 route tables (public + one per private subnet),
 *   3 default routes, 4 associations, and NAT + EIP x1 (x2 in prod).
 * - LoadBalancer: SG, port-80 ingress, ALB; prod adds the access-log SecureBucket (5 resources).
 * - Routing: a target group per service, the HTTP listener, one rule (api; web is the default).
 * - Alerts: 2 topics, 2 topic policies, 2 email subscriptions per address (local lists none).
 * - EnvironmentAlarms: the task-stop events' log group, its resource policy (EventBridge writes),
 *   the EventBridge rule and its target, the metric filter; prod (HTTPS) adds the certificate-expiry alarm.
 * - ChatOps (staging and prod set delivery:notifications.slack): the Chatbot role, its read-only
 *   policy attachment, the Slack channel configuration.
 * - History (not local): SecureBucket (bucket, public access block, encryption, versioning,
 *   lifecycle, policy) and the lock table.
 * - Per service: SG + 1 ingress + 2 egress, Repository (repo + lifecycle), log group, TaskRoles
 *   (2 roles + 1 policy), task definition, 10 alarms, ECS service; staging/prod add a scaling
 *   target and policy.
 */
const dev: Record<string, number> = {
  "aws:cloudwatch/dashboard:Dashboard": 1,
  "aws:cloudwatch/eventRule:EventRule": 1,
  "aws:cloudwatch/eventTarget:EventTarget": 1,
  "aws:cloudwatch/logGroup:LogGroup": 3,
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": 1,
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": 1,
  "aws:cloudwatch/metricAlarm:MetricAlarm": 20,
  "aws:dynamodb/table:Table": 1,
  "aws:ec2/eip:Eip": 1,
  "aws:ec2/internetGateway:InternetGateway": 1,
  "aws:ec2/natGateway:NatGateway": 1,
  "aws:ec2/route:Route": 3,
  "aws:ec2/routeTable:RouteTable": 3,
  "aws:ec2/routeTableAssociation:RouteTableAssociation": 4,
  "aws:ec2/securityGroup:SecurityGroup": 3,
  "aws:ec2/subnet:Subnet": 4,
  "aws:ec2/vpc:Vpc": 1,
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": 2,
  "aws:ecr/repository:Repository": 2,
  "aws:ecs/cluster:Cluster": 1,
  "aws:ecs/service:Service": 2,
  "aws:ecs/taskDefinition:TaskDefinition": 2,
  "aws:iam/role:Role": 4,
  "aws:iam/rolePolicy:RolePolicy": 2,
  "aws:kms/alias:Alias": 1,
  "aws:kms/key:Key": 1,
  "aws:lb/listener:Listener": 1,
  "aws:lb/listenerRule:ListenerRule": 1,
  "aws:lb/loadBalancer:LoadBalancer": 1,
  "aws:lb/targetGroup:TargetGroup": 2,
  "aws:s3/bucket:Bucket": 1,
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
  "aws:s3/bucketPolicy:BucketPolicy": 1,
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
  "aws:s3/bucketVersioning:BucketVersioning": 1,
  "aws:sns/topic:Topic": 2,
  "aws:sns/topicPolicy:TopicPolicy": 2,
  "aws:sns/topicSubscription:TopicSubscription": 2,
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 4,
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 3,
  "delivery:alarms:EnvironmentAlarms": 1,
  "delivery:alarms:ServiceAlarms": 2,
  "delivery:alerts:Alerts": 1,
  "delivery:ecr:Repository": 2,
  "delivery:ecs:Cluster": 1,
  "delivery:ecs:Service": 2,
  "delivery:env:Environment": 1,
  "delivery:history:History": 1,
  "delivery:iam:TaskRoles": 2,
  "delivery:lb:LoadBalancer": 1,
  "delivery:lb:Routing": 1,
  "delivery:monitoring:Dashboard": 1,
  "delivery:network:Network": 1,
  "delivery:security:Key": 1,
  "delivery:storage:SecureBucket": 1,
};

const without = (counts: Record<string, number>, ...types: string[]) =>
  Object.fromEntries(Object.entries(counts).filter(([t]) => !types.includes(t)));
const sorted = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));

const local = without(
  dev,
  "aws:dynamodb/table:Table",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:sns/topicSubscription:TopicSubscription",
  "delivery:history:History",
  "delivery:storage:SecureBucket",
);
const staging = {
  ...dev,
  "aws:appautoscaling/policy:Policy": 2,
  "aws:appautoscaling/target:Target": 2,
  "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": 1,
  "aws:iam/role:Role": 5,
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
  "delivery:alerts:ChatOps": 1,
};
// prod has a certificate: an HTTPS listener beside the HTTP one (a redirect), 443 opened, and its expiry alarm.
const prod = {
  ...staging,
  "aws:cloudwatch/metricAlarm:MetricAlarm": 21,
  "aws:lb/listener:Listener": 2,
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 4,
  "aws:ec2/eip:Eip": 2,
  "aws:ec2/natGateway:NatGateway": 2,
  "aws:s3/bucket:Bucket": 2,
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 2,
  "aws:s3/bucketPolicy:BucketPolicy": 2,
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 2,
  "delivery:storage:SecureBucket": 2,
  // prod deploys both services as canaries (the prod tier's default strategy): per service an
  // alternate target group, and weighted production and test rules (api's production rule is its
  // path rule; web, the default route, gets a catch-all one): 2 target groups and 3 rules more.
  // Once per environment, ProgressiveDelivery: the hook function, its log group, and three roles
  // with a policy each (the function's, ECS invoking it, ECS moving load balancer weights).
  "aws:lb/targetGroup:TargetGroup": 4,
  "aws:lb/listenerRule:ListenerRule": 4,
  "aws:lambda/function:Function": 1,
  "aws:cloudwatch/logGroup:LogGroup": 4,
  "aws:iam/role:Role": 8,
  "aws:iam/rolePolicy:RolePolicy": 5,
  "delivery:deploy:ProgressiveDelivery": 1,
};

/**
 * The delivery pipeline adds: a BuildProject per service build, test suite, deploy and validate
 * (each: log group, role, role policy, project); the artifact SecureBucket (6 resources, versioned);
 * the pipeline role, its policy and the pipeline; PipelineEvents (2 rules, 2 targets); with approval,
 * a topic and one subscription per approver.
 */
function withPipeline(counts: Record<string, number>, projects: number, approvers: number): Record<string, number> {
  const add = (type: string, n: number) => (n === 0 ? {} : { [type]: (counts[type] ?? 0) + n });
  return {
    ...counts,
    ...add("delivery:pipeline:DeliveryPipeline", 1),
    ...add("delivery:pipeline:BuildProject", projects),
    ...add("aws:cloudwatch/logGroup:LogGroup", projects),
    ...add("aws:iam/role:Role", projects + 1),
    ...add("aws:iam/rolePolicy:RolePolicy", projects + 1),
    ...add("aws:codebuild/project:Project", projects),
    ...add("aws:codepipeline/pipeline:Pipeline", 1),
    ...add("delivery:storage:SecureBucket", 1),
    ...add("aws:s3/bucket:Bucket", 1),
    ...add("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", 1),
    ...add("aws:s3/bucketPolicy:BucketPolicy", 1),
    ...add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", 1),
    ...add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", 1),
    ...add("aws:s3/bucketVersioning:BucketVersioning", 1),
    ...add("delivery:pipeline:PipelineEvents", 1),
    ...add("aws:cloudwatch/eventRule:EventRule", 2),
    ...add("aws:cloudwatch/eventTarget:EventTarget", 2),
    ...add("aws:sns/topic:Topic", approvers > 0 ? 1 : 0),
    ...add("aws:sns/topicSubscription:TopicSubscription", approvers),
  };
}

/** A service with a migration (api in dev, staging and prod) adds a MigrationTask: its log group, task definition and log policy. */
function withMigration(counts: Record<string, number>): Record<string, number> {
  const add = (type: string) => ({ [type]: (counts[type] ?? 0) + 1 });
  return {
    ...counts,
    ...add("delivery:ecs:MigrationTask"),
    ...add("aws:cloudwatch/logGroup:LogGroup"),
    ...add("aws:ecs/taskDefinition:TaskDefinition"),
    ...add("aws:iam/rolePolicy:RolePolicy"),
  };
}

// local: 2 builds + 1 suite (the default) + deploy + validate; the cloud stacks: 2 builds + 3 suites + 2.
const expected: Record<(typeof STACKS)[number], { total: number; counts: Record<string, number> }> = {
  local: { total: 140, counts: withPipeline(local, 5, 0) },
  dev: { total: 165, counts: withMigration(withPipeline(dev, 7, 0)) },
  staging: { total: 173, counts: withMigration(withPipeline(staging, 7, 0)) },
  prod: { total: 200, counts: withMigration(withPipeline(prod, 7, 1)) },
};

describe("the four stacks render with exact resource counts", () => {
  const rendered = new Map<string, RenderedStack>();
  beforeAll(async () => {
    for (const stack of STACKS) rendered.set(stack, await renderStack(stack));
  });

  it.each(STACKS)("%s has exactly the expected resources of each type", (stack) => {
    expect(countByType(rendered.get(stack) as RenderedStack)).toEqual(sorted(expected[stack].counts));
  });

  it.each(STACKS)("%s has the expected total", (stack) => {
    expect(rendered.get(stack)?.resources.length).toBe(expected[stack].total);
  });
});
