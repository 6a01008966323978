import type { Service, Task } from "@aws-sdk/client-ecs";
import type { CheckResult } from "../../contract/report";
import { displayLine } from "../core/redact";
import { checkResult, plural } from "./result";
import { primaryDeployment, taskDefinitionName } from "./rollout";

export interface TasksInput {
  ecsService: string;
  /** The service as DescribeServices returned it (its desired count); undefined when not found. */
  service?: Service;
  /** The cluster's tasks whose group is `service:<ecsService>`, running and stopped. */
  tasks: readonly Task[];
  /** Start of the deployment: stops before it are history, not this release. */
  since: Date;
  expectedTaskDefinition: string;
}

/** One stopped task of this deployment, as the report shows it. */
export interface StoppedTask {
  taskId: string;
  /** What stopped it, in words: OutOfMemory, essential container exit, failed health checks... */
  cause: string;
  stopCode: string | null;
  stoppedReason: string;
  stoppedAt: string | null;
  containers: { name: string; exitCode: number | null; reason: string | null }[];
}

const MAX_STOPPED_SHOWN = 10;

/**
 * The tasks check: fail when fewer than desired tasks are RUNNING, when a task's health is
 * UNHEALTHY, or when tasks of this deployment stopped since the deployment began (each stop is
 * reported with its reason and exit codes; an OutOfMemory or essential container exit is named).
 */
export function judgeTasks(input: TasksInput): CheckResult {
  const { service, ecsService } = input;
  if (!service) {
    return checkResult("tasks", "fail", `ECS service ${ecsService} was not found: no tasks to check.`, {
      desired: 0,
      running: 0,
      stopped: 0,
    });
  }
  const desired = service.desiredCount ?? 0;
  const expected = primaryDeployment(service)?.taskDefinition ?? input.expectedTaskDefinition;
  const live = input.tasks.filter((t) => t.desiredStatus !== "STOPPED" && t.lastStatus !== "STOPPED");
  const running = live.filter((t) => t.lastStatus === "RUNNING");
  const pending = live.length - running.length;
  const unhealthy = running.filter((t) => t.healthStatus === "UNHEALTHY");
  const stoppedOfDeployment = input.tasks
    .filter((t) => !live.includes(t))
    .filter((t) => taskDefinitionName(t.taskDefinitionArn) === taskDefinitionName(expected))
    .filter((t) => stoppedSince(t, input.since));
  const stopped = stoppedOfDeployment.filter((t) => !stoppedByScaling(t)).map(describeStop);
  const scaledIn = stoppedOfDeployment.filter(stoppedByScaling).map((t) => taskId(t.taskArn));

  const observed = {
    desired,
    running: running.length,
    pending,
    stopped: stopped.length,
    scaledIn,
    unhealthy: unhealthy.map((t) => taskId(t.taskArn)),
    stoppedTasks: stopped.slice(0, MAX_STOPPED_SHOWN),
  };
  const threshold = { minRunning: desired, unhealthy: 0, stoppedSince: input.since.toISOString() };
  const problems: string[] = [];
  if (running.length < desired) problems.push(`${running.length} of ${desired} desired tasks RUNNING`);
  if (unhealthy.length > 0) {
    problems.push(`${plural(unhealthy.length, "task")} UNHEALTHY (${observed.unhealthy.join(", ")})`);
  }
  if (stopped.length > 0) {
    const shown = stopped.slice(0, 3).map((s) => `${s.taskId}: ${s.cause}`);
    const more = stopped.length > 3 ? `, and ${stopped.length - 3} more` : "";
    problems.push(
      `${plural(stopped.length, "task")} of this deployment stopped since ${threshold.stoppedSince} (${shown.join("; ")}${more})`,
    );
  }
  if (problems.length > 0) return checkResult("tasks", "fail", `${problems.join("; ")}.`, observed, threshold);
  return checkResult(
    "tasks",
    "pass",
    `${running.length} of ${desired} desired tasks RUNNING, none unhealthy, none of this deployment stopped` +
      (scaledIn.length > 0 ? ` (${plural(scaledIn.length, "task")} stopped by ECS scaling activity, not counted).` : "."),
    observed,
    threshold,
  );
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

/** When ECS does not say when a task stopped, it counts: it cannot be shown to be older than the deployment. */
function stoppedSince(task: Task, since: Date): boolean {
  const at = task.stoppedAt ?? task.stoppingAt ?? task.executionStoppedAt;
  return at === undefined || at.getTime() >= since.getTime();
}

function describeStop(task: Task): StoppedTask {
  const containers = (task.containers ?? []).map((c) => ({
    name: c.name ?? "?",
    exitCode: c.exitCode ?? null,
    reason: c.reason ? displayLine(c.reason) : null,
  }));
  return {
    taskId: taskId(task.taskArn),
    cause: stopCause(task),
    stopCode: task.stopCode ?? null,
    stoppedReason: displayLine(task.stoppedReason ?? ""),
    stoppedAt: task.stoppedAt?.toISOString() ?? null,
    containers,
  };
}

/** Names the cause of a stop the way people search for it. */
export function stopCause(task: Task): string {
  const containers = task.containers ?? [];
  const reasons = [task.stoppedReason ?? "", ...containers.map((c) => c.reason ?? "")];
  if (reasons.some((r) => /OutOfMemory/i.test(r))) {
    const oom = containers.find((c) => /OutOfMemory/i.test(c.reason ?? ""));
    return `OutOfMemory${oom?.name ? ` (container ${oom.name}${exitText(oom.exitCode)})` : ""}`;
  }
  if (task.stopCode === "EssentialContainerExited" || /Essential container in task exited/i.test(task.stoppedReason ?? "")) {
    const exited = containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0) ?? containers[0];
    return `essential container ${exited?.name ?? "?"} exited${exitText(exited?.exitCode)}`;
  }
  if (task.stopCode === "TaskFailedToStart") return `failed to start: ${displayLine(task.stoppedReason ?? "no reason given", 120)}`;
  return displayLine(task.stoppedReason || task.stopCode || "stopped (no reason given)", 160);
}

function exitText(code: number | undefined): string {
  return code === undefined ? "" : ` with exit code ${code}`;
}

function taskId(arn: string | undefined): string {
  return arn ? arn.slice(arn.lastIndexOf("/") + 1) : "?";
}
