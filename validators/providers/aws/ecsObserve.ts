import type { Deployment, Service, Task } from "@aws-sdk/client-ecs";
import type { ReplicaObservation, ReplicaStop, ReplicasObservation, RolloutObservation, Vocabulary } from "../runtime";

/** How the checks' messages name ECS things. */
export function ecsWords(ecsService: string, cluster: string): Vocabulary {
  return {
    service: `ECS service ${ecsService}`,
    location: `cluster ${cluster}`,
    replica: "task",
    revision: "Deployment",
    scaler: "ECS scaling activity",
  };
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

function sameTaskDefinition(actual: string | undefined, expected: string): boolean {
  if (!actual) return false;
  return actual === expected || taskDefinitionName(actual) === taskDefinitionName(expected);
}

/** The newest deployment's createdAt (the default start of the judged window). */
export function deployedAt(service: Service | undefined): Date | undefined {
  const created = (service?.deployments ?? []).map((d) => d.createdAt?.getTime()).filter((t): t is number => t !== undefined);
  return created.length > 0 ? new Date(Math.max(...created)) : undefined;
}

/** An ECS service as DescribeServices returned it, as a runtime-neutral rollout observation. */
export function ecsRollout(
  service: Service | undefined,
  ref: { ecsService: string; cluster: string; expectedTaskDefinition: string },
): RolloutObservation {
  const words = ecsWords(ref.ecsService, ref.cluster);
  const expected = taskDefinitionName(ref.expectedTaskDefinition);
  if (!service) return { words, found: false };
  const at = deployedAt(service);
  const base = { words, found: true, ...(at ? { deployedAt: at } : {}) };
  const primary = primaryDeployment(service);
  if (service.status !== "ACTIVE" || !primary) {
    const reason = service.status !== "ACTIVE" ? `is ${service.status ?? "in an unknown state"}` : "has no PRIMARY deployment";
    return { ...base, unusable: { reason, status: service.status ?? null }, revision: undefined };
  }
  return {
    ...base,
    revision: {
      id: primary.id ?? null,
      state: primary.rolloutState ?? (rolloutInProgress(service) ? "IN_PROGRESS" : "COMPLETED"),
      stateReason: primary.rolloutStateReason ?? null,
      runs: taskDefinitionName(primary.taskDefinition),
      expected,
      isExpected: sameTaskDefinition(primary.taskDefinition, ref.expectedTaskDefinition),
      desired: primary.desiredCount ?? service.desiredCount ?? 0,
      running: primary.runningCount ?? 0,
      pending: primary.pendingCount ?? 0,
      failedStarts: primary.failedTasks ?? 0,
      revisions: service.deployments?.length ?? 0,
      createdAt: primary.createdAt?.toISOString() ?? null,
    },
  };
}

/** A service's tasks (its group's, running and stopped) as runtime-neutral replicas of the revision being judged. */
export function ecsReplicas(
  service: Service | undefined,
  tasks: readonly Task[],
  ref: { ecsService: string; cluster: string; expectedTaskDefinition: string },
): ReplicasObservation {
  const words = ecsWords(ref.ecsService, ref.cluster);
  if (!service) return { words, found: false, desired: 0, replicas: [] };
  const judged = taskDefinitionName(primaryDeployment(service)?.taskDefinition ?? ref.expectedTaskDefinition);
  return { words, found: true, desired: service.desiredCount ?? 0, replicas: tasks.map((t) => ecsReplica(t, judged)) };
}

function ecsReplica(task: Task, judgedTaskDefinition: string): ReplicaObservation {
  const stopped = task.desiredStatus === "STOPPED" || task.lastStatus === "STOPPED";
  const state = stopped ? "stopped" : task.lastStatus === "RUNNING" ? "running" : "pending";
  const health = task.healthStatus === "UNHEALTHY" ? "unhealthy" : task.healthStatus === "HEALTHY" ? "healthy" : "unknown";
  const replica: ReplicaObservation = {
    id: taskId(task.taskArn),
    state,
    health,
    ofJudgedRevision: taskDefinitionName(task.taskDefinitionArn) === judgedTaskDefinition,
  };
  if (!stopped) return replica;
  const at = task.stoppedAt ?? task.stoppingAt ?? task.executionStoppedAt;
  return { ...replica, ...(at ? { stoppedAt: at } : {}), stop: ecsStop(task), stoppedByScaling: stoppedByScaling(task) };
}

/**
 * ECS stopped the task on purpose: a scale-in by autoscaling, or a deployment replacing it (the
 * reason is then `Scaling activity initiated by (deployment ecs-svc/...)` and the container often
 * exits 143 on SIGTERM). Not a failure of the release, unless the task ran out of memory.
 * Health-check stops (`Task failed ELB health checks`) are not scaling activity and still count.
 */
export function stoppedByScaling(task: Task): boolean {
  const reasons = [task.stoppedReason ?? "", ...(task.containers ?? []).map((c) => c.reason ?? "")];
  if (reasons.some((r) => /OutOfMemory/i.test(r))) return false;
  return /^Scaling activity initiated by/i.test(task.stoppedReason ?? "");
}

/** Why ECS stopped a task, as runtime-neutral facts (the tasks check words them). */
export function ecsStop(task: Task): ReplicaStop {
  const containers = task.containers ?? [];
  const reasons = [task.stoppedReason ?? "", ...containers.map((c) => c.reason ?? "")];
  const facts = {
    stopCode: task.stopCode ?? null,
    ...(task.stoppedReason !== undefined ? { reason: task.stoppedReason } : {}),
    stoppedAt: task.stoppedAt?.toISOString() ?? null,
    containers: containers.map((c) => ({ name: c.name ?? "?", exitCode: c.exitCode ?? null, reason: c.reason ?? null })),
  };
  if (reasons.some((r) => /OutOfMemory/i.test(r))) {
    const oom = containers.find((c) => /OutOfMemory/i.test(c.reason ?? ""));
    return { kind: "out-of-memory", ...containerOf(oom), ...facts };
  }
  if (task.stopCode === "EssentialContainerExited" || /Essential container in task exited/i.test(task.stoppedReason ?? "")) {
    const exited = containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0) ?? containers[0];
    return {
      kind: "exited",
      container: exited?.name ?? "?",
      ...(exited?.exitCode !== undefined ? { exitCode: exited.exitCode } : {}),
      ...facts,
    };
  }
  if (task.stopCode === "TaskFailedToStart") return { kind: "failed-to-start", ...facts };
  return { kind: "other", ...facts };
}

function containerOf(c: { name?: string; exitCode?: number } | undefined): { container?: string; exitCode?: number } {
  if (!c?.name) return {};
  return { container: c.name, ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}) };
}

export function taskId(arn: string | undefined): string {
  return arn ? arn.slice(arn.lastIndexOf("/") + 1) : "?";
}
