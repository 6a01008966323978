import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Alert, ChannelError, SnsChannel } from "../../validators/alerts";
import { clientConfig } from "../../validators/providers/aws/clients";
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from "../support/moto";
import { topicWithQueue as topicWith } from "../support/snsQueue";

let moto: MotoServer;
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(async () => {
  moto = await startMoto();
  const config = clientConfig({ region: "eu-west-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
});
afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  await moto?.stop();
});
beforeEach(async () => moto.reset());

const topicWithQueue = (name: string) => topicWith({ sns, sqs }, name);

const alert = (severity: Alert["severity"]): Alert => ({
  stack: "staging",
  service: "api",
  verdict: "fail",
  severity,
  checks: [
    {
      name: "errorRate",
      status: "fail",
      message: "12.5% of 400 requests failed",
      observed: { errorRatePercent: 12.5, requests: 400 },
      threshold: { criticalPercent: 5 },
    },
  ],
  action: "rolled back to sha-old0000 (arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-api:1)",
  dashboardUrl: "https://console.example.test/dash",
  runId: "run-1",
});

describe("SnsChannel against moto, read back through SQS", () => {
  it("publishes a warning to the warning topic only, with every fact in the message", async () => {
    const warning = await topicWithQueue("warning");
    const critical = await topicWithQueue("critical");

    await new SnsChannel(sns, { warningTopicArn: warning.arn, criticalTopicArn: critical.arn }).send(alert("warning"));

    const received = await warning.read();
    expect(received).toHaveLength(1);
    expect(received[0]?.Subject).toBe("[WARNING] staging/api: fail");
    expect(received[0]?.Message).toBe(
      [
        "[WARNING] staging/api: fail",
        "",
        "Stack:     staging",
        "Service:   api",
        "Verdict:   fail",
        "Severity:  warning",
        "Action:    rolled back to sha-old0000 (arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-api:1)",
        "Dashboard: https://console.example.test/dash",
        "Run:       run-1",
        "",
        "Checks:",
        "  - errorRate (fail): observed errorRatePercent=12.5, requests=400 vs threshold criticalPercent=5 — 12.5% of 400 requests failed",
      ].join("\n"),
    );
    expect(received[0]?.MessageAttributes?.severity?.Value).toBe("warning");
    expect(await critical.read()).toEqual([]);
  });

  it("publishes a critical alert to the critical topic", async () => {
    const warning = await topicWithQueue("warning");
    const critical = await topicWithQueue("critical");

    await new SnsChannel(sns, { warningTopicArn: warning.arn, criticalTopicArn: critical.arn }).send(alert("critical"));

    expect((await critical.read()).map((m) => m.Subject)).toEqual(["[CRITICAL] staging/api: fail"]);
    expect(await warning.read()).toEqual([]);
  });

  it("fails with a ChannelError naming the topic when it does not exist", async () => {
    const missing = "arn:aws:sns:eu-west-1:123456789012:missing";

    const sent = new SnsChannel(sns, { warningTopicArn: missing, criticalTopicArn: missing }).send(alert("warning"));

    await expect(sent).rejects.toBeInstanceOf(ChannelError);
    await expect(sent).rejects.toThrow(/^sns publish to arn:aws:sns:eu-west-1:123456789012:missing failed: NotFound/);
  });
});
