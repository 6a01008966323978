import type { CheckStatus, RetryAttempt, ValidationReport, Verdict } from "../../contract/report";

/** How a report is printed: a table for people, JSON for machines, markdown for CI summaries. */
export const OUTPUT_FORMATS = ["text", "json", "markdown"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Any report of the validation shape (validate's or gate's). */
export type AnyReport = ValidationReport<string>;

export const STATUS_ICON: Record<CheckStatus, string> = {
  pass: "✅",
  warn: "⚠️",
  fail: "❌",
  inconclusive: "❔",
  skipped: "⏭️",
};

export const VERDICT_ICON: Record<Verdict, string> = { pass: "✅", fail: "❌", inconclusive: "❔" };

/** Seconds between the report's start and finish, for the summary line. */
export function durationSeconds(report: AnyReport): number {
  const ms = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return Number.isFinite(ms) ? Math.round(ms / 100) / 10 : 0;
}

/** "2 pass, 1 warn, 1 skipped": the count of each status among the checks. */
export function statusCounts(report: AnyReport): string {
  const counts = new Map<CheckStatus, number>();
  for (const service of report.services) {
    for (const check of service.checks) counts.set(check.status, (counts.get(check.status) ?? 0) + 1);
  }
  const order: CheckStatus[] = ["pass", "warn", "fail", "inconclusive", "skipped"];
  return order
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(", ");
}

/**
 * One `--retries` attempt in words: `attempt 2 (force-new-deployment api) at 2024-05-01T10:01:00.000Z:
 * fail (api smoke: ...)`; the failing checks named, or why the attempt could not be made.
 */
export function attemptText(a: RetryAttempt): string {
  const failing = a.failingChecks.map((c) => `${c.service} ${c.check}: ${c.message}`).join("; ");
  const why = a.error ? `; not restarted: ${a.error}` : "";
  return `attempt ${a.attempt} (${a.action} ${a.services.join(", ")}) at ${a.at}: ${a.verdict}${failing ? ` (${failing})` : ""}${why}`;
}
