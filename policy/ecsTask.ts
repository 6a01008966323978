import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type ResourceRuleContext, resourceRule } from "./lib/define";
import { type Container, containersOf } from "./lib/containers";
import { secretReason } from "./lib/secretLike";
import { arr, type Props, rec, seen, str, tagsOf } from "./lib/values";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

/** Runs `check` on every container; a task definition whose containers cannot be read is a violation (fail closed). */
function eachContainer(props: Props, ctx: ResourceRuleContext, check: (c: Container) => void): void {
  const containers = containersOf(props);
  if (!containers.ok) {
    ctx.report(containers.error);
    return;
  }
  containers.value.forEach(check);
}

export const ecsTaskNotPrivileged = resourceRule({
  name: "ecs-task-not-privileged",
  description: "ECS containers do not run privileged (Security Hub ECS.4, checkov CKV_AWS_334).",
  remediation: "Remove privileged: true from the container definition.",
  severity: "critical",
  types: [TASK_DEFINITION],
  validate(props, ctx) {
    eachContainer(props, ctx, (c) => {
      if (c.def.privileged === true)
        ctx.report(`container ${JSON.stringify(c.name)} has privileged true; containers must not be privileged.`);
    });
  },
});

export const ecsTaskNoHostNamespaces = resourceRule({
  name: "ecs-task-no-host-namespaces",
  description:
    "ECS task definitions do not share the host's network, process or IPC namespace (Security Hub ECS.1, ECS.3, checkov CKV_AWS_335).",
  remediation: 'Use networkMode "awsvpc" (Fargate requires it) and leave pidMode and ipcMode unset or "task".',
  severity: "high",
  types: [TASK_DEFINITION],
  validate(props, ctx) {
    for (const key of ["networkMode", "pidMode", "ipcMode"] as const) {
      if (props[key] === "host") ctx.report(`${key} is "host"; the task must not share the host's namespace.`);
    }
  },
});

export const ecsTaskReadonlyRootFilesystem = resourceRule({
  name: "ecs-task-readonly-root-filesystem",
  description:
    "Where the stack config sets readonlyRootFilesystem for a service, every container of its task definition has a read-only root filesystem (Security Hub ECS.5, checkov CKV_AWS_336).",
  remediation:
    "Set readonlyRootFilesystem: true in the container definitions of the service (the component takes it from delivery:services[].readonlyRootFilesystem).",
  severity: "medium",
  types: [TASK_DEFINITION],
  config: {
    readonlyRootFilesystemServices: {
      type: "array",
      items: { type: "string" },
      description: "Services whose stack config sets readonlyRootFilesystem: true.",
    },
  },
  validate(props, ctx) {
    const services = ctx.config.readonlyRootFilesystemServices;
    if (services === undefined) return;
    const service = tagsOf(props).service;
    const wholeTask = service !== undefined && services.includes(service);
    eachContainer(props, ctx, (c) => {
      if (!wholeTask && !services.includes(c.name)) return;
      if (c.def.readonlyRootFilesystem !== true) {
        ctx.report(
          `container ${JSON.stringify(c.name)} has readonlyRootFilesystem ${seen(c.def.readonlyRootFilesystem)}; the stack config asks for a read-only root filesystem (true).`,
        );
      }
    });
  },
});

export const ecsTaskLogConfiguration = resourceRule({
  name: "ecs-task-log-configuration",
  description: "Every ECS container sends its logs somewhere: a logConfiguration with a log driver (Security Hub ECS.9).",
  remediation:
    'Give each container definition logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": ..., "awslogs-region": ..., "awslogs-stream-prefix": ... } }.',
  severity: "medium",
  types: [TASK_DEFINITION],
  validate(props, ctx) {
    eachContainer(props, ctx, (c) => {
      const driver = rec(c.def.logConfiguration)?.logDriver;
      if (typeof driver !== "string" || driver === "")
        ctx.report(
          `container ${JSON.stringify(c.name)} has logConfiguration.logDriver ${seen(driver)}; every container needs a log configuration.`,
        );
    });
  },
});

export const ecsTaskNoSecretsInEnvironment = resourceRule({
  name: "ecs-task-no-secrets-in-environment",
  description:
    "No ECS container gets a secret as a plain environment variable: secrets go through `secrets` (Secrets Manager or SSM) (Security Hub ECS.8).",
  remediation:
    "Move the variable to the service's `secrets` in the stack config (a Secrets Manager secret or SSM SecureString name; never its value), and rotate the value that was exposed.",
  severity: "critical",
  types: [TASK_DEFINITION],
  validate(props, ctx) {
    eachContainer(props, ctx, (c) => {
      for (const entry of arr(c.def.environment)) {
        const name = str(rec(entry)?.name);
        const value = str(rec(entry)?.value);
        const reason = name !== undefined && value !== undefined ? secretReason(name, value) : undefined;
        if (reason)
          ctx.report(
            `container ${JSON.stringify(c.name)} environment variable ${name} looks like a secret (${reason}; the value is not shown); pass it through secrets.`,
          );
      }
    });
  },
});

export const ecsTaskDistinctRoles = resourceRule({
  name: "ecs-task-distinct-roles",
  description:
    "The task role (what the application may do) and the execution role (what ECS needs to start it) are different roles (checkov CKV_AWS_249).",
  remediation:
    "Create a separate task role for the application and pass it as taskRoleArn; keep executionRoleArn for image pulls, logs and secrets.",
  severity: "high",
  types: [TASK_DEFINITION],
  validate(props, ctx) {
    const task = str(props.taskRoleArn);
    if (task !== undefined && task === str(props.executionRoleArn))
      ctx.report(`taskRoleArn and executionRoleArn are the same role (${task}); they must be distinct roles.`);
  },
});

export const ecsTaskPolicies: ResourceValidationPolicy[] = [
  ecsTaskNotPrivileged,
  ecsTaskNoHostNamespaces,
  ecsTaskReadonlyRootFilesystem,
  ecsTaskLogConfiguration,
  ecsTaskNoSecretsInEnvironment,
  ecsTaskDistinctRoles,
];
