import { table } from "../analysis/render";
import type { ActionStatus, ExecutionSummary, PipelineStatus } from "./types";

/** The human view of `pipeline status`: the newest execution, each stage and action, then older executions. */

function source(e: ExecutionSummary): string {
  return e.sourceRevisions
    .map(
      (r) =>
        `${r.actionName} ${r.revisionId ? r.revisionId.slice(0, 7) : "?"}${r.summary ? ` ${JSON.stringify(firstLine(r.summary))}` : ""}`,
    )
    .join("; ");
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

function details(a: ActionStatus): string {
  const parts: string[] = [];
  if (a.error) parts.push(`${a.error.code ?? "error"}: ${a.error.message ?? ""}`.trim());
  else if (a.summary) parts.push(a.summary);
  if (a.externalUrl) parts.push(a.externalUrl);
  return parts.join(" ");
}

export function renderPipelineStatusText(s: PipelineStatus): string {
  const out: string[] = [];
  const latest = s.executions[0];
  if (!latest) {
    out.push(`Pipeline ${s.pipeline} (${s.region}): no executions yet.`);
    return `${out.join("\n")}\n`;
  }
  out.push(
    `Pipeline ${s.pipeline} (${s.region}): latest execution ${latest.id} ${latest.status}${latest.statusSummary ? `: ${latest.statusSummary}` : ""}`,
  );
  out.push(
    `  started ${latest.startTime ?? "?"}, updated ${latest.lastUpdateTime ?? "?"}${latest.trigger ? `, trigger ${latest.trigger}` : ""}`,
  );
  if (latest.sourceRevisions.length > 0) out.push(`  source ${source(latest)}`);
  out.push(`  ${latest.url}`);
  const rows: string[][] = [];
  for (const stage of s.stages) {
    stage.actions.forEach((a, i) => {
      rows.push([
        i === 0 ? `${stage.name} (${stage.status})` : "",
        a.name,
        String(a.runOrder),
        a.status,
        a.lastStatusChange ?? "",
        details(a),
      ]);
    });
    if (stage.actions.length === 0) rows.push([`${stage.name} (${stage.status})`, "", "", "", "", ""]);
  }
  out.push("", ...table(["STAGE", "ACTION", "RUN", "STATUS", "CHANGED", "DETAILS"], rows));
  if (s.executions.length > 1) {
    out.push(
      "",
      ...table(
        ["EXECUTION", "STATUS", "STARTED", "UPDATED", "SOURCE"],
        s.executions.map((e) => [e.id, e.status, e.startTime ?? "", e.lastUpdateTime ?? "", source(e)]),
      ),
    );
  }
  if (s.failed)
    out.push(
      "",
      `The latest execution ${latest.status === "Failed" ? "failed" : `is ${latest.status}`}: its change did not reach a validated release.`,
    );
  return `${out.join("\n")}\n`;
}
