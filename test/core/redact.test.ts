import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Alert, buildAlertChannels, PagerDutyChannel, SlackChannel } from "../../validators/alerts";
import { DEFAULT_LOG_PATTERNS, judgeLogs } from "../../validators/checks/logs";
import { displayLine, MASK, redact, redactText, SecretRegistry, secretVariants } from "../../validators/core/redact";
import type { EcsManifest } from "../../contract/manifest";
import { DEPLOYED_AT } from "../validator/support/mocks";

/** Issue 12, "Secrets never appear": the one rule set, over each way a secret leaked. */
const SLACK_PATH = "/services/T0123ABCD/B0456EFGH/xoxWebhookToken0123456789";
const ROUTING_KEY = "R0UTINGKEY0123456789abcdefABCDEF";

/** A webhook that fails and echoes what it was sent, the way Slack and PagerDuty error pages do. */
let server: Server;
let base = "";
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      res.writeHead(req.url === "/v2/enqueue" ? 400 : 500, { "content-type": "text/plain" });
      // PagerDuty: 190 characters of noise, then the key it was sent, so a cut at 200 falls inside the key.
      res.end(req.url === "/v2/enqueue" ? `${"x".repeat(190)} ${JSON.parse(body).routing_key} invalid` : `bad request: ${req.url}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const alert: Alert = {
  stack: "prod",
  service: "api",
  verdict: "fail",
  severity: "critical",
  checks: [],
  action: "none",
  runId: "run-1",
  dashboardUrl: "",
};

describe("a Slack webhook URL", () => {
  it("is not shown through its path or its distinctive parts when Slack echoes the request path", async () => {
    const sent = new SlackChannel(`${base}${SLACK_PATH}`).send(alert);

    await expect(sent).rejects.toThrow(`slack answered HTTP 500: bad request: ${MASK}`);
    const message = await sent.catch((err: Error) => err.message);
    for (const part of ["T0123ABCD", "B0456EFGH", "xoxWebhookToken0123456789"]) expect(message).not.toContain(part);
  });

  it("has its path and each distinctive segment masked wherever one appears alone", () => {
    const url = `https://hooks.slack.com${SLACK_PATH}`;

    expect(redactText("team T0123ABCD, channel hook B0456EFGH, token xoxWebhookToken0123456789", [url])).toBe(
      `team ${MASK}, channel hook ${MASK}, token ${MASK}`,
    );
    expect(secretVariants(url)).not.toContain("services");
  });

  it("is masked by its shape when echoed without its host, even unregistered", () => {
    expect(redactText(`slack answered HTTP 500: bad request: ${SLACK_PATH}`)).toBe(`slack answered HTTP 500: bad request: ${MASK}`);
  });
});

describe("a PagerDuty routing key", () => {
  it("is redacted before the answer is cut, so no head of it shows", async () => {
    const sent = new PagerDutyChannel(ROUTING_KEY, `${base}/v2/enqueue`).send(alert);

    const message = await sent.catch((err: Error) => err.message);
    expect(message).toMatch(/^pagerduty answered HTTP 400: x{190} \*\*\*/);
    expect(message).not.toContain(ROUTING_KEY.slice(0, 4));
  });

  it("is masked in a line cut in the middle of it", () => {
    expect(displayLine(`${"y".repeat(20)} ${ROUTING_KEY}`, 30, [ROUTING_KEY])).toBe(`${"y".repeat(20)} ${MASK}`);
  });
});

describe("a secret stored with a trailing newline", () => {
  it("is registered trimmed, so records and SNS messages that carry it are masked", async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: `${ROUTING_KEY}\n` } });
    const secrets = new SecretRegistry();
    const manifest = {
      alerts: {
        warningTopicArn: "arn:w",
        criticalTopicArn: "arn:c",
        pagerDutyRoutingKeyParameter: "/delivery/prod/alerts/pagerduty-routing-key",
      },
    } as EcsManifest;

    await buildAlertChannels({ manifest, clients: { ssm: new SSMClient({ region: "us-east-1" }), sns: {} as never }, env: {}, secrets });

    expect(secrets.values()).toEqual([ROUTING_KEY]);
    expect(redact({ message: `pagerduty refused ${ROUTING_KEY}` }, secrets.values())).toEqual({ message: `pagerduty refused ${MASK}` });
    ssm.restore();
  });

  it("is trimmed when registered directly", () => {
    const secrets = new SecretRegistry();
    secrets.add("  s3cr3t-value\n");
    expect(redactText("echo s3cr3t-value", secrets.values())).toBe(`echo ${MASK}`);
  });
});

describe("check messages built from log lines", () => {
  it("mask a Slack URL, a known secret (even given with its trailing newline) and a secret-named value in the lines they show", () => {
    const lines = [
      { message: `ERROR posting to https://hooks.slack.com${SLACK_PATH} failed` },
      { message: `ERROR pagerduty rejected ${ROUTING_KEY}` },
      { message: "ERROR login failed password=hunter2" },
    ];

    const result = judgeLogs({
      scan: { found: true, source: "/ecs/delivery/prod/api", lines, pages: 1, truncated: false, backend: "CloudWatch Logs" },
      since: DEPLOYED_AT,
      patterns: DEFAULT_LOG_PATTERNS,
      knownSecrets: [`${ROUTING_KEY}\n`],
    });

    expect(result.observed.firstErrors).toEqual([
      `ERROR posting to ${MASK} failed`,
      `ERROR pagerduty rejected ${MASK}`,
      `ERROR login failed password=${MASK}`,
    ]);
    expect(JSON.stringify(result)).not.toMatch(/T0123ABCD|R0UTINGKEY|hunter2/);
  });
});
