import { describe, expect, it } from "vitest";
import { parseEnvironmentConfig } from "../../infra/config";
import { problemsOf, rawConfig, service } from "./helpers";

/** The provider settings the local tier requires (every service at the emulator). */
function emulator(): Record<string, unknown> {
  const services = [
    "appautoscaling",
    "cloudwatch",
    "codebuild",
    "codepipeline",
    "dynamodb",
    "ec2",
    "ecr",
    "ecs",
    "elbv2",
    "events",
    "iam",
    "kms",
    "logs",
    "s3",
    "sns",
    "ssm",
    "sts",
  ];
  return {
    "aws:endpoints": [Object.fromEntries(services.map((k) => [k, "http://localhost:4566"]))],
    "aws:skipCredentialsValidation": true,
    "aws:skipRequestingAccountId": true,
  };
}

describe("parseEnvironmentConfig rejects bad config with one line per problem", () => {
  const cases: { name: string; delivery: Record<string, unknown>; options?: Parameters<typeof rawConfig>[1]; expected: string[] }[] = [
    {
      name: "unknown tier",
      delivery: { tier: "qa", services: [service()] },
      expected: ['Pulumi.dev.yaml: delivery:tier is "qa"; expected one of local, dev, staging, prod.'],
    },
    {
      name: "missing tier",
      delivery: { services: [service()] },
      expected: ["Pulumi.dev.yaml: delivery:tier is missing; set it to one of local, dev, staging, prod."],
    },
    {
      name: "missing services",
      delivery: { tier: "dev" },
      expected: ["Pulumi.dev.yaml: delivery:services is missing; list at least one service (name, image, port)."],
    },
    {
      name: "missing service name",
      delivery: { tier: "dev", services: [service({ name: undefined })] },
      expected: ["Pulumi.dev.yaml: delivery:services[0].name is missing; it is required (expected a DNS-safe name)."],
    },
    {
      name: "an image repository with characters no registry takes",
      delivery: { tier: "dev", services: [service({ image: { repository: "Delivery/API", tag: "v1" } })] },
      expected: [
        `Pulumi.dev.yaml: delivery:services[0].image.repository is "Delivery/API"; expected an image repository: lowercase letters, digits, '.', '_', '-' and '/' (on Docker and Kubernetes it may start with a registry's host:port/, as in localhost:5000/delivery/api).`,
      ],
    },
    {
      name: "a registry's host:port in an ECS image repository (ECS takes the ECR repository name)",
      delivery: { tier: "dev", services: [service({ image: { repository: "localhost:5000/delivery/api", tag: "v1" } })] },
      expected: [
        `Pulumi.dev.yaml: delivery:services[0].image.repository is "localhost:5000/delivery/api"; on ECS it is the name of the ECR repository the stack creates, so it takes no registry "localhost:5000": remove it (a registry's host:port/ is for Docker and Kubernetes stacks).`,
      ],
    },
    {
      name: "a name that is not DNS-safe",
      delivery: { tier: "dev", services: [service({ name: "My_API" })] },
      expected: [
        `Pulumi.dev.yaml: delivery:services[0].name is "My_API"; expected a DNS-safe name: 1 to 24 lowercase letters, digits or '-', starting with a letter.`,
      ],
    },
    {
      name: "duplicate service names",
      delivery: { tier: "dev", services: [service(), service({ path: "/v2/*" })] },
      expected: ['Pulumi.dev.yaml: delivery:services[1].name is "api"; service names must be unique (delivery:services[0] has it too).'],
    },
    {
      name: "a non-positive desired count",
      delivery: { tier: "dev", services: [service({ desiredCount: 0 })] },
      expected: ["Pulumi.dev.yaml: delivery:services[0].desiredCount is 0; must be a whole number of tasks from 1 to 5000."],
    },
    {
      name: "a port out of range",
      delivery: { tier: "dev", services: [service({ port: 0 })] },
      expected: ["Pulumi.dev.yaml: delivery:services[0].port is 0; must be a port from 1 to 65535."],
    },
    {
      name: "a CPU size Fargate does not have",
      delivery: { tier: "prod", services: [service({ cpu: 300 })] },
      options: { stack: "prod" },
      expected: ["Pulumi.prod.yaml: delivery:services[0].cpu is 300; Fargate accepts 256, 512, 1024, 2048, 4096, 8192 or 16384."],
    },
    {
      name: "a memory size Fargate does not pair with the CPU",
      delivery: { tier: "dev", services: [service({ cpu: 512, memory: 512 })] },
      expected: [
        "Pulumi.dev.yaml: delivery:services[0].memory is 512 with cpu 512; Fargate accepts 1024, 2048, 3072 or 4096 MiB with cpu 512.",
      ],
    },
    {
      name: "autoscaling min above max",
      delivery: { tier: "dev", services: [service({ autoscaling: { min: 5, max: 2 } })] },
      expected: ["Pulumi.dev.yaml: delivery:services[0].autoscaling.min is 5, above autoscaling.max 2; min must be at most max."],
    },
    {
      name: "task counts beyond what ECS accepts, all reported at once",
      delivery: {
        tier: "dev",
        services: [
          service({ desiredCount: 1000000000000, autoscaling: { min: 0, max: 9000 } }),
          service({ name: "web", desiredCount: 2.5 }),
        ],
      },
      expected: [
        "Pulumi.dev.yaml: delivery:services[0].desiredCount is 1000000000000; must be a whole number of tasks from 1 to 5000 (ECS's tasks-per-service quota).",
        "Pulumi.dev.yaml: delivery:services[0].autoscaling.min is 0; must be a whole number of tasks from 1 to 5000.",
        "Pulumi.dev.yaml: delivery:services[0].autoscaling.max is 9000; must be a whole number of tasks from 1 to 5000 (ECS's tasks-per-service quota).",
        "Pulumi.dev.yaml: delivery:services[1].desiredCount is 2.5; must be a whole number of tasks from 1 to 5000.",
      ],
    },
    {
      name: "a desired count outside the autoscaling range",
      delivery: { tier: "dev", services: [service({ desiredCount: 6, autoscaling: { min: 1, max: 4 } })] },
      expected: ["Pulumi.dev.yaml: delivery:services[0].desiredCount is 6; it must be within autoscaling min 1 and max 4."],
    },
    {
      name: "a desired count outside the tier's default autoscaling range",
      delivery: { tier: "staging", services: [service({ desiredCount: 1 })] },
      options: { stack: "staging" },
      expected: [
        "Pulumi.staging.yaml: delivery:services[0].desiredCount is 1; it must be within autoscaling min 2 and max 5 (the staging tier's default autoscaling; set autoscaling to change it).",
      ],
    },
    {
      name: "dependsOn naming an unknown service",
      delivery: { tier: "dev", services: [service({ dependsOn: ["db"] })] },
      expected: ['Pulumi.dev.yaml: delivery:services[0].dependsOn[0] is "db"; no service has that name (services: api).'],
    },
    {
      name: "a dependsOn cycle",
      delivery: {
        tier: "dev",
        services: [service({ dependsOn: ["web"] }), service({ name: "web", path: "/web/*", dependsOn: ["api"] })],
      },
      expected: [
        "Pulumi.dev.yaml: delivery:services have a dependsOn cycle: api -> web -> api; services must deploy in an order, so remove one of these dependencies.",
      ],
    },
    {
      name: "a service depending on itself",
      delivery: { tier: "dev", services: [service({ dependsOn: ["api"] })] },
      expected: [
        "Pulumi.dev.yaml: delivery:services have a dependsOn cycle: api -> api; services must deploy in an order, so remove one of these dependencies.",
      ],
    },
    {
      name: "two services without a routing rule",
      delivery: { tier: "dev", services: [service(), service({ name: "web" })] },
      expected: [
        `Pulumi.dev.yaml: delivery:services[1] ("web") has neither path nor host; only one service can be the load balancer's default route, and delivery:services[0] ("api") already is. Give this one a path or host.`,
      ],
    },
    {
      name: "a warning threshold not below the critical one",
      delivery: { tier: "dev", services: [service()], alarms: { errorRateWarningPercent: 5, errorRateCriticalPercent: 5 } },
      expected: [
        "Pulumi.dev.yaml: delivery:alarms.errorRateWarningPercent is 5, not below errorRateCriticalPercent 5; the warning threshold must be lower than the critical one.",
      ],
    },
    {
      name: "a plaintext Slack webhook, without echoing it",
      delivery: { tier: "dev", services: [service()], notifications: { slackWebhookUrl: "https://hooks.slack.com/services/T0/B0/xyz" } },
      expected: [
        "Pulumi.dev.yaml: delivery:notifications.slackWebhookUrl is a plaintext value; it must be a Pulumi secret. Set it with: pulumi config set --secret --path 'delivery:notifications.slackWebhookUrl' <value>.",
      ],
    },
    {
      name: "a plaintext PagerDuty routing key",
      delivery: { tier: "dev", services: [service()], notifications: { pagerDutyRoutingKey: "R0UT1NGKEY" } },
      expected: [
        "Pulumi.dev.yaml: delivery:notifications.pagerDutyRoutingKey is a plaintext value; it must be a Pulumi secret. Set it with: pulumi config set --secret --path 'delivery:notifications.pagerDutyRoutingKey' <value>.",
      ],
    },
    {
      name: "a misspelt top-level key",
      delivery: { tier: "dev", services: [service()], alarm: {} },
      expected: [
        "Pulumi.dev.yaml: delivery:alarm is not a known key; did you mean 'delivery:alarms'? Known keys: delivery:tier, delivery:services, delivery:alarms, delivery:rolling, delivery:notifications, delivery:network, delivery:loadBalancer, delivery:logRetentionDays, delivery:tags, delivery:pipeline, delivery:runtime, delivery:docker, delivery:kubernetes, delivery:promotion, delivery:envTemplate.",
      ],
    },
    {
      name: "a misspelt service key",
      delivery: { tier: "dev", services: [service({ desiredCout: 2 })] },
      expected: [
        "Pulumi.dev.yaml: delivery:services[0].desiredCout is not a known key; did you mean 'desiredCount'? Known keys: name, image, port, healthCheckPath, cpu, memory, desiredCount, autoscaling, dependsOn, environment, secrets, path, host, logs, smokePaths, readonlyRootFilesystem, deployment, migration, replicas, hostPort, writablePaths, build.",
      ],
    },
    {
      name: "a misspelt alarm key",
      delivery: { tier: "dev", services: [service()], alarms: { p95LatencyMS: 400 } },
      expected: [
        "Pulumi.dev.yaml: delivery:alarms.p95LatencyMS is not a known key; did you mean 'p95LatencyMs'? Known keys: errorRateWarningPercent, errorRateFailPercent, errorRateCriticalPercent, minRequests, p95LatencyMs, p99LatencyMs, cpuPercent, memoryPercent, windowSeconds.",
      ],
    },
    {
      name: "subnets without a VPC id",
      delivery: { tier: "dev", services: [service()], network: { publicSubnetIds: ["subnet-1a", "subnet-2b"] } },
      expected: [
        "Pulumi.dev.yaml: delivery:network.vpcId is missing; publicSubnetIds and privateSubnetIds need the vpcId they belong to (or remove them to create a VPC).",
      ],
    },
    {
      name: "a missing region",
      delivery: { tier: "dev", services: [service()] },
      options: { extra: { "aws:region": "" } },
      expected: ['Pulumi.dev.yaml: aws:region is ""; set the AWS region, e.g. pulumi config set aws:region us-east-1.'],
    },
    {
      name: "a local stack without emulator endpoints",
      delivery: { tier: "local", services: [service()] },
      options: { stack: "local", extra: { "aws:skipCredentialsValidation": true, "aws:skipRequestingAccountId": true } },
      expected: [
        "Pulumi.local.yaml: aws:endpoints is missing; the local tier sends every AWS service it uses to the emulator: list appautoscaling, cloudwatch, codebuild, codepipeline, dynamodb, ec2, ecr, ecs, elbv2, events, iam, kms, logs, s3, sns, ssm, sts.",
      ],
    },
    {
      name: "logs rules out of bounds, each named",
      delivery: { tier: "dev", services: [service({ logs: { tailLines: 0, maxWarnings: -1, startupMarker: "" } })] },
      expected: [
        "Pulumi.dev.yaml: delivery:services[0].logs.tailLines is 0; must be from 1 to 10000 lines (one CloudWatch Logs page).",
        "Pulumi.dev.yaml: delivery:services[0].logs.maxWarnings is -1; must be 0 or more lines.",
        'Pulumi.dev.yaml: delivery:services[0].logs.startupMarker is ""; must not be empty.',
      ],
    },
    {
      name: "an unknown deployment strategy",
      delivery: { tier: "dev", services: [service({ deployment: { strategy: "bluegreen" } })] },
      expected: [
        'Pulumi.dev.yaml: delivery:services[0].deployment.strategy is "bluegreen"; expected one of rolling, canary, linear, blueGreen.',
      ],
    },
    {
      name: "a misspelt deployment key",
      delivery: { tier: "dev", services: [service({ deployment: { strategy: "canary", canery: {} } })] },
      expected: [
        "Pulumi.dev.yaml: delivery:services[0].deployment.canery is not a known key; did you mean 'canary'? Known keys: strategy, canary, linear, blueGreen, maxExtensionMinutes.",
      ],
    },
    {
      name: "canary steps that do not end at 100",
      delivery: { tier: "dev", services: [service({ deployment: { strategy: "canary", canary: { steps: [5, 25, 50] } } })] },
      expected: [
        "Pulumi.dev.yaml: delivery:services[0].deployment.canary.steps is [5,25,50]; steps must increase strictly and end at 100, e.g. [5, 25, 50, 100].",
      ],
    },
    {
      name: "canary steps that do not increase",
      delivery: { tier: "dev", services: [service({ deployment: { strategy: "canary", canary: { steps: [5, 50, 25, 100] } } })] },
      expected: [
        "Pulumi.dev.yaml: delivery:services[0].deployment.canary.steps is [5,50,25,100]; steps must increase strictly and end at 100, e.g. [5, 25, 50, 100].",
      ],
    },
    {
      name: "a canary with no step below 100",
      delivery: { tier: "dev", services: [service({ deployment: { strategy: "canary", canary: { steps: [100] } } })] },
      expected: [
        "Pulumi.dev.yaml: delivery:services[0].deployment.canary.steps is [100]; a canary needs at least one step below 100, e.g. [5, 25, 50, 100] (for a single switch use strategy: blueGreen).",
      ],
    },
    {
      name: "canary steps ECS cannot reach in steps of 3% or more",
      delivery: { tier: "dev", services: [service({ deployment: { strategy: "canary", canary: { steps: [1, 50, 100] } } })] },
      expected: [
        "Pulumi.dev.yaml: delivery:services[0].deployment.canary.steps is [1,50,100]; ECS reaches them in linear steps of their greatest common divisor (1%), below ECS's smallest step of 3%: choose steps whose greatest common divisor is at least 3, e.g. [5, 25, 50, 100].",
      ],
    },
    {
      name: "a canary step that is not a whole percentage",
      delivery: { tier: "dev", services: [service({ deployment: { strategy: "canary", canary: { steps: [2.5, 100] } } })] },
      expected: ["Pulumi.dev.yaml: delivery:services[0].deployment.canary.steps[0] is 2.5; expected a whole percentage from 1 to 100."],
    },
    {
      name: "a step observed for no time",
      delivery: { tier: "dev", services: [service({ deployment: { strategy: "canary", canary: { stepMinutes: 0 } } })] },
      expected: ["Pulumi.dev.yaml: delivery:services[0].deployment.canary.stepMinutes is 0; must be from 1 to 1440 minutes (ECS's limit)."],
    },
    {
      name: "a linear step below ECS's minimum",
      delivery: { tier: "dev", services: [service({ deployment: { strategy: "linear", linear: { stepPercent: 2 } } })] },
      expected: [
        "Pulumi.dev.yaml: delivery:services[0].deployment.linear.stepPercent is 2; must be a multiple of 0.1 from 3 to 100 (ECS's linear step).",
      ],
    },
    {
      name: "a blue/green bake time beyond ECS's limit",
      delivery: { tier: "dev", services: [service({ deployment: { strategy: "blueGreen", blueGreen: { bakeMinutes: 2000 } } })] },
      expected: [
        "Pulumi.dev.yaml: delivery:services[0].deployment.blueGreen.bakeMinutes is 2000; must be from 0 to 1440 minutes (ECS's limit).",
      ],
    },
    {
      name: "settings of another strategy than the one chosen",
      delivery: { tier: "dev", services: [service({ deployment: { strategy: "canary", linear: { stepPercent: 10 } } })] },
      expected: [
        "Pulumi.dev.yaml: delivery:services[0].deployment.linear is set, but the strategy is canary; remove it or set strategy: linear.",
      ],
    },
    {
      name: "canary settings under the tier's default rolling strategy",
      delivery: { tier: "staging", services: [service({ desiredCount: 2, deployment: { canary: { stepMinutes: 5 } } })] },
      options: { stack: "staging" },
      expected: [
        "Pulumi.staging.yaml: delivery:services[0].deployment.canary is set, but the strategy is rolling (the staging tier's default); remove it or set strategy: canary.",
      ],
    },
    {
      name: "a progressive strategy on the local tier",
      delivery: { tier: "local", services: [service({ deployment: { strategy: "blueGreen" } })] },
      options: { stack: "local", extra: emulator() },
      expected: [
        'Pulumi.local.yaml: delivery:services[0].deployment.strategy is "blueGreen"; the local tier deploys with rolling only (the emulator runs no ECS deployments or Lambda hooks).',
      ],
    },
  ];

  it.each(cases)("$name", ({ delivery, options, expected }) => {
    expect(problemsOf(delivery, options)).toEqual(expected);
  });

  it("accepts the largest task counts ECS accepts (5000 tasks per service)", () => {
    const config = parseEnvironmentConfig(
      rawConfig({ tier: "dev", services: [service({ desiredCount: 5000, autoscaling: { min: 5000, max: 5000 } })] }),
    );
    expect(config.services[0]).toMatchObject({ desiredCount: 5000, autoscaling: { min: 5000, max: 5000 } });
  });

  it("reports every problem at once, in one error", () => {
    const problems = problemsOf({
      tier: "prod",
      services: [service({ cpu: 300, dependsOn: ["nope"] }), service({ port: -1 })],
      alarms: { errorRateWarningPercent: 9 },
      tiers: "x",
    });
    expect(problems).toHaveLength(6);
    expect(problems.map((p) => p.split(" ")[1])).toEqual([
      "delivery:tiers",
      "delivery:services[1].port",
      "delivery:services[1].name",
      "delivery:services[0].cpu",
      "delivery:services[0].dependsOn[0]",
      "delivery:alarms.errorRateWarningPercent",
    ]);
  });

  it("heads the message with the file and the number of problems", () => {
    expect(() => parseEnvironmentConfig(rawConfig({ tier: "qa" }))).toThrow(/^Pulumi\.dev\.yaml: 2 problems in the stack config:\n/);
  });
});

describe("parseEnvironmentConfig applies the tier's defaults", () => {
  it.each([
    ["dev", 1, 256, 512, undefined, 14],
    ["staging", 2, 256, 512, { min: 2, max: 5, cpuTargetPercent: 60 }, 90],
    ["prod", 3, 512, 1024, { min: 3, max: 20, cpuTargetPercent: 60 }, 365],
  ] as const)("%s: %i tasks of %i CPU / %i MiB, autoscaling %j, logs kept %i days", (tier, count, cpu, memory, autoscaling, days) => {
    const config = parseEnvironmentConfig(rawConfig({ tier, services: [service()] }, { stack: tier }));
    expect(config.services[0]).toMatchObject({ desiredCount: count, cpu, memory, healthCheckPath: "/health" });
    expect(config.services[0].autoscaling).toEqual(autoscaling);
    expect(config.logRetentionDays).toBe(days);
    expect(config.deletionProtection).toBe(tier === "prod");
  });

  it("uses the documented alarm defaults and lets the stack override them", () => {
    const config = parseEnvironmentConfig(rawConfig({ tier: "dev", services: [service()], alarms: { minRequests: 20 } }));
    expect(config.alarms).toEqual({
      errorRateWarningPercent: 1,
      errorRateCriticalPercent: 5,
      errorRateFailPercent: 1,
      minRequests: 20,
      p95LatencyMs: 500,
      p99LatencyMs: 1000,
      cpuPercent: 80,
      memoryPercent: 80,
      windowSeconds: 300,
    });
  });

  it.each([
    ["local", { strategy: "rolling" }],
    ["dev", { strategy: "rolling" }],
    ["staging", { strategy: "rolling" }],
    ["prod", { strategy: "canary", steps: [5, 25, 50, 100], stepMinutes: 10, bakeMinutes: 10, maxExtensionMinutes: 20 }],
  ] as const)("deploys %s services with %j unless configured", (tier, expected) => {
    const options = tier === "local" ? { stack: tier, extra: emulator() } : { stack: tier };
    const config = parseEnvironmentConfig(rawConfig({ tier, services: [service()] }, options));
    expect(config.services[0].deployment).toEqual(expected);
  });

  it.each([
    [
      { strategy: "canary", canary: { steps: [10, 100], stepMinutes: 5, bakeMinutes: 0 } },
      { strategy: "canary", steps: [10, 100], stepMinutes: 5, bakeMinutes: 0, maxExtensionMinutes: 20 },
    ],
    [
      { strategy: "linear", linear: { stepPercent: 30 }, maxExtensionMinutes: 5 },
      { strategy: "linear", steps: [30, 60, 90, 100], stepPercent: 30, stepMinutes: 10, bakeMinutes: 10, maxExtensionMinutes: 5 },
    ],
    [
      { strategy: "linear" },
      { strategy: "linear", steps: [25, 50, 75, 100], stepPercent: 25, stepMinutes: 10, bakeMinutes: 10, maxExtensionMinutes: 20 },
    ],
    [
      { strategy: "blueGreen", blueGreen: { bakeMinutes: 60 } },
      { strategy: "blueGreen", steps: [100], stepMinutes: 10, bakeMinutes: 60, maxExtensionMinutes: 20 },
    ],
    [{ strategy: "rolling" }, { strategy: "rolling" }],
  ])("resolves deployment %j to its steps and timings", (deployment, expected) => {
    const config = parseEnvironmentConfig(rawConfig({ tier: "prod", services: [service({ deployment })] }, { stack: "prod" }));
    expect(config.services[0].deployment).toEqual(expected);
  });

  it("turns off the tier's autoscaling with autoscaling: false", () => {
    const config = parseEnvironmentConfig(rawConfig({ tier: "prod", services: [service({ autoscaling: false })] }, { stack: "prod" }));
    expect(config.services[0].autoscaling).toBeUndefined();
  });

  it("keeps secret notification values as secrets", () => {
    const config = parseEnvironmentConfig(
      rawConfig(
        { tier: "dev", services: [service()], notifications: { slackWebhookUrl: "https://hooks.slack.com/x", emails: ["a@example.com"] } },
        { secretPaths: ["delivery:notifications"] },
      ),
    );
    expect(config.notifications).toEqual({
      emails: ["a@example.com"],
      slackWebhookUrl: { secret: true, value: "https://hooks.slack.com/x" },
    });
  });

  it("names secrets given as a list after their last path segment", () => {
    const config = parseEnvironmentConfig(rawConfig({ tier: "dev", services: [service({ secrets: ["/delivery/dev/api/db-password"] })] }));
    expect(config.services[0].secrets).toEqual({ DB_PASSWORD: "/delivery/dev/api/db-password" });
  });

  it("uses an existing VPC when vpcId and two subnets of each kind are given", () => {
    const network = { vpcId: "vpc-0abc", publicSubnetIds: ["subnet-01", "subnet-02"], privateSubnetIds: ["subnet-03", "subnet-04"] };
    const config = parseEnvironmentConfig(rawConfig({ tier: "dev", services: [service()], network }));
    expect(config.network).toEqual({ kind: "existing", ...network });
  });
});
