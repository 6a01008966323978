import type { ReplicaObservation, ReplicasObservation } from "../providers/runtime";

/**
 * Replicas that stopped or restarted during the watchdog, from the runtime's two readings (before
 * the first poll and after the last), each named: a replica running before and gone or stopped
 * after; a new replica that was not there before (ECS replaces a task instead of restarting it);
 * a stopped replica of the judged revision whose stop falls inside the watch; a restart count that
 * went up (Docker, Kubernetes). Replicas stopped on purpose by the runtime (scale-in) are not counted.
 */
export function replicaChanges(before: ReplicasObservation, after: ReplicasObservation, watch: { start: Date; end: Date }): string[] {
  const replica = after.words.replica;
  const earlier = new Map(before.replicas.map((r) => [r.id, r]));
  const later = new Map(after.replicas.map((r) => [r.id, r]));
  const problems: string[] = [];
  for (const [id, was] of earlier) {
    if (was.state === "stopped") continue;
    const now = later.get(id);
    if (!now) {
      problems.push(`${replica} ${id} was ${was.state} when the watch began and is gone at its end`);
    } else if (now.state === "stopped" && !now.stoppedByScaling) {
      problems.push(`${replica} ${id} stopped during the watch${stopWords(now)}`);
    } else if ((now.restarts ?? 0) > (was.restarts ?? 0)) {
      problems.push(`${replica} ${id} restarted ${(now.restarts ?? 0) - (was.restarts ?? 0)} time(s) during the watch`);
    }
  }
  for (const [id, now] of later) {
    if (earlier.has(id)) continue;
    if (now.state === "stopped") {
      if (now.ofJudgedRevision && !now.stoppedByScaling && inside(now.stoppedAt, watch)) {
        problems.push(`${replica} ${id} started and stopped during the watch${stopWords(now)}`);
      }
    } else if (now.ofJudgedRevision) {
      problems.push(`${replica} ${id} started during the watch (replacing one that stopped)`);
    }
  }
  return problems;
}

function inside(at: Date | undefined, watch: { start: Date; end: Date }): boolean {
  return at === undefined || (at.getTime() >= watch.start.getTime() && at.getTime() <= watch.end.getTime());
}

function stopWords(r: ReplicaObservation): string {
  if (!r.stop) return "";
  return ` (${r.stop.stopCode ?? r.stop.kind}${r.stop.exitCode !== undefined ? `, exit code ${r.stop.exitCode}` : ""})`;
}
