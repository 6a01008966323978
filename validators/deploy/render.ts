import type { SavedRecord } from "../records/recorder";
import type { RunRecord } from "../records/types";

/** The end of a release command for people: outcome, services, rollback, channel results, where the record went. */
export function renderRunSummary(saved: SavedRecord): string {
  const { record } = saved;
  const lines = [`${record.command} on stack ${record.stack}: ${record.outcome} (verdict ${record.verdict}, exit ${record.exitCode})`];
  for (const s of record.services) {
    const after = s.tagAfter ?? "?";
    const change =
      s.tagDeployed !== undefined && s.tagDeployed !== s.tagAfter
        ? `${s.tagBefore ?? "?"} -> ${s.tagDeployed}, rolled back to ${after}`
        : s.tagBefore === undefined || s.tagBefore === after
          ? after
          : `${s.tagBefore} -> ${after}`;
    lines.push(`  ${s.name.padEnd(16)} ${change}`);
  }
  if (record.error) lines.push(`  why: ${record.error}`);
  if (record.rollback) {
    lines.push(`  rollback ${record.rollback.status}: ${record.rollback.services.join(", ") || "nothing to roll back to"} (${record.rollback.reason})`);
  }
  const alerts = record.actions.filter((a) => a.kind === "alert" || a.kind === "resolve");
  for (const a of alerts) lines.push(`  ${a.kind} ${a.target ?? ""}: ${a.status}${a.status === "ok" ? "" : ` (${a.message})`}`);
  lines.push(saved.location ? `  record: ${saved.location}` : `  record NOT written: ${saved.error ?? "unknown error"}`);
  return `${lines.join("\n")}\n`;
}

/** JSON output: the run record itself. */
export function renderRunJson(record: RunRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}
