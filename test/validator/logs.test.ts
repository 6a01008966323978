import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { beforeEach, describe, expect, it } from "vitest";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DEFAULT_LOG_PATTERNS, type LogPatterns, judgeLogs, logTerms } from "../../validators/checks/logs";
import { scanLogGroup } from "../../validators/providers/aws/logs";
import { DEPLOYED_AT, type MockedAws, NOW, mockedAws } from "./support/mocks";

/** The logs check against a mocked FilterLogEvents that pages the way CloudWatch Logs does. */
let aws: MockedAws;
beforeEach(() => {
  aws = mockedAws();
});

const input = (extra: { startupMarker?: string; maxPages?: number } = {}) => ({
  logGroup: "/delivery/staging/api",
  since: DEPLOYED_AT,
  until: NOW,
  patterns: { ...DEFAULT_LOG_PATTERNS, ...(extra.startupMarker ? { startupMarker: extra.startupMarker } : {}) },
  maxPages: extra.maxPages,
});

/** The ECS runtime's log scan (CloudWatch Logs) judged by the pure logs check, as validate does it. */
async function runLogs(
  i: { logGroup: string; since: Date; until: Date; patterns: LogPatterns; maxPages?: number },
  client: CloudWatchLogsClient,
) {
  const scan = await scanLogGroup(client, i.logGroup, { since: i.since, until: i.until, terms: logTerms(i.patterns) }, i.maxPages);
  return judgeLogs({ scan, since: i.since, patterns: i.patterns });
}

describe("logs check paging", () => {
  it("reads empty pages while CloudWatch returns a token, and passes once the search is complete", async () => {
    aws.logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [], nextToken: "t1" })
      .resolvesOnce({ events: [], nextToken: "t2" })
      .resolves({ events: [{ message: "WARN slow" }] });

    const result = await runLogs(input(), aws.clients.logs);

    expect(result).toMatchObject({ status: "pass", observed: { eventsScanned: 1, warnLines: 1, truncated: false } });
    expect(aws.logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input.nextToken)).toEqual([undefined, "t1", "t2"]);
  });

  it("is inconclusive, never pass, when the page limit is reached with more to search and no error line seen", async () => {
    aws.logs.on(FilterLogEventsCommand).resolves({ events: [], nextToken: "more" });

    const result = await runLogs(input({ startupMarker: "Started" }), aws.clients.logs);

    expect(result).toMatchObject({
      status: "inconclusive",
      message:
        "/delivery/staging/api since 2025-03-01T12:00:00.000Z: no error line in what was read, but CloudWatch Logs still had more to search after 20 pages: " +
        "the rest of the window was not read, so the check cannot say there is none.",
      observed: { truncated: true, errorLines: 0 },
    });
    expect(aws.logs.commandCalls(FilterLogEventsCommand)).toHaveLength(20);
  });

  it("still fails on the error lines it read when the scan is cut short", async () => {
    aws.logs.on(FilterLogEventsCommand).resolves({ events: [{ message: "ERROR boom" }], nextToken: "more" });

    const result = await runLogs(input({ maxPages: 2 }), aws.clients.logs);

    expect(result).toMatchObject({
      status: "fail",
      message:
        '/delivery/staging/api since 2025-03-01T12:00:00.000Z: 2 error lines (first: "ERROR boom", "ERROR boom") (scan stopped after 2 pages and 2 matching events).',
    });
  });
});
