import type { AnalysisResult, ClassifiedFile } from "./types";

/** The human view of an analysis: the same facts as the JSON, as tables. */

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

const yesNo = (b: boolean) => (b ? "yes" : "no");
const short = (commit: string | null) => (commit ? commit.slice(0, 7) : "none");

function fileRow(f: ClassifiedFile): string[] {
  const category = f.ignored ? "ignored" : f.previousCategory ? `${f.category} (was ${f.previousCategory})` : f.category;
  const path = f.previousPath !== undefined ? `${f.path} (from ${f.previousPath})` : f.path;
  return [category, f.status, f.shared ? `${path} [shared]` : path];
}

export function renderAnalysisText(r: AnalysisResult): string {
  const out: string[] = [];
  const base = r.firstCommit ? `the empty tree (${r.head.ref} is a first commit)` : `${r.base.ref} (${short(r.base.commit)})`;
  out.push(
    `Changes from ${base} to ${r.head.ref} (${short(r.head.commit)}) in ${r.repo}: ${r.files.length} file${r.files.length === 1 ? "" : "s"}`,
  );
  if (r.files.length > 0) out.push("", ...table(["CATEGORY", "STATUS", "FILE"], r.files.map(fileRow)));
  const d = r.decision;
  out.push("", `Decision: ${d.rule}: ${d.reason}`);
  out.push(
    `  run: ${yesNo(!d.skip)}  build: ${yesNo(d.runBuild)}  deploy: ${yesNo(d.runDeploy)}  skipped suite kinds: ${d.skipSuiteKinds.length > 0 ? d.skipSuiteKinds.join(", ") : "none"}`,
  );
  if (r.suites.length > 0) {
    out.push(
      "",
      ...table(
        ["SUITE", "KIND", "RUN", "WHY"],
        r.suites.map((s) => [s.name, s.kind, yesNo(s.run), s.reason]),
      ),
    );
  }
  if (r.services !== null) {
    out.push(
      "",
      ...table(
        ["SERVICE", "PATH", "BUILD", "WHY"],
        r.services.map((s) => [s.name, s.path, yesNo(s.build), s.reason]),
      ),
    );
  }
  return `${out.join("\n")}\n`;
}
