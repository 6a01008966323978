import { type CloudWatchLogsClient, FilterLogEventsCommand, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import type { LogQuery, LogScan } from "../runtime";
import { awsErrorName, toOperationalError } from "./call";

/** FilterLogEvents pages read at most by default (up to 10,000 events each). */
export const DEFAULT_LOG_PAGES = 20;

/**
 * Reads a log group's lines in the query's range that contain one of its terms (CloudWatch sends
 * only candidates; the judge matches again). CloudWatch may return empty pages with a token while
 * it searches: at most `maxPages` are read, and a scan cut short says so. A missing log group is
 * reported as such, never thrown; any other failure is an OperationalError.
 */
export async function scanLogGroup(
  client: CloudWatchLogsClient,
  logGroup: string,
  query: LogQuery,
  maxPages = DEFAULT_LOG_PAGES,
): Promise<LogScan> {
  const events: FilteredLogEvent[] = [];
  const filterPattern = serverFilter(query.terms);
  let nextToken: string | undefined;
  const scan = (pages: number, truncated: boolean): LogScan => ({
    found: true,
    source: logGroup,
    lines: events.map((e) => ({ message: e.message ?? "", ...(e.timestamp !== undefined ? { timestamp: e.timestamp } : {}) })),
    pages,
    truncated,
    backend: "CloudWatch Logs",
  });
  for (let page = 1; page <= maxPages; page++) {
    let response;
    try {
      response = await client.send(
        new FilterLogEventsCommand({
          logGroupName: logGroup,
          startTime: query.since.getTime(),
          endTime: query.until.getTime(),
          filterPattern,
          limit: 10_000,
          nextToken,
        }),
      );
    } catch (err) {
      if (awsErrorName(err) === "ResourceNotFoundException")
        return { found: false, source: logGroup, reason: `Log group ${logGroup} does not exist` };
      throw toOperationalError("CloudWatch Logs FilterLogEvents", err);
    }
    events.push(...(response.events ?? []));
    nextToken = response.nextToken;
    if (!nextToken) return scan(page, false);
  }
  return scan(maxPages, true);
}

/** `?"ERROR" ?"Exception" ?"WARN"`: let CloudWatch send only candidate lines (matched again by the judge). */
export function serverFilter(terms: readonly string[]): string {
  if (terms.length === 0 || terms.some((t) => t.includes('"') || t.includes("\\"))) return "";
  return terms.map((t) => `?"${t}"`).join(" ");
}
