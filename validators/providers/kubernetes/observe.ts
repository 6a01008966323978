import type { KubernetesManifestService } from "../../../contract/manifest";
import type { ReplicaObservation, ReplicaStop, RolloutObservation, RolloutState, Vocabulary } from "../runtime";
import { type DeploymentObservation, FAILING_WAIT_REASONS, type PodObservation } from "./rollout";

/**
 * Turns the API server's objects into the seam's neutral observations (as aws/ecsObserve.ts does
 * for ECS): the Deployment's rollout state by krane's rules, and each pod of the new ReplicaSet.
 */

/**
 * COMPLETED: observedGeneration caught up, updated = available = replicas, Progressing reason
 * NewReplicaSetAvailable. FAILED at once on ProgressDeadlineExceeded. Anything else is IN_PROGRESS.
 */
export function rolloutState(d: DeploymentObservation): RolloutState {
  if (d.progressing?.reason === "ProgressDeadlineExceeded") return "FAILED";
  const caughtUp = d.observedGeneration >= d.generation;
  const settled = d.updatedReplicas === d.replicas && d.availableReplicas === d.replicas;
  return caughtUp && settled && d.progressing?.reason === "NewReplicaSetAvailable" ? "COMPLETED" : "IN_PROGRESS";
}

/** Pods whose containers cannot start or keep dying: they fail the rollout's start count. */
function failing(p: PodObservation): boolean {
  return p.problems.some((x) => (FAILING_WAIT_REASONS as readonly string[]).includes(x.reason) || x.reason === "OOMKilled");
}

export function rolloutOf(
  words: Vocabulary,
  service: KubernetesManifestService,
  d: DeploymentObservation | undefined,
  pods: PodObservation[],
): RolloutObservation {
  if (!d) return { words, found: false };
  const expected = `${service.deployment}:${service.imageTag}`;
  const rs = d.newReplicaSet;
  const state = rolloutState(d);
  return {
    words,
    found: true,
    revision: {
      id: rs?.name ?? null,
      state,
      stateReason: state === "COMPLETED" ? null : (d.progressing?.message ?? d.progressing?.reason ?? null),
      runs: `${service.deployment}:${rs?.imageTags.join("+") ?? "(no new ReplicaSet yet)"}`,
      expected,
      isExpected: rs?.imageTags.includes(service.imageTag) ?? false,
      desired: d.replicas,
      running: d.availableReplicas,
      pending: Math.max(0, d.replicas - d.availableReplicas),
      failedStarts: pods.filter(failing).length,
      revisions: d.replicaSets.filter((r) => r.replicas > 0).length,
      createdAt: rs?.createdAt ?? null,
    },
    ...(rs?.createdAt ? { deployedAt: new Date(rs.createdAt) } : {}),
  };
}

/**
 * One pod of the new ReplicaSet. A pod whose container waits in CrashLoopBackOff, ImagePullBackOff,
 * ErrImagePull or CreateContainerConfigError, or was last OOMKilled, is reported stopped with the
 * reason, so the tasks check names the pod and why.
 */
export function podReplica(p: PodObservation, restartsDuringWatch: number): ReplicaObservation {
  const problem =
    p.problems.find((x) => x.reason === "OOMKilled") ??
    p.problems.find((x) => (FAILING_WAIT_REASONS as readonly string[]).includes(x.reason));
  const base = { id: p.name, ofJudgedRevision: true, restarts: restartsDuringWatch };
  if (problem) return { ...base, state: "stopped", health: "unhealthy", stop: stopOf(p, problem) };
  const running = p.phase === "Running";
  return { ...base, state: running ? "running" : "pending", health: p.ready ? "healthy" : running ? "unhealthy" : "unknown" };
}

function stopOf(p: PodObservation, problem: PodObservation["problems"][number]): ReplicaStop {
  const containers = p.problems.map((x) => ({
    name: x.container,
    exitCode: exitCodeOf(x.message),
    reason: x.reason,
  }));
  const words = `${problem.reason} (container ${problem.container})${problem.message ? `: ${problem.message}` : ""}`;
  if (problem.reason === "OOMKilled") {
    const exitCode = exitCodeOf(problem.message);
    return {
      kind: "out-of-memory",
      container: problem.container,
      ...(exitCode !== null ? { exitCode } : {}),
      stopCode: "OOMKilled",
      reason: words,
      stoppedAt: null,
      containers,
    };
  }
  const kind = problem.reason === "CrashLoopBackOff" ? "other" : "failed-to-start";
  return { kind, container: problem.container, stopCode: problem.reason, reason: words, stoppedAt: null, containers };
}

function exitCodeOf(message: string | undefined): number | null {
  const m = /exit code (-?\d+)/.exec(message ?? "");
  return m ? Number(m[1]) : null;
}
