import type { RunRecord, RunStats } from "./types";

/** Statistics of a stack's runs from its records (any order: they are sorted newest first here). */
export function runStats(records: readonly RunRecord[]): RunStats {
  const newestFirst = sortNewestFirst(records);
  let consecutiveFailures = 0;
  for (const record of newestFirst) {
    if (record.exitCode === 0) break;
    if (record.exitCode === 1) consecutiveFailures += 1;
  }
  return {
    runs: records.length,
    successes: records.filter((r) => r.exitCode === 0).length,
    failures: records.filter((r) => r.exitCode === 1).length,
    rollbacks: records.filter((r) => r.rollback !== undefined).length,
    consecutiveFailures,
  };
}

/** Newest first by start time, then by run id (which sorts by time too). */
export function sortNewestFirst(records: readonly RunRecord[]): RunRecord[] {
  return [...records].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
}
