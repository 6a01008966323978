import type { EcsManifest } from "../../contract/manifest";
import { runStats } from "../records/stats";
import type { RecordStore, RunRecord, RunStats } from "../records/types";
import type { ReleaseRegistry, ReleaseVersion } from "./lastGood";

/** A run as history shows it: who, when, what, how it ended, and why it rolled back. */
export interface RunSummary {
  runId: string;
  command: RunRecord["command"];
  who: string;
  startedAt: string;
  outcome: RunRecord["outcome"];
  verdict: RunRecord["verdict"];
  exitCode: number;
  services: RunRecord["services"];
  rollback?: RunRecord["rollback"];
  error?: string;
}

/** What `deployctl history` prints (`--output json` prints exactly this). */
export interface HistoryView {
  stack: string;
  recordStore: string;
  stats: RunStats;
  /** Last good releases per service, newest first (SSM parameter versions). */
  releases: { service: string; versions: ReleaseVersion[] }[];
  /** Runs, newest first. */
  runs: RunSummary[];
}

/** Gathers releases (per service) and runs (optionally only those touching `service`), newest first. */
export async function gatherHistory(
  manifest: Pick<EcsManifest, "stack" | "services">,
  registry: ReleaseRegistry,
  store: Pick<RecordStore, "list" | "location">,
  options: { services?: string[]; limit?: number } = {},
): Promise<HistoryView> {
  const names = options.services?.length ? options.services : manifest.services.map((s) => s.name);
  const releases = await Promise.all(
    names.map(async (service) => ({ service, versions: (await registry.history(manifest.stack, service)).slice(0, options.limit) })),
  );
  const all = await store.list();
  const touching = options.services?.length ? all.filter((r) => r.services.some((s) => names.includes(s.name))) : all;
  return {
    stack: manifest.stack,
    recordStore: store.location,
    stats: runStats(touching),
    releases,
    runs: touching.slice(0, options.limit).map(summarize),
  };
}

function summarize(r: RunRecord): RunSummary {
  return {
    runId: r.runId,
    command: r.command,
    who: r.who,
    startedAt: r.startedAt,
    outcome: r.outcome,
    verdict: r.verdict,
    exitCode: r.exitCode,
    services: r.services,
    ...(r.rollback ? { rollback: r.rollback } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}

/** The history as text: statistics, a table of releases per service, a table of runs with the rollback reasons. */
export function renderHistory(view: HistoryView): string {
  const s = view.stats;
  const out = [
    `Stack ${view.stack}: ${s.runs} runs, ${s.successes} succeeded, ${s.failures} failed, ${s.rollbacks} rolled back, ${s.consecutiveFailures} consecutive failures`,
    `Records: ${view.recordStore}`,
    "",
    "Last good releases (newest first)",
  ];
  const releaseRows = view.releases.flatMap(({ service, versions }) =>
    versions.length === 0
      ? [[service, "-", "(none recorded)", "", "", ""]]
      : versions.map((v) => [
          service,
          `v${v.version}`,
          v.release?.imageTag ?? `(unreadable: ${v.problem ?? "?"})`,
          v.release?.validatedAt ?? v.modifiedAt ?? "",
          v.release?.runId ?? "",
          v.release?.who ?? "",
        ]),
  );
  out.push(...table(["SERVICE", "VERSION", "IMAGE TAG", "VALIDATED AT", "RUN", "WHO"], releaseRows), "", "Runs (newest first)");
  if (view.runs.length === 0) out.push("  (no runs recorded)");
  else {
    const runRows = view.runs.map((r) => [
      r.startedAt,
      r.command,
      r.outcome,
      String(r.exitCode),
      r.who,
      r.services.map(serviceCell).join(", "),
      r.rollback ? `rollback ${r.rollback.status}: ${r.rollback.reason}` : (r.error ?? ""),
    ]);
    out.push(...table(["STARTED", "COMMAND", "OUTCOME", "EXIT", "WHO", "SERVICES", "WHY"], runRows));
  }
  return `${out.join("\n")}\n`;
}

/** `api sha-1->sha-2`, `api sha-1->sha-2, back to sha-1` after a rollback, or `api sha-1` when unchanged. */
function serviceCell(x: RunSummary["services"][number]): string {
  const after = x.tagAfter ?? "?";
  if (x.tagDeployed && x.tagDeployed !== x.tagAfter) return `${x.name} ${x.tagBefore ?? "?"}->${x.tagDeployed}, back to ${after}`;
  return x.tagBefore && x.tagBefore !== after ? `${x.name} ${x.tagBefore}->${after}` : `${x.name} ${after}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")}`.trimEnd();
  return [line(header), ...rows.map(line)];
}
