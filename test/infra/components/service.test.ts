import { describe, expect, it } from "vitest";
import { Service, type ServiceArgs } from "../../../infra/components";
import { SERVICE_DEFAULTS, serviceSettings } from "../../../infra/components/lib/serviceSettings";
import { DEFAULT_ALARMS } from "../../../infra/config";
import { childrenOf, componentOf, jsonInput, renderComponent, resourceNamed, resourcesOf, T } from "../../support/pulumi";

/** The fewest args a user of the component alone gives: names, a port, and the resources it attaches to. */
const minimal: ServiceArgs = {
  project: "shop",
  stack: "qa",
  serviceName: "api",
  imageTag: "v1",
  port: 8080,
  region: "eu-west-1",
  accountId: "123456789012",
  vpcId: "vpc-1",
  privateSubnetIds: ["subnet-a", "subnet-b"],
  albSecurityGroupId: "sg-alb",
  clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/qa",
  clusterName: "qa",
  targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/1",
  targetGroupArnSuffix: "targetgroup/api/1",
  loadBalancerArnSuffix: "app/qa/1",
  warningTopicArn: "arn:aws:sns:eu-west-1:123456789012:warning",
  criticalTopicArn: "arn:aws:sns:eu-west-1:123456789012:critical",
};

const render = (args: ServiceArgs) =>
  renderComponent(
    () => {
      const service = new Service("orders", args);
      return { taskDefinitionArn: service.taskDefinition.arn, securityGroupId: service.securityGroupId };
    },
    { region: "eu-west-1" },
  );

interface Container {
  name: string;
  image: string;
  portMappings: unknown[];
  healthCheck: { command: string[] };
  readonlyRootFilesystem: boolean;
  environment: unknown[];
  secrets: unknown[];
  logConfiguration: { options: Record<string, string> };
}

describe("the ECS Service component constructed alone", () => {
  it("declares exactly its children, named from the component's name and parented to it", async () => {
    const r = await render(minimal);
    const component = componentOf(r, "delivery:ecs:Service");
    expect([component.name, component.parent, childrenOf(r, component)]).toEqual([
      "orders",
      undefined,
      [
        [T.ecsService, "orders"],
        ["delivery:alarms:ServiceAlarms", "orders"],
        ["delivery:ecr:Repository", "orders"],
        ["delivery:iam:TaskRoles", "orders"],
        [T.egressRule, "orders-alb-to-service"],
        [T.egressRule, "orders-egress"],
        [T.ingressRule, "orders-from-alb"],
        [T.logGroup, "orders-logs"],
        [T.securityGroup, "orders-sg"],
        [T.taskDefinition, "orders-task"],
      ],
    ]);
  });

  it("applies the documented defaults: 256 CPU, 512 MiB, 1 task, /health, family, repository and log group from its name", async () => {
    const r = await render(minimal);
    const task = resourceNamed(r, T.taskDefinition, "orders-task");
    const [container] = jsonInput<Container[]>(task, "containerDefinitions");
    const service = resourceNamed(r, T.ecsService, "orders");
    const logs = resourceNamed(r, T.logGroup, "orders-logs");
    expect([
      task.inputs.family,
      task.inputs.cpu,
      task.inputs.memory,
      container.name,
      container.image,
      container.healthCheck.command[1],
      container.readonlyRootFilesystem,
      container.environment,
      container.secrets,
      container.logConfiguration.options["awslogs-group"],
      service.inputs.name,
      service.inputs.desiredCount,
      service.inputs.healthCheckGracePeriodSeconds,
      service.ignoreChanges,
      [logs.inputs.name, logs.inputs.retentionInDays],
      resourcesOf(r, "aws:ecr/repository:Repository")[0].inputs.name,
      resourcesOf(r, T.scalingTarget).length,
    ]).toEqual([
      "orders",
      "256",
      "512",
      "api",
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:v1",
      "curl -fsS -o /dev/null 'http://localhost:8080/health' || wget -q -O /dev/null 'http://localhost:8080/health' || exit 1",
      false,
      [],
      [],
      "/ecs/orders",
      "api",
      1,
      60,
      undefined,
      ["/ecs/orders", 30],
      "orders",
      0,
    ]);
  });

  it("lets the caller's args win over every default, and leaves the running count to autoscaling when it is on", async () => {
    const r = await render({
      ...minimal,
      cpu: 1024,
      memory: 2048,
      desiredCount: 2,
      healthCheckPath: "/ready",
      family: "shop-qa-api",
      repositoryName: "qa/api",
      logGroupName: "/ecs/shop/qa/api",
      logRetentionDays: 90,
      readonlyRootFilesystem: true,
      environment: { LOG_LEVEL: "debug" },
      autoscaling: { min: 2, max: 6, cpuTargetPercent: 55 },
    });
    const task = resourceNamed(r, T.taskDefinition, "orders-task");
    const [container] = jsonInput<Container[]>(task, "containerDefinitions");
    const service = resourceNamed(r, T.ecsService, "orders");
    const target = resourceNamed(r, T.scalingTarget, "orders-scaling");
    const policy = resourceNamed(r, T.scalingPolicy, "orders-cpu");
    expect([
      [task.inputs.family, task.inputs.cpu, task.inputs.memory],
      container.healthCheck.command[1].includes("http://localhost:8080/ready"),
      container.readonlyRootFilesystem,
      container.environment,
      service.inputs.desiredCount,
      service.ignoreChanges,
      [target.inputs.minCapacity, target.inputs.maxCapacity, target.inputs.resourceId],
      (policy.inputs.targetTrackingScalingPolicyConfiguration as { targetValue: number }).targetValue,
      resourceNamed(r, T.logGroup, "orders-logs").inputs.retentionInDays,
      resourcesOf(r, "aws:ecr/repository:Repository")[0].inputs.name,
    ]).toEqual([
      ["shop-qa-api", "1024", "2048"],
      true,
      true,
      [{ name: "LOG_LEVEL", value: "debug" }],
      2,
      ["desiredCount"],
      [2, 6, "service/qa/api"],
      55,
      90,
      "qa/api",
    ]);
  });

  it("opens the service's port to the load balancer's security group only", async () => {
    const r = await render(minimal);
    const from = resourceNamed(r, T.ingressRule, "orders-from-alb");
    expect([from.inputs.fromPort, from.inputs.toPort, from.inputs.referencedSecurityGroupId]).toEqual([8080, 8080, "sg-alb"]);
  });

  it("names the alarms from project, stack and service, with the default thresholds unless overridden", async () => {
    const names = (x: Awaited<ReturnType<typeof render>>) => resourcesOf(x, T.alarm).map((a) => a.inputs.name as string);
    const r = await render({ ...minimal, alarms: { cpuPercent: 95 } });
    const cpu = resourcesOf(r, T.alarm).find((a) => (a.inputs.name as string).endsWith("cpu-high"));
    expect([names(r).every((n) => n.startsWith("shop-qa-api-")), cpu?.inputs.threshold]).toEqual([true, 95]);
  });
});

describe("serviceSettings", () => {
  it("fills every default and keeps the minimum tasks at autoscaling's minimum", () => {
    expect(
      serviceSettings("orders", { serviceName: "api", region: "cn-north-1", autoscaling: { min: 3, max: 9, cpuTargetPercent: 60 } }),
    ).toEqual({
      name: "api",
      partition: "aws-cn",
      family: "orders",
      repositoryName: "orders",
      logGroupName: "/ecs/orders",
      healthCheckPath: SERVICE_DEFAULTS.healthCheckPath,
      cpu: 256,
      memory: 512,
      desiredCount: 1,
      autoscaling: { min: 3, max: 9, cpuTargetPercent: 60 },
      environment: {},
      secrets: {},
      readonlyRootFilesystem: false,
      alarms: DEFAULT_ALARMS,
      rolling: { maxSurge: 1, maxUnavailable: 0, minReadySeconds: 10 },
      minimumTasks: 3,
      logRetentionDays: 30,
      retainLogs: false,
      tags: {},
    });
  });
});
