import type { CheckResult } from "../../contract/report";
import type { ReplicaStop, ReplicasObservation } from "../providers/runtime";
import { displayLine } from "../core/redact";
import { checkResult, plural } from "./result";

export interface TasksInput {
  /** The service's replicas (tasks, pods, containers) as the runtime saw them, running and stopped. */
  replicas: ReplicasObservation;
  /** Start of the deployment: stops before it are history, not this release. */
  since: Date;
}

/** One stopped replica of this deployment, as the report shows it. */
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
 * The tasks check: fail when fewer than desired replicas are running, when one is unhealthy, when
 * one was restarted in place during the watch (a crash loop), or when replicas of this deployment
 * stopped since the deployment began (each stop is reported with its cause and exit codes).
 */
export function judgeTasks(input: TasksInput): CheckResult {
  const { replicas: observation } = input;
  const { words, desired } = observation;
  if (!observation.found) {
    return checkResult("tasks", "fail", `${words.service} was not found: no ${words.replica}s to check.`, {
      desired: 0,
      running: 0,
      stopped: 0,
    });
  }
  const all = observation.replicas;
  const live = all.filter((r) => r.state !== "stopped");
  const running = live.filter((r) => r.state === "running");
  const pending = live.length - running.length;
  const unhealthy = running.filter((r) => r.health === "unhealthy");
  const restarted = live.filter((r) => (r.restarts ?? 0) > 0);
  const stoppedOfDeployment = all
    .filter((r) => r.state === "stopped" && r.ofJudgedRevision)
    .filter((r) => r.stoppedAt === undefined || r.stoppedAt.getTime() >= input.since.getTime());
  const stopped: StoppedTask[] = stoppedOfDeployment.filter((r) => !r.stoppedByScaling).map((r) => describeStop(r.id, r.stop));
  const scaledIn = stoppedOfDeployment.filter((r) => r.stoppedByScaling).map((r) => r.id);

  const observed = {
    desired,
    running: running.length,
    pending,
    stopped: stopped.length,
    scaledIn,
    unhealthy: unhealthy.map((r) => r.id),
    ...(restarted.length > 0 ? { restarted: restarted.map((r) => ({ id: r.id, restarts: r.restarts ?? 0 })) } : {}),
    stoppedTasks: stopped.slice(0, MAX_STOPPED_SHOWN),
  };
  const threshold = { minRunning: desired, unhealthy: 0, stoppedSince: input.since.toISOString() };
  const problems: string[] = [];
  const noun = words.replica;
  if (running.length < desired) problems.push(`${running.length} of ${desired} desired ${noun}s RUNNING`);
  if (unhealthy.length > 0) problems.push(`${plural(unhealthy.length, noun)} UNHEALTHY (${observed.unhealthy.join(", ")})`);
  if (restarted.length > 0) {
    const shown = restarted.map((r) => `${r.id}: ${plural(r.restarts ?? 0, "restart")}`);
    problems.push(`${plural(restarted.length, noun)} restarted during the watch (${shown.join("; ")})`);
  }
  if (stopped.length > 0) {
    const shown = stopped.slice(0, 3).map((s) => `${s.taskId}: ${s.cause}`);
    const more = stopped.length > 3 ? `, and ${stopped.length - 3} more` : "";
    problems.push(
      `${plural(stopped.length, noun)} of this deployment stopped since ${threshold.stoppedSince} (${shown.join("; ")}${more})`,
    );
  }
  if (problems.length > 0) return checkResult("tasks", "fail", `${problems.join("; ")}.`, observed, threshold);
  return checkResult(
    "tasks",
    "pass",
    `${running.length} of ${desired} desired ${noun}s RUNNING, none unhealthy, none of this deployment stopped` +
      (scaledIn.length > 0 ? ` (${plural(scaledIn.length, noun)} stopped by ${words.scaler}, not counted).` : "."),
    observed,
    threshold,
  );
}

function describeStop(taskId: string, stop: ReplicaStop | undefined): StoppedTask {
  const facts: ReplicaStop = stop ?? { kind: "other", stopCode: null, stoppedAt: null, containers: [] };
  return {
    taskId,
    cause: stopCause(facts),
    stopCode: facts.stopCode,
    stoppedReason: displayLine(facts.reason ?? ""),
    stoppedAt: facts.stoppedAt,
    containers: facts.containers.map((c) => ({ ...c, reason: c.reason ? displayLine(c.reason) : null })),
  };
}

/** Names the cause of a stop the way people search for it. */
export function stopCause(stop: ReplicaStop): string {
  switch (stop.kind) {
    case "out-of-memory":
      return `OutOfMemory${stop.container ? ` (container ${stop.container}${exitText(stop.exitCode)})` : ""}`;
    case "exited":
      return `essential container ${stop.container ?? "?"} exited${exitText(stop.exitCode)}`;
    case "failed-to-start":
      return `failed to start: ${displayLine(stop.reason ?? "no reason given", 120)}`;
    case "other":
      return displayLine(stop.reason || stop.stopCode || "stopped (no reason given)", 160);
  }
}

function exitText(code: number | undefined): string {
  return code === undefined ? "" : ` with exit code ${code}`;
}
