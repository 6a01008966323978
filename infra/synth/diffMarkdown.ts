import type { ChangeKind, StackDiff } from "./diff";

/** GitHub's limit for a comment is 65,536 characters; stay well under it. */
export const COMMENT_LIMIT = 60_000;

const SYMBOL: Record<ChangeKind, string> = { add: "+ add", remove: "- remove", update: "~ update", replace: "+- replace" };

function show(v: unknown): string {
  const s = v === undefined ? "(none)" : JSON.stringify(v);
  const text = s.length > 120 ? `${s.slice(0, 117)}...` : s;
  return `\`${text.replace(/`/g, "'")}\``;
}

/** The whole diff as Markdown, one section per stack. */
export function diffMarkdown(diffs: readonly StackDiff[]): string {
  const out: string[] = ["## Infrastructure changes (offline render)", ""];
  for (const d of diffs) {
    const { add, remove, update, replace } = d.counts;
    const running = d.changes.filter((c) => c.replacesRunning).length;
    out.push(
      `### ${d.stack}: ${d.changes.length === 0 ? "no changes" : `${add} to add, ${update} to update, ${replace} to replace, ${remove} to remove`}`,
    );
    if (running > 0)
      out.push(
        "",
        `**${running} change${running === 1 ? "" : "s"} replace running resources** (task definitions, services or load balancers).`,
      );
    if (d.changes.length > 0) {
      out.push("", "| change | type | name | inputs |", "| --- | --- | --- | --- |");
      for (const c of d.changes) {
        out.push(
          `| ${SYMBOL[c.kind]}${c.replacesRunning ? " (running)" : ""} | \`${c.type}\` | \`${c.name}\` | ${c.inputs.length || ""} |`,
        );
      }
      const detailed = d.changes.filter((c) => c.inputs.length > 0);
      if (detailed.length > 0) {
        out.push("", "<details><summary>Changed inputs</summary>", "");
        for (const c of detailed) {
          out.push(`- \`${c.name}\` (${c.kind})`);
          for (const i of c.inputs) out.push(`  - \`${i.path}\`: ${show(i.before)} → ${show(i.after)}`);
        }
        out.push("", "</details>");
      }
    }
    out.push("");
  }
  return `${out.join("\n")}\n`;
}

/** The Markdown for a PR comment: the whole diff when it fits, else cut at a line with a pointer to the file. */
export function commentMarkdown(full: string, fullFileName: string, limit = COMMENT_LIMIT): string {
  if (full.length <= limit) return full;
  const note = `\n\n_The diff is ${full.length} characters, over a comment's limit: it is cut here. The whole diff is in \`${fullFileName}\` (a build artifact)._\n`;
  const cut = full.lastIndexOf("\n", limit - note.length - 20);
  let head = full.slice(0, cut > 0 ? cut : limit - note.length - 20);
  // Close an open <details> so the comment renders.
  if ((head.match(/<details>/g) ?? []).length > (head.match(/<\/details>/g) ?? []).length) head += "\n\n</details>";
  return `${head}${note}`;
}
