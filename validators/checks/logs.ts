import type { CheckResult } from "../../contract/report";
import type { LogScan } from "../providers/runtime";
import { displayLine } from "../core/redact";
import { checkResult, plural } from "./result";
import type { LogPatterns } from "./logPatterns";

export { DEFAULT_LOG_PATTERNS, type LogPatterns } from "./logPatterns";

/** The substrings a runtime may filter on before the judge matches lines again. */
export function logTerms(patterns: LogPatterns): string[] {
  return [...patterns.error, ...patterns.warn, ...(patterns.startupMarker ? [patterns.startupMarker] : [])];
}

export interface LogsInput {
  /** What the runtime read (providers: CloudWatch Logs for ECS). */
  scan: LogScan;
  /** Start of the deployment (shown in messages). */
  since: Date;
  patterns: LogPatterns;
  /** Values to mask in shown lines besides the usual secret shapes. */
  knownSecrets?: readonly string[];
}

const SHOWN_LINES = 3;

/** The last `tailLines` lines of each stream (lines without a stream form one), in the order read. */
export function tailPerStream<T extends { stream?: string }>(lines: readonly T[], tailLines: number): T[] {
  const byStream = new Map<string, T[]>();
  for (const line of lines) {
    const key = line.stream ?? "";
    const kept = byStream.get(key) ?? [];
    kept.push(line);
    byStream.set(key, kept);
  }
  return [...byStream.values()].flatMap((kept) => kept.slice(-tailLines));
}

/**
 * The logs check, a pure judgement over the lines a runtime read since the deployment began. Only
 * the last `tailLines` lines of each stream (task) count: any of them matching an error pattern fails
 * (count and first lines shown, secrets masked), more than `maxWarnings` warning lines fail; a
 * configured startup marker must be present anywhere since the deployment began. A missing log source
 * is inconclusive; a scan cut short cannot pass.
 */
export function judgeLogs(input: LogsInput): CheckResult {
  const { patterns } = input;
  const threshold = {
    errorLines: 0,
    maxWarnLines: patterns.maxWarnings,
    tailLinesPerStream: patterns.tailLines,
    errorPatterns: patterns.error,
    warnPatterns: patterns.warn,
    startupMarker: patterns.startupMarker ?? null,
  };
  const scan = input.scan;
  if (!scan.found) {
    return checkResult("logs", "inconclusive", `${scan.reason}: cannot read the service's logs.`, { logGroup: scan.source }, threshold);
  }
  const logGroup = scan.source;
  const events = tailPerStream(scan.lines, patterns.tailLines);
  const errors = events.filter((e) => matchesAny(e.message, patterns.error));
  const warns = events.filter((e) => !matchesAny(e.message, patterns.error) && matchesAny(e.message, patterns.warn));
  const markerFound = patterns.startupMarker
    ? (scan.markerFound ?? scan.lines.some((e) => (e.message ?? "").includes(patterns.startupMarker as string)))
    : null;
  const firstErrors = errors.slice(0, SHOWN_LINES).map((e) => displayLine(e.message ?? "", 200, input.knownSecrets));
  const observed = {
    logGroup,
    since: input.since.toISOString(),
    eventsScanned: scan.lines.length,
    linesJudged: events.length,
    errorLines: errors.length,
    warnLines: warns.length,
    firstErrors,
    startupMarkerFound: markerFound,
    truncated: scan.truncated,
  };
  const problems: string[] = [];
  if (errors.length > 0) problems.push(`${plural(errors.length, "error line")} (first: ${firstErrors.map((l) => `"${l}"`).join(", ")})`);
  if (warns.length > patterns.maxWarnings)
    problems.push(`${plural(warns.length, "warning line")} (at most ${patterns.maxWarnings} allowed)`);
  // A marker not seen in a scan cut short may be in the part not read.
  if (markerFound === false && !scan.truncated) problems.push(`startup marker "${patterns.startupMarker}" not found`);
  const truncatedNote = scan.truncated
    ? ` (scan stopped after ${plural(scan.pages, "page")} and ${plural(scan.lines.length, "matching event")})`
    : "";
  if (problems.length > 0) {
    return checkResult("logs", "fail", `${logGroup} since ${observed.since}: ${problems.join("; ")}${truncatedNote}.`, observed, threshold);
  }
  if (scan.truncated) {
    return checkResult(
      "logs",
      "inconclusive",
      `${logGroup} since ${observed.since}: no error line in what was read, but ${scan.backend} still had more to search after ${plural(scan.pages, "page")}: ` +
        "the rest of the window was not read, so the check cannot say there is none.",
      observed,
      threshold,
    );
  }
  const markerNote = markerFound ? `; startup marker "${patterns.startupMarker}" present` : "";
  return checkResult(
    "logs",
    "pass",
    `${logGroup}: no error lines, ${plural(warns.length, "warning line")} (at most ${patterns.maxWarnings} allowed) in the last ${plural(patterns.tailLines, "line")} of each stream${markerNote}.`,
    observed,
    threshold,
  );
}

function matchesAny(message: string | undefined, patterns: readonly string[]): boolean {
  return message !== undefined && patterns.some((p) => message.includes(p));
}
