import type { SavedRecord } from "../records/recorder";
import { attemptText } from "./format";
import type { FailedTrafficStep, RunRecord } from "../records/types";
import { alertSubject, groupAlertActions } from "./alerts";
import { type Paint, PLAIN, paintStatus, type Tone } from "./colour";

/** The end of a release command for people: outcome, services, rollback, channel results, where the record went. */
export function renderRunSummary(saved: SavedRecord, paint: Paint = PLAIN): string {
  const { record } = saved;
  const outcome = paint === PLAIN ? record.outcome : paint(record.outcome, OUTCOME_TONE[record.outcome]);
  const lines = [
    `${record.command} on stack ${record.stack}: ${outcome} (verdict ${paintStatus(paint, record.verdict)}, exit ${record.exitCode})`,
  ];
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
  for (const a of record.actions.filter((x) => x.kind === "traffic-step")) lines.push(`  traffic ${a.message}`);
  for (const a of record.attempts ?? []) lines.push(`  ${attemptText(a)}`);
  if (record.rollback) {
    lines.push(
      `  rollback ${record.rollback.status}: ${record.rollback.services.join(", ") || "nothing to roll back to"} (${record.rollback.reason})`,
    );
    const step = record.rollback.failedStep;
    if (step) lines.push(`  failed step: ${failedStepText(step)}`);
  }
  for (const a of groupAlertActions(record.actions))
    lines.push(`  ${alertSubject(a)}: ${a.status}${a.status === "ok" ? "" : ` (${a.message})`}`);
  lines.push(saved.location ? `  record: ${saved.location}` : `  record NOT written: ${saved.error ?? "unknown error"}`);
  return `${lines.join("\n")}\n`;
}

/** JSON output: the run record itself. */
export function renderRunJson(record: RunRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

const OUTCOME_ICON: Record<RunRecord["outcome"], string> = {
  released: "✅",
  "nothing-to-do": "✅",
  "rolled-back": "↩️",
  "rollback-failed": "🚨",
  failed: "❌",
  inconclusive: "❔",
  refused: "⛔",
  error: "⚠️",
};

/** Markdown for a CI summary ($GITHUB_STEP_SUMMARY): outcome, services, stages, rollback, alerts. */
export function renderRunMarkdown(saved: SavedRecord): string {
  const { record } = saved;
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const out = [
    `### ${OUTCOME_ICON[record.outcome]} deployctl ${record.command}: stack \`${record.stack}\` is **${record.outcome}** (verdict ${record.verdict}, exit ${record.exitCode})`,
    "",
    `Run \`${record.runId}\` by ${cell(record.who)}, ${record.startedAt} to ${record.finishedAt}.`,
  ];
  if (record.error) out.push("", `**Why:** ${cell(record.error)}`);
  if (record.services.length > 0) {
    out.push("", "| Service | Before | Deployed | After |", "|---|---|---|---|");
    for (const s of record.services) out.push(`| ${s.name} | ${s.tagBefore ?? "-"} | ${s.tagDeployed ?? "-"} | ${s.tagAfter ?? "-"} |`);
  }
  const stages = record.actions.filter((a) => a.kind === "stage");
  if (stages.length > 0) {
    out.push("", "| Stage | State | Seconds |", "|---|---|---|");
    for (const a of stages)
      out.push(`| ${cell(a.target ?? "")} | ${String(a.details?.state ?? a.status)} | ${String(a.details?.elapsedSeconds ?? "")} |`);
  }
  const steps = record.actions.filter((a) => a.kind === "traffic-step");
  if (steps.length > 0) {
    out.push("", "| Traffic step | Verdict | Minutes observed |", "|---|---|---|");
    for (const a of steps)
      out.push(
        `| ${cell(a.target ?? "")} ${String(a.details?.bake ? "bake at " : "")}${String(a.details?.percent ?? "")}% | ${String(a.details?.verdict ?? a.status)} | ${String(a.details?.observedMinutes ?? "")} |`,
      );
  }
  if (record.attempts && record.attempts.length > 0) {
    out.push("", "| Attempt | Action | Services | Verdict | Failing checks |", "|---|---|---|---|---|");
    for (const a of record.attempts) {
      const failing = a.failingChecks.map((c) => `${c.service} ${c.check}: ${c.message}`);
      const details = [...failing, ...(a.error ? [`not restarted: ${a.error}`] : [])].join("; ") || "-";
      out.push(`| ${a.attempt} | ${a.action} | ${cell(a.services.join(", "))} | ${a.verdict} | ${cell(details)} |`);
    }
  }
  if (record.rollback)
    out.push(
      "",
      `**Rollback ${record.rollback.status}** of ${record.rollback.services.join(", ") || "nothing"}: ${cell(record.rollback.reason)}`,
    );
  if (record.rollback?.failedStep) out.push("", `**Failed step:** ${cell(failedStepText(record.rollback.failedStep))}`);
  const alerts = groupAlertActions(record.actions);
  if (alerts.length > 0)
    out.push(
      "",
      `Alerts: ${alerts.map((a) => `${alertSubject(a)} ${a.status}${a.status === "ok" ? "" : ` (${cell(a.message)})`}`).join(", ")}`,
    );
  out.push("", saved.location ? `Record: \`${saved.location}\`` : `Record **not written**: ${cell(saved.error ?? "unknown error")}`);
  return `${out.join("\n")}\n`;
}

/** The run's output in the format asked for; `paint` colours the text form's outcome and verdict (a terminal). */
export function renderRun(saved: SavedRecord, format: "text" | "json" | "markdown", paint: Paint = PLAIN): string {
  return format === "json"
    ? renderRunJson(saved.record)
    : format === "markdown"
      ? renderRunMarkdown(saved)
      : renderRunSummary(saved, paint);
}

/** The colour of an outcome: released green, rolled back yellow, inconclusive magenta, anything that went wrong red. */
const OUTCOME_TONE: Record<RunRecord["outcome"], Tone> = {
  released: "pass",
  "nothing-to-do": "pass",
  "rolled-back": "warn",
  inconclusive: "inconclusive",
  failed: "fail",
  "rollback-failed": "fail",
  refused: "fail",
  error: "fail",
};

/** `api at 25% (step 2): fail: 5xx 6% above 1%; traffic back 0s after the verdict (deployctl, ROLLBACK_SUCCESSFUL)`. */
export function failedStepText(step: FailedTrafficStep): string {
  const back = step.secondsToRollback !== undefined ? `traffic back ${step.secondsToRollback}s after the verdict` : "traffic returned";
  return `${step.service} at ${step.percent}% (step ${step.step}): ${step.verdict}: ${step.reason}; ${back} (${step.rolledBackBy}${step.rollbackStatus ? `, ${step.rollbackStatus}` : ""})`;
}
