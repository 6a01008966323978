import { describe, expect, it } from "vitest";
import type { SynthDocument } from "../../infra/synth/synth";
import { DeliveryMocks } from "../../infra/synth/mocks";
import { keyPolicyStatements, normaliseDocument } from "../../validators/promote/normalise";
import { pathRule, presenceRule, pruneInputs } from "../../validators/promote/tierRules";

function doc(stack: string, resources: SynthDocument["resources"], tier = stack): SynthDocument {
  return {
    schemaVersion: 1,
    project: "delivery",
    stack,
    tier,
    region: "us-east-1",
    summary: { stack, tier, region: "us-east-1", resourceCount: resources.length, resourcesByType: {}, services: [] },
    resources,
    outputs: {},
    policy: { violations: [] },
  };
}

/** The id the offline renderer gives a resource (what other resources' inputs then carry). */
function mockId(type: string, name: string): string {
  return new DeliveryMocks("us-east-1").newResource({ type, name, inputs: {}, custom: true }).id ?? "";
}

describe("normaliseDocument", () => {
  it("writes the stack name as {stack} where it stands as a whole word, in names and values", () => {
    const out = normaliseDocument(
      doc("prod", [
        { type: "aws:s3/bucket:Bucket", name: "delivery-prod-records", inputs: { path: "/delivery/prod/api", word: "prodigy" } },
      ]),
    );

    expect(out.resources).toEqual([
      { type: "aws:s3/bucket:Bucket", name: "delivery-{stack}-records", inputs: { path: "/delivery/{stack}/api", word: "prodigy" } },
    ]);
  });

  it("writes the tier name as {tier} when the stack has another name", () => {
    const out = normaliseDocument(
      doc("prod-eu", [{ type: "aws:s3/bucket:Bucket", name: "delivery-prod-eu-records", inputs: { tier: "prod" } }], "prod"),
    );

    expect(out.resources[0]).toEqual({ type: "aws:s3/bucket:Bucket", name: "delivery-{stack}-records", inputs: { tier: "{tier}" } });
  });

  it("replaces an id the renderer derived from another resource's name with a reference to that resource", () => {
    const vpcId = mockId("aws:ec2/vpc:Vpc", "delivery-staging-vpc");
    const out = normaliseDocument(
      doc("staging", [
        { type: "aws:ec2/vpc:Vpc", name: "delivery-staging-vpc", inputs: {} },
        { type: "aws:ec2/subnet:Subnet", name: "delivery-staging-private-1", inputs: { vpcId } },
      ]),
    );

    expect(vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(out.resources[1]?.inputs).toEqual({ vpcId: "vpc-{ref:delivery-{stack}-vpc}" });
  });

  it("writes ECR image tags and task definition revisions as placeholders", () => {
    const out = normaliseDocument(
      doc("staging", [
        {
          type: "aws:ecs/service:Service",
          name: "delivery-staging-api",
          inputs: {
            image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/staging/delivery/api:sha-3f9c2a1",
            taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/delivery-staging-api:29",
          },
        },
      ]),
    );

    expect(out.resources[0]?.inputs).toEqual({
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/{stack}/delivery/api:{image-tag}",
      taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/delivery-{stack}-api:{revision}",
    });
  });

  it("parses JSON strings and turns name/value lists into maps by name", () => {
    const containers = JSON.stringify([
      { name: "api", environment: [{ name: "LOG_LEVEL", value: "info" }], secrets: [{ name: "DB", valueFrom: "/delivery/staging/db" }] },
    ]);
    const out = normaliseDocument(
      doc("staging", [{ type: "aws:ecs/taskDefinition:TaskDefinition", name: "t", inputs: { containerDefinitions: containers } }]),
    );

    expect(out.resources[0]?.inputs).toEqual({
      containerDefinitions: [{ name: "api", environment: { LOG_LEVEL: "info" }, secrets: { DB: "/delivery/{stack}/db" } }],
    });
  });
});

describe("the tier rules", () => {
  it.each([
    ["aws:ecs/service:Service", "delivery-{stack}-api", "desiredCount", "desired counts"],
    ["aws:ecs/taskDefinition:TaskDefinition", "delivery-{stack}-api-task", "containerDefinitions[0].memory", "task sizes (CPU, memory)"],
    ["aws:appautoscaling/target:Target", "delivery-{stack}-api-scaling", "maxCapacity", "autoscaling bounds and target"],
    ["aws:cloudwatch/logGroup:LogGroup", "delivery-{stack}-api-logs", "kmsKeyId", "log retention and log encryption"],
    ["aws:lb/loadBalancer:LoadBalancer", "delivery-{stack}-alb", "accessLogs.bucket", "load balancer access-log bucket"],
    [
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      "delivery-{stack}-api-running-tasks-low",
      "threshold",
      "alarm thresholds tied to task counts",
    ],
    ["aws:ec2/route:Route", "delivery-{stack}-private-2-default", "natGatewayId", "NAT gateway count"],
  ])("explain a %s's %s difference at %s (%s)", (type, name, path, what) => {
    expect(pathRule(type, name, path)?.what).toBe(what);
  });

  it.each([
    ["aws:ecs/taskDefinition:TaskDefinition", "delivery-{stack}-api-task", "containerDefinitions[0].environment.LOG_LEVEL"],
    ["aws:cloudwatch/metricAlarm:MetricAlarm", "delivery-{stack}-api-error-rate-critical", "threshold"],
    ["aws:ecs/service:Service", "delivery-{stack}-api", "healthCheckGracePeriodSeconds"],
  ])("do not explain a %s's %s difference at %s", (type, name, path) => {
    expect(pathRule(type, name, path)).toBeUndefined();
  });

  it("explain a second NAT gateway and the access-log bucket, not a second alert subscription", () => {
    expect([
      presenceRule("aws:ec2/natGateway:NatGateway", "delivery-{stack}-nat-2")?.what,
      presenceRule("aws:s3/bucket:Bucket", "delivery-{stack}-access-logs")?.what,
      presenceRule("aws:sns/topicSubscription:TopicSubscription", "delivery-{stack}-critical-email-2")?.what,
    ]).toEqual(["NAT gateway count", "load balancer access-log bucket", undefined]);
  });

  it("prune the pipeline's approval stage before the diff", () => {
    const stages = [
      { name: "Build", actions: [{ category: "Build" }] },
      { name: "Approval", actions: [{ category: "Approval" }] },
      { name: "Deploy", actions: [{ category: "Build" }] },
    ];

    const out = pruneInputs("aws:codepipeline/pipeline:Pipeline", "delivery-{stack}-pipeline", { stages });

    expect(out).toEqual({ inputs: { stages: [stages[0], stages[2]] }, pruned: [{ what: "pipeline approval stage and topic", count: 1 }] });
  });
});

describe("normalising only whole identifiers and path segments", () => {
  it("leaves /dev/null alone in the dev stack while /delivery/dev/... and delivery-dev-... become {stack}", () => {
    const out = normaliseDocument(
      doc("dev", [
        {
          type: "aws:ecs/taskDefinition:TaskDefinition",
          name: "delivery-dev-api-task",
          inputs: {
            containerDefinitions: JSON.stringify([
              { healthCheck: { command: ["CMD-SHELL", "curl -fsS -o /dev/null http://localhost/health || exit 1"] } },
            ]),
            log: "/delivery/dev/api",
            quoted: "'/dev/stdout'",
            file: "/dev/null",
          },
        },
      ]),
    );

    expect(out.resources[0]).toEqual({
      type: "aws:ecs/taskDefinition:TaskDefinition",
      name: "delivery-{stack}-api-task",
      inputs: {
        containerDefinitions: [{ healthCheck: { command: ["CMD-SHELL", "curl -fsS -o /dev/null http://localhost/health || exit 1"] } }],
        log: "/delivery/{stack}/api",
        quoted: "'/dev/stdout'",
        file: "/dev/null",
      },
    });
  });
});

describe("keyPolicyStatements", () => {
  it("keys statements by Sid, else by effect and actions, numbering repeats", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "Logs", Effect: "Allow", Action: ["logs:PutLogEvents"], Resource: "*" },
        { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "arn:x" },
        { Effect: "Deny", NotAction: ["iam:*"], Resource: "*" },
      ],
    };

    expect(keyPolicyStatements({ name: "r", policy })).toEqual({
      name: "r",
      policy: {
        Version: "2012-10-17",
        Statement: {
          Logs: policy.Statement[0],
          "Allow ecr:GetAuthorizationToken": policy.Statement[1],
          "Allow ecr:GetAuthorizationToken #2": policy.Statement[2],
          "Deny not iam:*": policy.Statement[3],
        },
      },
    });
  });

  it("leaves a Statement list that is not IAM statements alone", () => {
    expect(keyPolicyStatements({ Statement: ["a", "b"] })).toEqual({ Statement: ["a", "b"] });
  });
});
