import { type AnyReport, STATUS_ICON, VERDICT_ICON, attemptText, durationSeconds, statusCounts } from "./format";

/** The report as markdown for a CI job summary ($GITHUB_STEP_SUMMARY): a heading and a table. */
export function renderMarkdown(report: AnyReport, title = "validate"): string {
  const lines: string[] = [];
  lines.push(`### ${VERDICT_ICON[report.verdict]} deployctl ${title}: stack \`${report.stack}\` is **${report.verdict}**`);
  lines.push("");
  lines.push(
    `${report.services.length} service(s), ${statusCounts(report) || "no checks"}; finished ${report.finishedAt} in ${durationSeconds(report)} s.`,
  );
  lines.push("");
  lines.push("| Service | Check | Status | Details |");
  lines.push("| --- | --- | --- | --- |");
  for (const service of report.services) {
    service.checks.forEach((check, index) => {
      const name = index === 0 ? `**${cell(service.name)}** (${service.verdict})` : "";
      lines.push(`| ${name} | ${cell(check.name)} | ${STATUS_ICON[check.status]} ${check.status} | ${cell(check.message)} |`);
    });
  }
  if (report.attempts && report.attempts.length > 0) {
    lines.push("");
    lines.push("**Attempts** (--retries)");
    lines.push("");
    for (const attempt of report.attempts) lines.push(`- ${cell(attemptText(attempt))}`);
  }
  if (report.actions.length > 0) {
    lines.push("");
    lines.push("**Actions**");
    lines.push("");
    for (const action of report.actions) {
      lines.push(`- ${cell(action.kind)}${action.target ? ` ${cell(action.target)}` : ""}: ${action.status}: ${cell(action.message)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Escapes what would break a table cell (pipes, newlines) and markdown's inline specials. */
function cell(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"))
    .replace(/\r?\n/g, "<br>");
}
