import { describe, expect, it } from "vitest";
import {
  ecsTaskDistinctRoles,
  ecsTaskLogConfiguration,
  ecsTaskNoHostNamespaces,
  ecsTaskNoSecretsInEnvironment,
  ecsTaskNotPrivileged,
  ecsTaskReadonlyRootFilesystem,
} from "../../policy/ecsTask";
import { checkResource } from "./helpers";

const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const container = (overrides: Record<string, unknown> = {}) => ({
  name: "api",
  image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/prod/delivery/api:sha-3f9c2a1",
  environment: [{ name: "LOG_LEVEL", value: "warn" }],
  secrets: [{ name: "DATABASE_URL", valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/delivery/prod/api/database-url" }],
  logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/delivery/prod/api" } },
  readonlyRootFilesystem: true,
  ...overrides,
});
const task = (containers: Record<string, unknown>[] = [container()], overrides: Record<string, unknown> = {}) => ({
  family: "delivery-prod-api",
  networkMode: "awsvpc",
  executionRoleArn: "arn:aws:iam::123456789012:role/api-execution",
  taskRoleArn: "arn:aws:iam::123456789012:role/api-task",
  containerDefinitions: JSON.stringify(containers),
  tags: { environment: "prod", "managed-by": "pulumi", service: "api" },
  ...overrides,
});

describe("ecs-task-not-privileged", () => {
  it("passes unprivileged containers", () => {
    expect(checkResource(ecsTaskNotPrivileged, TASK, task())).toEqual({ violations: [] });
  });

  it("reports a privileged container", () => {
    expect(checkResource(ecsTaskNotPrivileged, TASK, task([container({ privileged: true })])).violations).toEqual([
      'container "api" has privileged true; containers must not be privileged.',
    ]);
  });

  it.each([
    ["not JSON", "[", "containerDefinitions is not valid JSON; expected a JSON array of container definitions."],
    [
      "not an array",
      JSON.stringify({ name: "api" }),
      "containerDefinitions is not a JSON array; expected a JSON array of container definitions.",
    ],
  ])("reports containerDefinitions that is %s", (_label, definitions, message) => {
    expect(checkResource(ecsTaskNotPrivileged, TASK, task(undefined, { containerDefinitions: definitions })).violations).toEqual([message]);
  });
});

describe("ecs-task-no-host-namespaces", () => {
  it("passes awsvpc networking", () => {
    expect(checkResource(ecsTaskNoHostNamespaces, TASK, task())).toEqual({ violations: [] });
  });

  it.each([
    ["networkMode", 'networkMode is "host"; the task must not share the host\'s namespace.'],
    ["pidMode", 'pidMode is "host"; the task must not share the host\'s namespace.'],
    ["ipcMode", 'ipcMode is "host"; the task must not share the host\'s namespace.'],
  ])("reports %s host", (key, message) => {
    expect(checkResource(ecsTaskNoHostNamespaces, TASK, task(undefined, { [key]: "host" })).violations).toEqual([message]);
  });
});

describe("ecs-task-readonly-root-filesystem", () => {
  const config = { readonlyRootFilesystemServices: ["api"] };

  it("passes a read-only container of a service the config lists", () => {
    expect(checkResource(ecsTaskReadonlyRootFilesystem, TASK, task(), { config })).toEqual({ violations: [] });
  });

  it("passes a writable container of a service the config does not list", () => {
    const props = task([container({ name: "web", readonlyRootFilesystem: false })], { tags: { service: "web" } });
    expect(checkResource(ecsTaskReadonlyRootFilesystem, TASK, props, { config })).toEqual({ violations: [] });
  });

  it("reports a writable container of a listed service (by the task's service tag)", () => {
    const props = task([container(), container({ name: "sidecar", readonlyRootFilesystem: undefined })]);
    expect(checkResource(ecsTaskReadonlyRootFilesystem, TASK, props, { config }).violations).toEqual([
      'container "sidecar" has readonlyRootFilesystem not set; the stack config asks for a read-only root filesystem (true).',
    ]);
  });

  it("reports a writable container named after a listed service when the task has no service tag", () => {
    const props = task([container({ readonlyRootFilesystem: false })], { tags: {} });
    expect(checkResource(ecsTaskReadonlyRootFilesystem, TASK, props, { config }).violations).toEqual([
      'container "api" has readonlyRootFilesystem false; the stack config asks for a read-only root filesystem (true).',
    ]);
  });

  it("checks nothing without the config's list of services", () => {
    expect(checkResource(ecsTaskReadonlyRootFilesystem, TASK, task([container({ readonlyRootFilesystem: false })]))).toEqual({
      violations: [],
    });
  });
});

describe("ecs-task-log-configuration", () => {
  it("passes containers with a log driver", () => {
    expect(checkResource(ecsTaskLogConfiguration, TASK, task())).toEqual({ violations: [] });
  });

  it("reports a container without a log configuration", () => {
    expect(checkResource(ecsTaskLogConfiguration, TASK, task([container({ logConfiguration: undefined })])).violations).toEqual([
      'container "api" has logConfiguration.logDriver not set; every container needs a log configuration.',
    ]);
  });
});

describe("ecs-task-no-secrets-in-environment", () => {
  it("passes plain settings in environment and secrets through secrets", () => {
    const env = [
      { name: "LOG_LEVEL", value: "warn" },
      { name: "TOKEN_TTL_SECONDS", value: "300" },
      { name: "API_URL", value: "https://api.example.com/v1" },
      { name: "GIT_SHA", value: "3f9c2a1b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a" },
    ];
    expect(checkResource(ecsTaskNoSecretsInEnvironment, TASK, task([container({ environment: env })]))).toEqual({ violations: [] });
  });

  it.each([
    ["DB_PASSWORD", "hunter2-hunter2", "its name says it holds a secret"],
    ["STRIPE_API_KEY", "abc", "its name says it holds a secret"],
    ["UPSTREAM", "AKIAIOSFODNN7EXAMPLE", "its value looks like an AWS access key id"],
    ["DATABASE_URL", "postgres://app:s3cr3t@db.internal:5432/app", "its value looks like a URL with a password"],
    ["NOTIFY", "https://hooks.slack.com/services/T000/B000/XXXXXXXX", "its value looks like a Slack webhook URL"],
    ["KEY_PEM", "-----BEGIN RSA PRIVATE KEY-----\nMIIE", "its value looks like a private key"],
    [
      "SESSION",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "its value looks like a JSON Web Token",
    ],
  ])("reports %s without showing its value", (name, value, reason) => {
    const result = checkResource(ecsTaskNoSecretsInEnvironment, TASK, task([container({ environment: [{ name, value }] })]));
    expect(result.violations).toEqual([
      `container "api" environment variable ${name} looks like a secret (${reason}; the value is not shown); pass it through secrets.`,
    ]);
    expect(result.violations.join("\n")).not.toContain(value);
  });
});

describe("ecs-task-distinct-roles", () => {
  it("passes distinct task and execution roles", () => {
    expect(checkResource(ecsTaskDistinctRoles, TASK, task())).toEqual({ violations: [] });
  });

  it("passes a task without a task role", () => {
    expect(checkResource(ecsTaskDistinctRoles, TASK, task(undefined, { taskRoleArn: undefined }))).toEqual({ violations: [] });
  });

  it("reports one role used for both", () => {
    const role = "arn:aws:iam::123456789012:role/shared";
    expect(checkResource(ecsTaskDistinctRoles, TASK, task(undefined, { taskRoleArn: role, executionRoleArn: role })).violations).toEqual([
      `taskRoleArn and executionRoleArn are the same role (${role}); they must be distinct roles.`,
    ]);
  });
});
