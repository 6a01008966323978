import type { RunRecord } from "../records/types";

/** How many of the source stack's newest run records promote reads to find a service's last run. */
export const HISTORY_DEPTH = 100;

/** The source stack's newest run touching a service ended badly for it: why promote refuses. */
export interface LastRunProblem {
  kind: "failed" | "rolled-back";
  runId: string;
  /** One sentence: which run, and what happened to the service in it. */
  reason: string;
}

/** Whether the run deployed, validated or rolled back the service. */
export function touches(record: RunRecord, service: string): boolean {
  return (
    record.services.some((s) => s.name === service) ||
    (record.rollback?.services.includes(service) ?? false) ||
    record.validations.some((v) => v.services.some((s) => s.name === service))
  );
}

/**
 * Looks at the newest run (records newest first) that touched the service: a problem when it rolled
 * the service back, or when it failed for the service (its last validation of the service has a
 * fail verdict; without a verdict for it, the run as a whole failed). Inconclusive runs, the
 * validator's own errors, refusals and runs that changed nothing are not failures (undefined).
 */
export function lastRunProblem(records: readonly RunRecord[], stack: string, service: string): LastRunProblem | undefined {
  const run = records.find((r) => touches(r, service));
  if (!run) return undefined;
  const which = `run ${run.runId} (${run.command} by ${run.who} at ${run.startedAt})`;
  if (run.rollback?.services.includes(service)) {
    const status = run.rollback.status === "ok" ? "" : " and the rollback failed";
    return {
      kind: "rolled-back",
      runId: run.runId,
      reason: `its last run in ${stack} rolled it back${status}: ${which}: ${run.rollback.reason}`,
    };
  }
  const verdicts = run.validations.flatMap((v) => v.services.filter((s) => s.name === service));
  const last = verdicts.at(-1);
  if (last) {
    if (last.verdict !== "fail") return undefined;
    const failing = last.checks.filter((c) => c.status === "fail").map((c) => `${c.name} failed (${c.message})`);
    return {
      kind: "failed",
      runId: run.runId,
      reason: `its last run in ${stack} failed: ${which}: ${failing.join("; ") || "verdict fail"}`,
    };
  }
  if (run.outcome === "failed" || run.outcome === "rolled-back" || run.outcome === "rollback-failed") {
    return {
      kind: "failed",
      runId: run.runId,
      reason: `its last run in ${stack} failed: ${which}: ${run.error ?? `the run ended ${run.outcome}`}`,
    };
  }
  return undefined;
}
