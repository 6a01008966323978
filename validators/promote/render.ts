import { formatSeconds } from "../../contract/duration";
import type { DriftItem, DriftReport } from "./drift";
import type { ServicePlan } from "./plan";
import type { PromotionResult as PromotionEnd, PromotionView } from "./types";

/** A promotion as printed: how it ended and the exit code the CLI gives it. */
export type PromotionResult = PromotionEnd & { exitCode: number };

export const PROMOTION_SCHEMA_VERSION = 1;

/** GitHub's limit for a pull request body is 65,536 characters; the markdown stays under this. */
export const MARKDOWN_LIMIT = 60_000;

/** The plan for people: the table of services, then the drift the tier does not explain. */
export function renderPlanText(view: PromotionView): string {
  const rows = view.services.map((s) => [
    s.name,
    s.tagBefore,
    s.tagAfter ?? "(none)",
    s.release?.validatedAt ?? "-",
    s.release?.who ?? "-",
    s.release?.runId ?? "-",
    statusText(s),
  ]);
  const out = [`Promote ${view.from} -> ${view.to} (${view.stackFile}; last good releases at most ${view.maxAgeDays} days old)`, ""];
  out.push(...table(["SERVICE", "BEFORE", "AFTER", "VALIDATED", "BY", "RUN", "STATUS"], rows), "", ...driftText(view.drift));
  return `${out.join("\n")}\n`;
}

/** How it ended, for people: the reasons of a refusal, or what was written. */
export function renderOutcomeText(result: PromotionResult): string {
  const out: string[] = [];
  const refused = result.services.filter((s) => s.status === "refused");
  if (result.outcome === "refused") {
    out.push(`Refused: ${refused.length} of ${result.services.length} service(s) cannot be promoted; nothing was changed.`);
    for (const s of refused) for (const r of s.reasons) out.push(`  - ${s.name}: ${r}`);
  } else if (result.outcome === "cancelled") {
    out.push("Cancelled: nothing was changed.");
  } else if (result.outcome === "nothing-to-change") {
    out.push(`Nothing to promote: ${result.stackFile} already has ${result.from}'s last good tags.`);
  } else if (result.outcome === "would-promote") {
    out.push(`Would promote ${result.changes.length} service(s) from ${result.from} to ${result.to}; ${result.stackFile} would change:`);
    for (const c of result.changes) {
      if (c.from !== null) out.push(`- ${c.path}: ${c.from} (${c.service})`);
      out.push(`+ ${c.path}: ${c.to} (${c.service})`);
    }
    const copies = result.services.filter((s) => s.status === "promote" && s.image?.action === "copy");
    for (const s of copies) out.push(`  would copy image ${s.image?.tag} from ${s.image?.source} into ${s.image?.target}`);
  } else {
    out.push(
      `Promoted ${result.changes.length} service(s) from ${result.from} to ${result.to}: wrote ${result.stackFile}. Commit it for review; deploying ${result.to} runs them.`,
    );
    for (const c of result.changes) out.push(`  ${c.path}: ${c.from ?? "(unset)"} -> ${c.to}`);
    const copied = result.services.filter((s) => s.image?.action === "copied");
    for (const s of copied) out.push(`  copied image ${s.image?.tag} into ${s.image?.target}`);
  }
  return `${out.join("\n")}\n`;
}

/** The JSON document (`--output json`): the same facts as the text, as one object. */
export function renderJson(result: PromotionResult): string {
  const doc = {
    schemaVersion: PROMOTION_SCHEMA_VERSION,
    from: result.from,
    to: result.to,
    stackFile: result.stackFile,
    ...(result.dryRun ? { dryRun: true } : {}),
    outcome: result.outcome,
    exitCode: result.exitCode,
    maxAgeDays: result.maxAgeDays,
    ...(result.stabilisation ? { stabilisation: result.stabilisation } : {}),
    services: result.services,
    changes: result.changes,
    drift: result.drift,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

const ICON: Record<PromotionResult["outcome"], string> = {
  promoted: "✅",
  "would-promote": "🔍",
  "nothing-to-change": "✅",
  refused: "⛔",
  cancelled: "✋",
};

/** The first and last line of a dry run's output (text and markdown). */
export const PROMOTE_DRY_RUN_HEAD = "dry run: promote plans and shows; it writes, copies and locks nothing";
export const PROMOTE_DRY_RUN_FOOT = "dry run: nothing was written, no image was copied, no lock was taken";

/** Markdown for the promotion's pull request body and $GITHUB_STEP_SUMMARY, under MARKDOWN_LIMIT characters. */
export function renderMarkdown(result: PromotionResult, limit = MARKDOWN_LIMIT): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const out = [
    ...(result.dryRun ? [`_${PROMOTE_DRY_RUN_HEAD}_`, ""] : []),
    `### ${ICON[result.outcome]} Promote \`${result.from}\` to \`${result.to}\`: **${result.outcome}** (exit ${result.exitCode})`,
    "",
  ];
  out.push("| Service | Before | After | Validated | By | Run | Status |", "|---|---|---|---|---|---|---|");
  for (const s of result.services) {
    out.push(
      `| ${s.name} | \`${s.tagBefore}\` | ${s.tagAfter ? `\`${s.tagAfter}\`` : "-"} | ${s.release?.validatedAt ?? "-"} | ${cell(s.release?.who ?? "-")} | ${s.release?.runId ?? "-"} | ${cell(statusText(s))} |`,
    );
  }
  const window = result.stabilisation;
  if (window?.overrideReason !== undefined)
    out.push("", `**Stabilisation window overridden** (--min-age ${formatSeconds(window.minAgeSeconds)}): ${cell(window.overrideReason)}`);
  const reasons = result.services.flatMap((s) => s.reasons.map((r) => `- **${s.name}**: ${cell(r)}`));
  if (reasons.length > 0) out.push("", "**Refused** (nothing was changed):", "", ...reasons);
  if (result.changes.length > 0)
    out.push(
      "",
      `${result.dryRun ? "Would write to" : "Written to"} \`${result.stackFile}\`: ${result.changes.map((c) => `\`${c.path}\` ${c.from ?? "(unset)"} → ${c.to}`).join(", ")}.`,
    );
  const head = out.join("\n");
  const drift = driftMarkdown(result.drift, limit - head.length - 200);
  return `${head}\n\n${drift}\n${result.dryRun ? `\n_${PROMOTE_DRY_RUN_FOOT}_\n` : ""}`;
}

function statusText(s: ServicePlan): string {
  if (s.status === "refused") return "REFUSED";
  if (s.status === "unchanged") return "unchanged";
  if (!s.image) return "promote";
  if (s.image.action === "unchecked") return `promote (image not checked: ${s.image.note ?? "the registry did not answer"})`;
  return s.image.action === "present" ? `promote (image in ${s.image.target})` : `promote (${s.image.action} image into ${s.image.target})`;
}

const MARK: Record<DriftItem["kind"], string> = { differs: "~", "only-in-from": "-", "only-in-to": "+" };

function where(item: DriftItem, drift: DriftReport): string {
  return item.kind === "differs" ? "" : ` (only in ${item.kind === "only-in-from" ? drift.from : drift.to})`;
}

function driftText(drift: DriftReport): string[] {
  const out = [
    `Drift between ${drift.from} and ${drift.to} not explained by the tier: ${drift.items.length === 0 ? "none" : drift.items.length}`,
  ];
  for (const item of drift.items) {
    out.push(`  ${MARK[item.kind]} ${item.type} ${item.name}${where(item, drift)}`);
    for (const i of item.inputs) out.push(`      ${i.path}: ${show(i.from)} -> ${show(i.to)}`);
  }
  out.push(explainedLine(drift));
  return out;
}

function explainedLine(drift: DriftReport): string {
  const parts = drift.explained.map((e) => `${e.what} ${e.count}`);
  return `Explained by the tier, not listed: ${parts.length === 0 ? "nothing" : parts.join(", ")}`;
}

/** The drift as a list, cut (with a count of what was left out) to fit `budget` characters. */
function driftMarkdown(drift: DriftReport, budget: number): string {
  const head = `#### Drift between \`${drift.from}\` and \`${drift.to}\` not explained by the tier: ${drift.items.length === 0 ? "none" : drift.items.length}`;
  const tail = `_${explainedLine(drift)}._`;
  const blocks = drift.items.map((item) =>
    [
      `- \`${MARK[item.kind]}\` \`${item.type}\` \`${item.name}\`${where(item, drift)}`,
      ...item.inputs.map((i) => `  - \`${i.path}\`: ${code(i.from)} → ${code(i.to)}`),
    ].join("\n"),
  );
  const kept: string[] = [];
  let size = head.length + tail.length + 200;
  for (const block of blocks) {
    if (size + block.length + 1 > budget) break;
    kept.push(block);
    size += block.length + 1;
  }
  const cut = blocks.length - kept.length;
  const note = cut > 0 ? [`- … and ${cut} more (the whole list: \`deployctl promote --output json\`)`] : [];
  return [head, "", ...kept, ...note, "", tail].join("\n");
}

function show(v: unknown): string {
  const s = v === null ? "(not set)" : JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

function code(v: unknown): string {
  return `\`${show(v).replace(/`/g, "'")}\``;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")}`.trimEnd();
  return [line(header), ...rows.map(line)];
}
