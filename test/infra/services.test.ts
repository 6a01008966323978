import { beforeAll, describe, expect, it } from "vitest";
import {
  ecsDeployment,
  jsonInput,
  renderStack,
  type RenderedResource,
  type RenderedStack,
  resourceNamed,
  resourcesOf,
  STACKS,
  T,
} from "../support/pulumi";

const rendered = new Map<string, RenderedStack>();
beforeAll(async () => {
  for (const stack of STACKS) rendered.set(stack, await renderStack(stack));
});
const get = (stack: string) => rendered.get(stack) as RenderedStack;
const ecsServices = (stack: string) => resourcesOf(get(stack), T.ecsService);
const alarmNamed = (stack: string, name: string) =>
  resourcesOf(get(stack), T.alarm).find((a) => a.inputs.name === name) as RenderedResource;

describe.each(STACKS)("every ECS service of %s", (stack) => {
  it("has the deployment circuit breaker with rollback", () => {
    expect(ecsServices(stack).map((s) => s.inputs.deploymentCircuitBreaker)).toEqual([
      { enable: true, rollback: true },
      { enable: true, rollback: true },
    ]);
  });

  it("rolls back on its critical release alarms", () => {
    expect(ecsServices(stack).map((s) => [s.inputs.name, s.inputs.alarms])).toEqual(
      ["api", "web"].map((svc) => [
        svc,
        {
          alarmNames: [
            `delivery-${stack}-${svc}-error-rate-critical`,
            `delivery-${stack}-${svc}-latency-p99`,
            `delivery-${stack}-${svc}-unhealthy-hosts`,
          ],
          enable: true,
          rollback: true,
        },
      ]),
    );
  });

  it("names deployment alarms that exist and notify the critical topic", () => {
    const critical = ecsDeployment(get(stack)).alerts.criticalTopicArn;
    const names = ecsServices(stack).flatMap((s) => (s.inputs.alarms as { alarmNames: string[] }).alarmNames);
    expect(names.map((n) => alarmNamed(stack, n)?.inputs.alarmActions)).toEqual(names.map(() => [critical]));
  });

  it("never drops below desired and starts one extra task at a time during a rolling update", () => {
    // maxSurge 1 of the lowest desired count: 1 task (local, dev) 200 %, 2 (staging's autoscaling min) 150 %, 3 (prod's) 134 %.
    const maximum = { local: 200, dev: 200, staging: 150, prod: 134 }[stack];
    expect(ecsServices(stack).map((s) => [s.inputs.deploymentMinimumHealthyPercent, s.inputs.deploymentMaximumPercent])).toEqual([
      [100, maximum],
      [100, maximum],
    ]);
  });

  it("runs on Fargate in private subnets without a public IP", () => {
    const privateSubnets = resourcesOf(get(stack), T.subnet)
      .filter((s) => s.name.includes("-private-"))
      .map((s) => s.id);
    for (const s of ecsServices(stack)) {
      expect([s.inputs.launchType, s.inputs.platformVersion, s.inputs.networkConfiguration]).toEqual([
        "FARGATE",
        "LATEST",
        { assignPublicIp: false, securityGroups: [expect.stringMatching(/^sg-/)], subnets: privateSubnets },
      ]);
    }
  });

  it("does not wait for steady state and propagates the service's tags", () => {
    expect(ecsServices(stack).map((s) => [s.inputs.waitForSteadyState, s.inputs.propagateTags])).toEqual([
      [false, "SERVICE"],
      [false, "SERVICE"],
    ]);
  });

  it("scans images on push into immutable repositories", () => {
    expect(
      resourcesOf(get(stack), T.repository).map((r) => [r.inputs.name, r.inputs.imageScanningConfiguration, r.inputs.imageTagMutability]),
    ).toEqual([
      [`${stack}/delivery/api`, { scanOnPush: true }, "IMMUTABLE"],
      [`${stack}/delivery/web`, { scanOnPush: true }, "IMMUTABLE"],
    ]);
  });
});

describe("sizing, autoscaling and retention follow the tier", () => {
  it.each([
    ["local", 1, "256", "512"],
    ["dev", 1, "256", "512"],
    ["staging", 2, "256", "512"],
    ["prod", 3, "512", "1024"],
  ])("%s runs %i task(s) of %s CPU / %s MiB", (stack, tasks, cpu, memory) => {
    const api = resourceNamed(get(stack), T.ecsService, `delivery-${stack}-api`);
    const task = resourceNamed(get(stack), T.taskDefinition, `delivery-${stack}-api-task`);
    expect([api.inputs.desiredCount, task.inputs.cpu, task.inputs.memory]).toEqual([tasks, cpu, memory]);
  });

  it.each([
    ["local", []],
    ["dev", []],
    [
      "staging",
      [
        [2, 5, 60],
        [2, 5, 60],
      ],
    ],
    [
      "prod",
      [
        [3, 20, 60],
        [3, 20, 60],
      ],
    ],
  ])("%s autoscaling (min, max, CPU target): %j", (stack, bounds) => {
    const targets = resourcesOf(get(stack), T.scalingTarget);
    const policies = resourcesOf(get(stack), T.scalingPolicy);
    const target = (p: RenderedResource) =>
      p.inputs.targetTrackingScalingPolicyConfiguration as {
        targetValue: number;
        predefinedMetricSpecification: { predefinedMetricType: string };
      };
    expect(targets.map((t, i) => [t.inputs.minCapacity, t.inputs.maxCapacity, target(policies[i]).targetValue])).toEqual(bounds);
    expect(policies.map((p) => target(p).predefinedMetricSpecification.predefinedMetricType)).toEqual(
      bounds.map(() => "ECSServiceAverageCPUUtilization"),
    );
  });

  it("scales the ECS service it belongs to", () => {
    expect(resourcesOf(get("prod"), T.scalingTarget).map((t) => [t.inputs.resourceId, t.inputs.scalableDimension])).toEqual([
      ["service/delivery-prod/api", "ecs:service:DesiredCount"],
      ["service/delivery-prod/web", "ecs:service:DesiredCount"],
    ]);
  });

  it.each([
    ["local", 1, false],
    ["dev", 14, false],
    ["staging", 90, false],
    ["prod", 365, true],
  ])("%s keeps logs %i days (KMS-encrypted: %s), the pipeline's CodeBuild logs too", (stack, days, encrypted) => {
    const logs = resourcesOf(get(stack), T.logGroup);
    const suites = stack === "local" ? ["unit"] : ["unit", "integration", "security"];
    const projects = ["build-api", "build-web", ...suites.map((s) => `test-${s}`), "deploy", "validate"];
    const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect(logs.map((l) => [l.inputs.name, l.inputs.retentionInDays, typeof l.inputs.kmsKeyId === "string"]).sort(byName)).toEqual(
      [
        [`/ecs/delivery/${stack}/api`, days, encrypted],
        [`/ecs/delivery/${stack}/web`, days, encrypted],
        // dev, staging and prod run api's migration, with its own log group.
        ...(stack === "local" ? [] : [[`/ecs/delivery/${stack}/api-migration`, days, encrypted]]),
        ...projects.map((p) => [`/aws/codebuild/delivery-${stack}-pipeline-${p}`, days, encrypted]),
        // EventBridge's essential-container exits (the task-stops alarms count them).
        [`/aws/events/delivery/${stack}/task-stops`, days, encrypted],
        // prod's canaries: the lifecycle hook function's log group.
        ...(stack === "prod" ? [["/aws/lambda/delivery-prod-canary-hook", days, encrypted]] : []),
      ].sort(byName),
    );
  });

  it.each([
    ["local", false, true],
    ["dev", false, true],
    ["staging", false, true],
    ["prod", true, false],
  ])("%s: ALB deletion protection %s, ECR force delete %s", (stack, protection, forceDelete) => {
    const alb = resourcesOf(get(stack), T.alb)[0];
    expect([alb.inputs.enableDeletionProtection, ...resourcesOf(get(stack), T.repository).map((r) => r.inputs.forceDelete)]).toEqual([
      protection,
      forceDelete,
      forceDelete,
    ]);
  });

  it("protects and backs up the prod lock table; keyed on lockId with a TTL on the lease end", () => {
    const table = resourcesOf(get("prod"), T.table)[0];
    expect([
      table.inputs.hashKey,
      table.inputs.attributes,
      table.inputs.ttl,
      table.inputs.pointInTimeRecovery,
      table.inputs.deletionProtectionEnabled,
    ]).toEqual(["lockId", [{ name: "lockId", type: "S" }], { attributeName: "expiresEpoch", enabled: true }, { enabled: true }, true]);
  });

  it("does not back up the dev lock table", () => {
    expect(resourcesOf(get("dev"), T.table)[0].inputs.pointInTimeRecovery).toEqual({ enabled: false });
  });
});

describe("alarm thresholds per tier", () => {
  it.each([
    ["local", 100],
    ["dev", 100],
    ["staging", 50],
    ["prod", 100],
  ])("%s computes the error rate above %i requests", (stack, minRequests) => {
    const alarm = alarmNamed(stack, `delivery-${stack}-api-error-rate-critical`);
    const rate = (alarm.inputs.metricQueries as { id: string; expression?: string }[]).find((q) => q.id === "rate");
    expect(rate?.expression).toBe(`IF(requests >= ${minRequests}, 100 * FILL(errors, 0) / requests, 0)`);
  });

  it.each(STACKS)("%s alarms at 1%% / 5%% errors, p95 0.5 s, p99 1 s, CPU and memory 80%%, 5-minute window", (stack) => {
    const threshold = (alarm: string) => {
      const a = alarmNamed(stack, `delivery-${stack}-web-${alarm}`);
      return [a.inputs.threshold, a.inputs.period ?? (a.inputs.metricQueries as { metric?: { period: number } }[])[1].metric?.period];
    };
    expect(["error-rate-warning", "error-rate-critical", "latency-p95", "latency-p99", "cpu-high", "memory-high"].map(threshold)).toEqual([
      [1, 300],
      [5, 300],
      [0.5, 300],
      [1, 300],
      [80, 60],
      [80, 60],
    ]);
  });

  it.each([
    ["local", 1],
    ["dev", 1],
    ["staging", 2],
    ["prod", 3],
  ])("%s alarms when fewer than %i task(s) run", (stack, tasks) => {
    expect(alarmNamed(stack, `delivery-${stack}-api-running-tasks-low`).inputs.threshold).toBe(tasks);
  });

  it("sends warning alarms to the warning topic, on alarm and on OK", () => {
    const warning = ecsDeployment(get("dev")).alerts.warningTopicArn;
    const alarm = alarmNamed("dev", "delivery-dev-api-latency-p95");
    expect([alarm.inputs.alarmActions, alarm.inputs.okActions, alarm.inputs.extendedStatistic]).toEqual([[warning], [warning], "p95"]);
  });
});

describe("task definitions", () => {
  it("run the configured tag from the service's own repository, with its secrets by ARN", () => {
    const [container] = jsonInput<{ image: string; secrets: unknown[] }[]>(
      resourceNamed(get("prod"), T.taskDefinition, "delivery-prod-api-task"),
      "containerDefinitions",
    );
    expect([container.image, container.secrets]).toEqual([
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/prod/delivery/api:sha-3f9c2a1",
      [{ name: "DATABASE_URL", valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/delivery/prod/api/database-url" }],
    ]);
  });

  it("use the service's own roles, awsvpc and Fargate", () => {
    const task = resourceNamed(get("dev"), T.taskDefinition, "delivery-dev-web-task");
    expect([
      task.inputs.family,
      task.inputs.networkMode,
      task.inputs.requiresCompatibilities,
      task.inputs.executionRoleArn,
      task.inputs.taskRoleArn,
    ]).toEqual([
      "delivery-dev-web",
      "awsvpc",
      ["FARGATE"],
      `arn:aws:iam::123456789012:role/${resourceNamed(get("dev"), T.role, "delivery-dev-web-execution-role").id}`,
      `arn:aws:iam::123456789012:role/${resourceNamed(get("dev"), T.role, "delivery-dev-web-task-role").id}`,
    ]);
  });
});
