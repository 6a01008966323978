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

describe("the logs rules at their boundaries (pure judge)", () => {
  const since = DEPLOYED_AT;
  const scanOf = (lines: { message: string; stream?: string }[], extra: { markerFound?: boolean; truncated?: boolean } = {}) => ({
    found: true as const,
    source: "/delivery/staging/api",
    lines,
    pages: 1,
    truncated: extra.truncated ?? false,
    backend: "CloudWatch Logs",
    ...(extra.markerFound !== undefined ? { markerFound: extra.markerFound } : {}),
  });
  const judge = (lines: { message: string; stream?: string }[], patterns: Partial<LogPatterns> = {}, extra = {}) =>
    judgeLogs({ scan: scanOf(lines, extra), since, patterns: { ...DEFAULT_LOG_PATTERNS, ...patterns } });

  it("passes two WARN lines (at most 2 by default)", () => {
    expect(judge([{ message: "WARN a" }, { message: "WARN b" }])).toMatchObject({ status: "pass", observed: { warnLines: 2 } });
  });

  it("fails three WARN lines, saying how many are allowed", () => {
    const result = judge([{ message: "WARN a" }, { message: "WARN b" }, { message: "WARN c" }]);
    expect([result.status, result.message]).toEqual([
      "fail",
      "/delivery/staging/api since 2025-03-01T12:00:00.000Z: 3 warning lines (at most 2 allowed).",
    ]);
  });

  it("does not count an ERROR line older than the last 100 lines of its stream", () => {
    const lines = [
      { message: "ERROR old", stream: "t1" },
      ...Array.from({ length: 100 }, (_, i) => ({ message: `INFO ${i}`, stream: "t1" })),
    ];
    expect(judge(lines)).toMatchObject({ status: "pass", observed: { errorLines: 0, linesJudged: 100 } });
  });

  it("counts an ERROR line that is the 100th from the end of its stream", () => {
    const lines = [
      { message: "ERROR recent", stream: "t1" },
      ...Array.from({ length: 99 }, (_, i) => ({ message: `INFO ${i}`, stream: "t1" })),
    ];
    expect(judge(lines)).toMatchObject({ status: "fail", observed: { errorLines: 1 } });
  });

  it("keeps the last lines per stream: another task's later lines do not push one task's error out", () => {
    const lines = [
      { message: "ERROR t1", stream: "t1" },
      ...Array.from({ length: 150 }, (_, i) => ({ message: `INFO ${i}`, stream: "t2" })),
    ];
    expect(judge(lines)).toMatchObject({ status: "fail", observed: { errorLines: 1 } });
  });

  it("fails when the startup marker is missing", () => {
    const result = judge([{ message: "INFO up" }], { startupMarker: "Started Application" });
    expect([result.status, result.message]).toEqual([
      "fail",
      '/delivery/staging/api since 2025-03-01T12:00:00.000Z: startup marker "Started Application" not found.',
    ]);
  });

  it("trusts the runtime's markerFound (the marker seen outside the tail it returned)", () => {
    expect(judge([{ message: "INFO up" }], { startupMarker: "Started Application" }, { markerFound: true })).toMatchObject({
      status: "pass",
      observed: { startupMarkerFound: true },
    });
  });

  it("never passes a tail scan cut short", () => {
    expect(judge([{ message: "INFO up" }], {}, { truncated: true }).status).toBe("inconclusive");
  });
});

describe("the CloudWatch Logs scan with tailLines", () => {
  it("reads every line (no filter pattern), keeps the last tailLines of each stream and looks for the marker in all of them", async () => {
    aws.logs.on(FilterLogEventsCommand).resolves({
      events: [
        { message: "Started Application", timestamp: 1, logStreamName: "t1" },
        { message: "ERROR old", timestamp: 2, logStreamName: "t1" },
        { message: "INFO a", timestamp: 3, logStreamName: "t1" },
        { message: "INFO b", timestamp: 4, logStreamName: "t2" },
      ],
    });

    const scan = await scanLogGroup(aws.clients.logs, "/delivery/staging/api", {
      since: DEPLOYED_AT,
      until: NOW,
      terms: ["ERROR"],
      tailLines: 1,
      startupMarker: "Started Application",
    });

    expect(aws.logs.commandCalls(FilterLogEventsCommand)[0]?.args[0].input.filterPattern).toBe("");
    expect(scan).toMatchObject({
      found: true,
      markerFound: true,
      lines: [
        { message: "INFO a", stream: "t1" },
        { message: "INFO b", stream: "t2" },
      ],
    });
  });
});
