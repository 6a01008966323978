import type { Deployment, Service } from "@aws-sdk/client-ecs";
import type { CheckResult, CheckStatus } from "../../contract/report";
import { checkResult, plural } from "./result";

export interface RolloutInput {
  cluster: string;
  ecsService: string;
  /** The service as DescribeServices returned it; undefined when ECS does not know it. */
  service?: Service;
  /** The task definition the manifest says the stack deployed. */
  expectedTaskDefinition: string;
  /** How long the validator waited for an in-progress rollout, and how long it was allowed to. */
  waitedSeconds: number;
  waitSeconds: number;
}

/** The PRIMARY deployment (the one ECS is rolling out or has rolled out). */
export function primaryDeployment(service: Service | undefined): Deployment | undefined {
  return service?.deployments?.find((d) => d.status === "PRIMARY");
}

/** True while ECS is still rolling the service out (the validator may wait for it). */
export function rolloutInProgress(service: Service | undefined): boolean {
  const primary = primaryDeployment(service);
  if (!primary) return false;
  if (primary.rolloutState) return primary.rolloutState === "IN_PROGRESS";
  // Without rollout states (external controllers), an older deployment still present means in progress.
  return (service?.deployments?.length ?? 0) > 1;
}

/** `family:revision` of a task definition ARN (what people recognise), or the input unchanged. */
export function taskDefinitionName(arn: string | undefined): string {
  if (!arn) return "(none)";
  const index = arn.indexOf("task-definition/");
  return index >= 0 ? arn.slice(index + "task-definition/".length) : arn;
}

/**
 * The rollout check: the PRIMARY deployment's rollout state (COMPLETED passes, FAILED fails,
 * IN_PROGRESS after the allowed wait fails with the state), running equals desired, the primary
 * deployment runs the manifest's task definition, and the count of tasks that failed to start.
 */
export function judgeRollout(input: RolloutInput): CheckResult {
  const { service, ecsService, cluster } = input;
  const threshold = { taskDefinition: taskDefinitionName(input.expectedTaskDefinition), waitSeconds: input.waitSeconds };
  if (!service) {
    return checkResult("rollout", "fail", `ECS service ${ecsService} was not found in cluster ${cluster}.`, { found: false }, threshold);
  }
  const primary = primaryDeployment(service);
  if (service.status !== "ACTIVE" || !primary) {
    const why = service.status !== "ACTIVE" ? `is ${service.status ?? "in an unknown state"}` : "has no PRIMARY deployment";
    return checkResult("rollout", "fail", `ECS service ${ecsService} ${why}.`, { status: service.status ?? null }, threshold);
  }
  const desired = primary.desiredCount ?? service.desiredCount ?? 0;
  const running = primary.runningCount ?? 0;
  const failedTasks = primary.failedTasks ?? 0;
  const state = primary.rolloutState ?? (rolloutInProgress(service) ? "IN_PROGRESS" : "COMPLETED");
  const observed = {
    deploymentId: primary.id ?? null,
    rolloutState: state,
    rolloutStateReason: primary.rolloutStateReason ?? null,
    taskDefinition: taskDefinitionName(primary.taskDefinition),
    desired,
    running,
    pending: primary.pendingCount ?? 0,
    failedTasks,
    deployments: service.deployments?.length ?? 0,
    createdAt: primary.createdAt?.toISOString() ?? null,
    waitedSeconds: input.waitedSeconds,
  };

  const failures: string[] = [];
  if (state === "FAILED") failures.push(`rollout FAILED${primary.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ""}`);
  if (state === "IN_PROGRESS") {
    failures.push(
      input.waitSeconds > 0
        ? `rollout still IN_PROGRESS after waiting ${input.waitedSeconds} s (--wait ${input.waitSeconds})`
        : "rollout still IN_PROGRESS (use --wait SECONDS to wait for it)",
    );
  }
  if (!sameTaskDefinition(primary.taskDefinition, input.expectedTaskDefinition)) {
    failures.push(
      `the primary deployment runs ${taskDefinitionName(primary.taskDefinition)}, the manifest expects ${threshold.taskDefinition}`,
    );
  }
  if (running !== desired) failures.push(`${running} of ${desired} desired tasks running`);

  let status: CheckStatus = failures.length > 0 ? "fail" : "pass";
  const notes = [...failures];
  if (failedTasks > 0) {
    notes.push(`${plural(failedTasks, "task")} failed to start during the rollout`);
    if (status === "pass") status = "warn";
  }
  const summary =
    status === "fail"
      ? `Deployment ${primary.id ?? "?"}: ${notes.join("; ")}.`
      : `Deployment ${primary.id ?? "?"} ${state}: ${running} of ${desired} running ${observed.taskDefinition}` +
        (notes.length > 0 ? `; ${notes.join("; ")}.` : ".");
  return checkResult("rollout", status, summary, observed, threshold);
}

function sameTaskDefinition(actual: string | undefined, expected: string): boolean {
  if (!actual) return false;
  return actual === expected || taskDefinitionName(actual) === taskDefinitionName(expected);
}
