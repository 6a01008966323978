import { alertSubject, groupAlertActions } from "./alerts";
import { type Paint, PLAIN, paintStatus } from "./colour";
import { type AnyReport, attemptText, durationSeconds, statusCounts } from "./format";

/**
 * The report as a table for people: one block per service, one row per check with its status
 * and the sentence that explains it, then the verdict. `paint` colours the statuses (a terminal).
 */
export function renderText(report: AnyReport, title = "validate", paint: Paint = PLAIN): string {
  const lines: string[] = [];
  lines.push(`deployctl ${title}: stack ${report.stack}, ${report.services.length} service(s), ${durationSeconds(report)} s`);
  const nameWidth = Math.max(5, ...report.services.flatMap((s) => s.checks.map((c) => c.name.length)));
  const statusWidth = Math.max(6, ...report.services.flatMap((s) => s.checks.map((c) => c.status.length)));
  for (const service of report.services) {
    lines.push("");
    lines.push(`${service.name}: ${paintStatus(paint, service.verdict.toUpperCase())}`);
    lines.push(`  ${"CHECK".padEnd(nameWidth)}  ${"STATUS".padEnd(statusWidth)}  DETAILS`);
    for (const check of service.checks) {
      const [first, ...rest] = check.message.split("\n");
      lines.push(`  ${check.name.padEnd(nameWidth)}  ${paintStatus(paint, check.status.padEnd(statusWidth))}  ${first}`);
      for (const more of rest) lines.push(`  ${"".padEnd(nameWidth)}  ${"".padEnd(statusWidth)}  ${more}`);
    }
  }
  for (const attempt of report.attempts ?? []) lines.push(attemptText(attempt));
  for (const action of report.actions.filter((a) => a.kind !== "alert" && a.kind !== "resolve")) {
    lines.push(`action ${action.kind}${action.target ? ` ${action.target}` : ""}: ${action.status}: ${action.message}`);
  }
  for (const group of groupAlertActions(report.actions)) lines.push(`action ${alertSubject(group)}: ${group.status}: ${group.message}`);
  lines.push("");
  lines.push(`Verdict: ${paintStatus(paint, report.verdict.toUpperCase())} (${statusCounts(report) || "no checks"})`);
  return `${lines.join("\n")}\n`;
}
