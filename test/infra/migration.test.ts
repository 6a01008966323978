import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../infra/config";
import { renderEnvironment } from "../../infra/synth/render";
import {
  ecsDeployment,
  environmentConfig,
  jsonInput,
  renderStack,
  type RenderedStack,
  resourceNamed,
  resourcesOf,
  serviceEntry,
  T,
} from "../support/pulumi";

/** The problem lines of a config that does not parse. */
function problems(delivery: Record<string, unknown>): string[] {
  try {
    environmentConfig(delivery, { stack: "dev" });
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split("\n").slice(1);
    throw err;
  }
  return [];
}

const api = (migration: unknown) => serviceEntry("api", { migration, secrets: { DATABASE_URL: "/delivery/dev/api/database-url" } });

describe("delivery:services[i].migration", () => {
  it("applies its defaults: 900 seconds, no extra environment, no image, no down", () => {
    const config = environmentConfig({ tier: "dev", services: [api({ command: ["npm", "run", "migrate"] })] }, { stack: "dev" });
    expect(config.services[0]?.migration).toEqual({ command: ["npm", "run", "migrate"], timeoutSeconds: 900, environment: {} });
  });

  it.each<[string, unknown, string[]]>([
    [
      "an empty command",
      { command: [] },
      ["  - Pulumi.dev.yaml: delivery:services[0].migration.command is []; must list at least the migration command's executable."],
    ],
    [
      "a timeout out of bounds",
      { command: ["migrate"], timeoutSeconds: 7200 },
      ["  - Pulumi.dev.yaml: delivery:services[0].migration.timeoutSeconds is 7200; must be from 30 to 3600 seconds."],
    ],
    [
      "an unknown key",
      { command: ["migrate"], retries: 2 },
      [
        "  - Pulumi.dev.yaml: delivery:services[0].migration.retries is not a known key Known keys: command, image, timeoutSeconds, environment, down.",
      ],
    ],
  ])("refuses %s, naming the key and what is allowed", (_what, migration, expected) => {
    expect(problems({ tier: "dev", services: [api(migration)] })).toEqual(expected);
  });

  it("is refused on a Docker stack, naming the key and the runtimes that run it", () => {
    expect(problems({ tier: "dev", runtime: "docker", services: [serviceEntry("api", { migration: { command: ["migrate"] } })] })).toEqual([
      "  - Pulumi.dev.yaml: delivery:services[0].migration is set; the Docker runtime does not run migrations yet (ECS runs them as a one-off task, Kubernetes as a Job): run it by hand before the deploy, or remove it.",
    ]);
  });
});

describe("an ECS service with a migration", () => {
  let rendered: RenderedStack;
  beforeAll(async () => {
    rendered = await renderEnvironment(
      environmentConfig(
        {
          tier: "dev",
          services: [
            serviceEntry("api", {
              path: "/api/*",
              environment: { LOG_LEVEL: "info" },
              secrets: { DATABASE_URL: "/delivery/test/api/database-url" },
              migration: {
                command: ["npm", "run", "migrate"],
                timeoutSeconds: 600,
                environment: { MIGRATION_LOCK: "1" },
                down: ["npm", "run", "migrate:down"],
              },
            }),
            serviceEntry("web"),
          ],
        },
        { stack: "test" },
      ),
    );
  });

  it("gets its own task definition: same repository, its roles, awsvpc and Fargate, the command, its own logs", () => {
    const task = resourceNamed(rendered, T.taskDefinition, "delivery-test-api-migration-task");
    const role = (name: string) => `arn:aws:iam::123456789012:role/${resourceNamed(rendered, T.role, name).id}`;
    expect([
      task.inputs.family,
      task.inputs.networkMode,
      task.inputs.requiresCompatibilities,
      task.inputs.executionRoleArn,
      task.inputs.taskRoleArn,
    ]).toEqual([
      "delivery-test-api-migration",
      "awsvpc",
      ["FARGATE"],
      role("delivery-test-api-execution-role"),
      role("delivery-test-api-task-role"),
    ]);
    expect(jsonInput(task, "containerDefinitions")).toEqual([
      {
        name: "migration",
        image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/test/delivery/api:sha-abc1234",
        essential: true,
        command: ["npm", "run", "migrate"],
        environment: [
          { name: "LOG_LEVEL", value: "info" },
          { name: "MIGRATION_LOCK", value: "1" },
        ],
        secrets: [{ name: "DATABASE_URL", valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/delivery/test/api/database-url" }],
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": "/ecs/delivery/test/api-migration",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "migration",
          },
        },
        readonlyRootFilesystem: false,
      },
    ]);
  });

  it("adds no ECS service and no load balancer target: only the task definition, its log group and log policy", () => {
    expect(resourcesOf(rendered, T.ecsService).map((s) => s.inputs.name)).toEqual(["api", "web"]);
    expect(resourcesOf(rendered, T.taskDefinition).map((t) => t.inputs.family)).toEqual([
      "delivery-test-api",
      "delivery-test-api-migration",
      "delivery-test-web",
    ]);
    const logs = resourceNamed(rendered, T.logGroup, "delivery-test-api-migration-logs");
    expect(logs.inputs.name).toBe("/ecs/delivery/test/api-migration");
    const policy = resourceNamed(rendered, T.rolePolicy, "delivery-test-api-migration-logs-policy");
    expect([policy.inputs.role, jsonInput(policy, "policy")]).toEqual([
      resourceNamed(rendered, T.role, "delivery-test-api-execution-role").id,
      {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "MigrationLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/delivery/test/api-migration:*",
          },
        ],
      },
    ]);
  });

  it("is in the manifest with what deployctl needs to run it; a service without one has none", () => {
    const manifest = ecsDeployment(rendered);
    const api = manifest.services.find((s) => s.name === "api");
    const sg = resourceNamed(rendered, T.securityGroup, "delivery-test-api-sg").id;
    const subnets = resourcesOf(rendered, T.subnet)
      .filter((s) => s.name.includes("private"))
      .map((s) => s.id);
    expect(api?.migration).toEqual({
      taskDefinitionFamily: "delivery-test-api-migration",
      taskDefinitionArn: expect.stringMatching(/^arn:aws:ecs:us-east-1:123456789012:task-definition\/delivery-test-api-migration:\d+$/),
      containerName: "migration",
      repositoryUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/test/delivery/api",
      subnets,
      securityGroups: [sg],
      logGroup: "/ecs/delivery/test/api-migration",
      logStreamPrefix: "migration",
      timeoutSeconds: 600,
      command: ["npm", "run", "migrate"],
      down: ["npm", "run", "migrate:down"],
    });
    expect(subnets).toHaveLength(2);
    expect(manifest.services.find((s) => s.name === "web")?.migration).toBeUndefined();
  });
});

describe("the shipped stacks", () => {
  it.each(["dev", "staging", "prod"])("%s runs api's migration before api, and its deploy role may run and read it", async (stack) => {
    const rendered = await renderStack(stack);
    const api = ecsDeployment(rendered).services.find((s) => s.name === "api");
    expect([api?.migration?.command, api?.migration?.down, api?.migration?.timeoutSeconds]).toEqual([
      ["npm", "run", "migrate"],
      ["npm", "run", "migrate:down"],
      900,
    ]);
    const deployPolicy = resourceNamed(rendered, T.rolePolicy, `delivery-${stack}-pipeline-deploy-policy`);
    const statements = jsonInput<{ Statement: { Sid: string; Action: string[]; Resource: unknown }[] }>(deployPolicy, "policy").Statement;
    expect(statements.filter((s) => s.Sid.startsWith("Migration")).map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ["MigrationTasks", ["ecs:RunTask", "ecs:StopTask"], "*"],
      [
        "MigrationLogs",
        ["logs:GetLogEvents"],
        [
          `arn:aws:logs:us-east-1:123456789012:log-group:/ecs/delivery/${stack}/api-migration`,
          `arn:aws:logs:us-east-1:123456789012:log-group:/ecs/delivery/${stack}/api-migration:*`,
        ],
      ],
    ]);
  });
});

describe("delivery:promotion.minAge", () => {
  it("parses a duration into seconds", () => {
    const config = environmentConfig({ tier: "dev", services: [serviceEntry("api")], promotion: { minAge: "1h30m" } }, { stack: "dev" });
    expect(config.promotion).toEqual({ minAgeSeconds: 5400 });
  });

  it("refuses what is not a duration, naming the key and the units", () => {
    expect(problems({ tier: "dev", services: [serviceEntry("api")], promotion: { minAge: "a day" } })).toEqual([
      '  - Pulumi.dev.yaml: delivery:promotion.minAge is "a day"; expected a duration such as 24h, 30m or 0s (units s, m, h, d).',
    ]);
  });
});
