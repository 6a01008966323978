import type { Task } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../providers/aws/clients";
import { stopCause } from "../checks/tasks";
import { ecsStop, stoppedByScaling } from "../providers/aws/ecsObserve";
import { taskDefinitionName } from "../providers/aws/ecsObserve";
import { clusterTasks, tasksByGroup } from "../providers/aws/ecs";
import { fetchErrorCounts, fetchLatency, type MetricWindow, type Outcome } from "../providers/aws/metrics";
import type { CanaryInput, SideFigures } from "./analysis";
import type { DeploymentSide } from "../providers/aws/ecsDeployments";

/** One service to compare: its two sides over the same window, from `start` to the end of the run. */
export interface ComparisonWindow {
  service: string;
  ecsService: string;
  loadBalancer: string;
  canary: DeploymentSide;
  baseline: DeploymentSide;
  sharePercent: number;
  start: Date;
}

/** What was measured for a service: the canary analysis' input without its policy. */
export type Measured = Omit<CanaryInput, "policy">;

/**
 * Measures every window at once: one GetMetricData request for the counts of both target groups
 * of every service (4 queries per service, 1 per load balancer; 500 per request) and one apart for
 * the percentiles (a failure there makes only the p99 unknown), and the cluster's tasks listed
 * once for crashes of the new revisions since each window's start.
 */
export async function measureComparisons(
  clients: Pick<AwsClients, "cloudwatch" | "ecs">,
  cluster: string,
  windows: readonly ComparisonWindow[],
  end: Date,
  concurrency = 10,
): Promise<Map<string, Measured>> {
  const metricWindows: MetricWindow[] = windows.flatMap((w) => [
    { service: key(w.service, "canary"), targetGroup: w.canary.targetGroup, loadBalancer: w.loadBalancer, start: w.start },
    { service: key(w.service, "baseline"), targetGroup: w.baseline.targetGroup, loadBalancer: w.loadBalancer, start: w.start },
  ]);
  if (metricWindows.length === 0) return new Map();
  const [counts, latency, tasks] = await Promise.all([
    fetchErrorCounts(clients.cloudwatch, metricWindows, end),
    fetchLatency(clients.cloudwatch, metricWindows, end),
    clusterTasks(clients.ecs, cluster, concurrency).then(tasksByGroup),
  ]);
  const out = new Map<string, Measured>();
  for (const w of windows) {
    const side = (which: "canary" | "baseline", s: DeploymentSide): SideFigures => ({
      ...s,
      ...countsOf(counts.get(key(w.service, which))),
      ...p99Of(latency.get(key(w.service, which))),
    });
    const crashes = crashesOf(tasks.get(`service:${w.ecsService}`) ?? [], w.canary.taskDefinition, w.start);
    out.set(w.service, {
      canary: { ...side("canary", w.canary), crashes },
      baseline: side("baseline", w.baseline),
      sharePercent: w.sharePercent,
      windowStart: w.start,
      windowEnd: end,
    });
  }
  return out;
}

/**
 * Tasks of the new revision that crashed since `since`: stopped with an essential container's
 * exit, out of memory, a failed start or a non-zero exit code. A stop ECS asked for (scale-in, the
 * deployment replacing a task) is not a crash. Without the revision's task definition nothing can
 * be attributed to it, so nothing counts.
 */
export function crashesOf(tasks: readonly Task[], taskDefinition: string | undefined, since: Date): { taskId: string; cause: string }[] {
  if (!taskDefinition) return [];
  return tasks
    .filter((t) => t.lastStatus === "STOPPED" || t.desiredStatus === "STOPPED")
    .filter((t) => taskDefinitionName(t.taskDefinitionArn) === taskDefinitionName(taskDefinition))
    .filter((t) => {
      const at = t.stoppedAt ?? t.stoppingAt ?? t.executionStoppedAt;
      return at === undefined || at.getTime() >= since.getTime();
    })
    .filter(isCrash)
    .map((t) => ({ taskId: (t.taskArn ?? "?").split("/").pop() ?? "?", cause: stopCause(ecsStop(t)) }));
}

function isCrash(task: Task): boolean {
  if (stoppedByScaling(task)) return false;
  if (task.stopCode === "EssentialContainerExited" || task.stopCode === "TaskFailedToStart") return true;
  const reasons = [task.stoppedReason ?? "", ...(task.containers ?? []).map((c) => c.reason ?? "")];
  if (reasons.some((r) => /OutOfMemory|Essential container in task exited/i.test(r))) return true;
  return (task.containers ?? []).some((c) => c.exitCode !== undefined && c.exitCode !== 0);
}

function countsOf(
  outcome: Outcome<{ requests: number; errors5xx: number }> | undefined,
): Pick<SideFigures, "requests" | "errors5xx" | "unavailable"> {
  if (!outcome) return { unavailable: "no metrics were returned" };
  return outcome.ok ? { requests: outcome.value.requests, errors5xx: outcome.value.errors5xx } : { unavailable: outcome.reason };
}

function p99Of(outcome: Outcome<{ p99Ms?: number }> | undefined): Pick<SideFigures, "p99Ms" | "latencyUnavailable"> {
  if (!outcome) return { latencyUnavailable: "no metrics were returned" };
  if (!outcome.ok) return { latencyUnavailable: outcome.reason };
  return outcome.value.p99Ms === undefined
    ? { latencyUnavailable: "no TargetResponseTime data in the window" }
    : { p99Ms: outcome.value.p99Ms };
}

const key = (service: string, side: "canary" | "baseline") => `${service}#${side}`;
