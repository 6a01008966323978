import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Alert, ChannelError, PagerDutyChannel, SlackChannel, slackMessage } from "../../validators/alerts";
import { HttpStub } from "../release/httpStub";

const SLACK_PATH = "/services/T0000/B0000/SECRETPATH";
let stub: HttpStub;

beforeAll(async () => {
  stub = await new HttpStub().start();
});
afterAll(async () => stub.stop());
beforeEach(() => stub.reset());

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    stack: "staging",
    service: "api",
    verdict: "fail",
    severity: "critical",
    checks: [
      {
        name: "errorRate",
        status: "fail",
        message: "12.5% of 400 requests failed",
        observed: { errorRatePercent: 12.5, requests: 400 },
        threshold: { criticalPercent: 5 },
      },
    ],
    action: "rolled back to sha-old0000",
    dashboardUrl: "https://console.example.test/dash",
    runId: "run-1",
    ...overrides,
  };
}

describe("SlackChannel", () => {
  it("posts a Block Kit message naming stack, service, verdict, checks, action and the dashboard", async () => {
    await new SlackChannel(`${stub.url}${SLACK_PATH}`).send(alert());

    expect(stub.bodies(SLACK_PATH)).toEqual([
      {
        text: "[CRITICAL] staging/api: fail: rolled back to sha-old0000",
        blocks: [
          { type: "header", text: { type: "plain_text", text: "[CRITICAL] staging/api: fail" } },
          {
            type: "section",
            fields: [
              { type: "mrkdwn", text: "*Stack*\nstaging" },
              { type: "mrkdwn", text: "*Service*\napi" },
              { type: "mrkdwn", text: "*Verdict*\nfail" },
              { type: "mrkdwn", text: "*Severity*\n:rotating_light: critical" },
            ],
          },
          {
            type: "section",
            text: {
              type: "mrkdwn",
              text: "*Failing checks*\n• *errorRate* (fail): observed errorRatePercent=12.5, requests=400 vs threshold criticalPercent=5",
            },
          },
          { type: "section", text: { type: "mrkdwn", text: "*Action*\nrolled back to sha-old0000" } },
          {
            type: "actions",
            elements: [{ type: "button", text: { type: "plain_text", text: "Open dashboard" }, url: "https://console.example.test/dash" }],
          },
          { type: "context", elements: [{ type: "mrkdwn", text: "deployctl run run-1" }] },
        ],
      },
    ]);
  });

  it("adds a details section for escalations", () => {
    const blocks = slackMessage(alert({ details: ["rollback failed: stack update failed"] })).blocks;

    expect(blocks).toContainEqual({ type: "section", text: { type: "mrkdwn", text: "*Details*\n• rollback failed: stack update failed" } });
  });

  it("fails with the HTTP status and never the webhook URL", async () => {
    stub.failOn(SLACK_PATH, 500);

    const sent = new SlackChannel(`${stub.url}${SLACK_PATH}`).send(alert());

    await expect(sent).rejects.toBeInstanceOf(ChannelError);
    await expect(sent).rejects.toThrow("slack answered HTTP 500: failure on purpose (500)");
  });

  it("fails with a message free of the webhook URL when Slack is unreachable", async () => {
    const sent = new SlackChannel("http://127.0.0.1:1/services/T0000/B0000/SECRETPATH").send(alert());

    await expect(sent).rejects.toThrow(/^slack unreachable: /);
    await expect(sent).rejects.not.toThrow(/SECRETPATH/);
  });
});

describe("PagerDutyChannel", () => {
  const events = () => stub.bodies("/v2/enqueue");

  it("triggers an Events API v2 incident keyed by stack/service on a critical alert", async () => {
    await new PagerDutyChannel("ROUTINGKEY123", `${stub.url}/v2/enqueue`).send(alert());

    expect(events()).toEqual([
      {
        routing_key: "ROUTINGKEY123",
        event_action: "trigger",
        dedup_key: "staging/api",
        payload: {
          summary: "[CRITICAL] staging/api: fail: rolled back to sha-old0000",
          source: "deployctl/staging",
          severity: "critical",
          component: "api",
          group: "staging",
          class: "errorRate",
          custom_details: {
            verdict: "fail",
            action: "rolled back to sha-old0000",
            checks: ["errorRate (fail): observed errorRatePercent=12.5, requests=400 vs threshold criticalPercent=5"],
            runId: "run-1",
          },
        },
        links: [{ href: "https://console.example.test/dash", text: "Dashboard" }],
      },
    ]);
  });

  it("does not page on a warning", async () => {
    const result = await new PagerDutyChannel("ROUTINGKEY123", `${stub.url}/v2/enqueue`).send(alert({ severity: "warning" }));

    expect(result).toEqual({ status: "skipped", message: "PagerDuty pages on critical alerts only" });
    expect(events()).toEqual([]);
  });

  it("resolves the incident of the same stack/service", async () => {
    await new PagerDutyChannel("ROUTINGKEY123", `${stub.url}/v2/enqueue`).resolve({ stack: "staging", service: "api", runId: "run-2" });

    expect(events()).toEqual([{ routing_key: "ROUTINGKEY123", event_action: "resolve", dedup_key: "staging/api" }]);
  });

  it("fails with the status and masks the routing key if the answer echoes it", async () => {
    stub.failOn("/v2/enqueue", 400);
    const channel = new PagerDutyChannel("failure on purpose", `${stub.url}/v2/enqueue`);

    await expect(channel.send(alert())).rejects.toThrow("pagerduty answered HTTP 400: *** (400)");
  });
});
