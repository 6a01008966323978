import { type CloudWatchLogsClient, FilterLogEventsCommand, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import type { CheckResult } from "../../contract/report";
import { awsErrorName, toOperationalError } from "../providers/aws/call";
import { displayLine } from "./mask";
import { checkResult, plural } from "./result";
import type { LogPatterns } from "./logPatterns";

export { DEFAULT_LOG_PATTERNS, type LogPatterns } from "./logPatterns";

export interface LogsInput {
  logGroup: string;
  since: Date;
  until: Date;
  patterns: LogPatterns;
  /**
   * FilterLogEvents pages to read at most (up to 10,000 events each; CloudWatch may also return
   * empty pages with a token while it searches). A scan cut short cannot pass. @default 20
   */
  maxPages?: number;
  /** Values to mask in shown lines besides the usual secret shapes. */
  knownSecrets?: readonly string[];
}

const SHOWN_LINES = 3;

/**
 * The logs check: the service's log group since the deployment began. Any line matching an error
 * pattern fails (count and first lines shown, secrets masked); `warnThreshold` or more warning
 * lines warn; a configured startup marker must be present. A missing log group is inconclusive.
 */
export async function runLogs(input: LogsInput, client: CloudWatchLogsClient): Promise<CheckResult> {
  const { patterns } = input;
  const threshold = {
    errorLines: 0,
    warnLinesBelow: patterns.warnThreshold,
    errorPatterns: patterns.error,
    warnPatterns: patterns.warn,
    startupMarker: patterns.startupMarker ?? null,
  };
  let scan: Scan;
  try {
    scan = await scanLogGroup(input, client);
  } catch (err) {
    if (awsErrorName(err) === "ResourceNotFoundException") {
      return checkResult(
        "logs",
        "inconclusive",
        `Log group ${input.logGroup} does not exist: cannot read the service's logs.`,
        { logGroup: input.logGroup },
        threshold,
      );
    }
    throw err;
  }
  const errors = scan.events.filter((e) => matchesAny(e.message, patterns.error));
  const warns = scan.events.filter((e) => !matchesAny(e.message, patterns.error) && matchesAny(e.message, patterns.warn));
  const markerFound = patterns.startupMarker ? scan.events.some((e) => (e.message ?? "").includes(patterns.startupMarker as string)) : null;
  const firstErrors = errors.slice(0, SHOWN_LINES).map((e) => displayLine(e.message ?? "", 200, input.knownSecrets));
  const observed = {
    logGroup: input.logGroup,
    since: input.since.toISOString(),
    eventsScanned: scan.events.length,
    errorLines: errors.length,
    warnLines: warns.length,
    firstErrors,
    startupMarkerFound: markerFound,
    truncated: scan.truncated,
  };
  const problems: string[] = [];
  if (errors.length > 0) problems.push(`${plural(errors.length, "error line")} (first: ${firstErrors.map((l) => `"${l}"`).join(", ")})`);
  // A marker not seen in a scan cut short may be in the part not read.
  if (markerFound === false && !scan.truncated) problems.push(`startup marker "${patterns.startupMarker}" not found`);
  const truncatedNote = scan.truncated
    ? ` (scan stopped after ${plural(scan.pages, "page")} and ${plural(scan.events.length, "matching event")})`
    : "";
  if (problems.length > 0) {
    return checkResult(
      "logs",
      "fail",
      `${input.logGroup} since ${observed.since}: ${problems.join("; ")}${truncatedNote}.`,
      observed,
      threshold,
    );
  }
  if (scan.truncated) {
    return checkResult(
      "logs",
      "inconclusive",
      `${input.logGroup} since ${observed.since}: no error line in what was read, but CloudWatch Logs still had more to search after ${plural(scan.pages, "page")}: ` +
        "the rest of the window was not read, so the check cannot say there is none.",
      observed,
      threshold,
    );
  }
  if (warns.length >= patterns.warnThreshold) {
    return checkResult(
      "logs",
      "warn",
      `${input.logGroup}: no error lines, but ${plural(warns.length, "warning line")} (${patterns.warnThreshold} or more warn).`,
      observed,
      threshold,
    );
  }
  const markerNote = markerFound ? `; startup marker "${patterns.startupMarker}" present` : "";
  return checkResult(
    "logs",
    "pass",
    `${input.logGroup}: no error lines, ${plural(warns.length, "warning line")}${markerNote}.`,
    observed,
    threshold,
  );
}

interface Scan {
  events: FilteredLogEvent[];
  /** FilterLogEvents calls made. */
  pages: number;
  /** CloudWatch had more to search when the page limit was reached. */
  truncated: boolean;
}

async function scanLogGroup(input: LogsInput, client: CloudWatchLogsClient): Promise<Scan> {
  const events: FilteredLogEvent[] = [];
  const maxPages = input.maxPages ?? 20;
  const filterPattern = serverFilter(input.patterns);
  let nextToken: string | undefined;
  for (let page = 1; page <= maxPages; page++) {
    const response = await awsCallKeepingNotFound(() =>
      client.send(
        new FilterLogEventsCommand({
          logGroupName: input.logGroup,
          startTime: input.since.getTime(),
          endTime: input.until.getTime(),
          filterPattern,
          limit: 10_000,
          nextToken,
        }),
      ),
    );
    events.push(...(response.events ?? []));
    nextToken = response.nextToken;
    if (!nextToken) return { events, pages: page, truncated: false };
  }
  return { events, pages: maxPages, truncated: true };
}

/** The same failure handling as every AWS call, except that a missing log group stays recognisable. */
async function awsCallKeepingNotFound<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (awsErrorName(err) === "ResourceNotFoundException") throw err;
    throw toOperationalError("CloudWatch Logs FilterLogEvents", err);
  }
}

/** `?"ERROR" ?"Exception" ?"WARN"`: let CloudWatch send only candidate lines (matched again here). */
export function serverFilter(patterns: LogPatterns): string {
  const terms = [...patterns.error, ...patterns.warn, ...(patterns.startupMarker ? [patterns.startupMarker] : [])];
  if (terms.length === 0 || terms.some((t) => t.includes('"') || t.includes("\\"))) return "";
  return terms.map((t) => `?"${t}"`).join(" ");
}

function matchesAny(message: string | undefined, patterns: readonly string[]): boolean {
  return message !== undefined && patterns.some((p) => message.includes(p));
}
