import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildAlertChannels } from "../../validators/alerts";
import { clientConfig } from "../../validators/providers/aws/clients";
import { SecretRegistry } from "../../validators/records";
import { manifest } from "../release/support";
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from "../support/moto";

let moto: MotoServer;
let ssm: SSMClient;
let sns: SNSClient;

beforeAll(async () => {
  moto = await startMoto();
  const config = clientConfig({ region: "eu-west-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
  ssm = new SSMClient(config);
  sns = new SNSClient(config);
});
afterAll(async () => {
  ssm?.destroy();
  sns?.destroy();
  await moto?.stop();
});
beforeEach(async () => moto.reset());

const withParameters = manifest(undefined, {
  alerts: {
    warningTopicArn: "arn:aws:sns:eu-west-1:123456789012:w",
    criticalTopicArn: "arn:aws:sns:eu-west-1:123456789012:c",
    slackWebhookUrlParameter: "/delivery/staging/slack-webhook-url",
    pagerDutyRoutingKeyParameter: "/delivery/staging/pagerduty-routing-key",
  },
});

describe("buildAlertChannels", () => {
  it("uses SNS alone when no Slack or PagerDuty secret is configured", async () => {
    const channels = await buildAlertChannels({ manifest: manifest(), clients: { ssm, sns }, env: {}, secrets: new SecretRegistry() });

    expect(channels.map((c) => c.name)).toEqual(["sns"]);
  });

  it("reads the webhook URL and routing key from SSM SecureStrings and registers them as secrets", async () => {
    await ssm.send(
      new PutParameterCommand({
        Name: "/delivery/staging/slack-webhook-url",
        Value: "https://hooks.example.test/T1/B1/abcdef",
        Type: "SecureString",
      }),
    );
    await ssm.send(
      new PutParameterCommand({ Name: "/delivery/staging/pagerduty-routing-key", Value: "R0UTING-KEY-42", Type: "SecureString" }),
    );
    const secrets = new SecretRegistry();

    const channels = await buildAlertChannels({ manifest: withParameters, clients: { ssm, sns }, env: {}, secrets });

    expect(channels.map((c) => c.name)).toEqual(["sns", "slack", "pagerduty"]);
    expect(secrets.values()).toEqual(["https://hooks.example.test/T1/B1/abcdef", "R0UTING-KEY-42"]);
  });

  it("prefers DELIVERY_SLACK_WEBHOOK_URL and DELIVERY_PAGERDUTY_ROUTING_KEY over the parameters", async () => {
    const secrets = new SecretRegistry();

    const channels = await buildAlertChannels({
      manifest: withParameters,
      clients: { ssm, sns },
      env: { DELIVERY_SLACK_WEBHOOK_URL: "https://hooks.example.test/env", DELIVERY_PAGERDUTY_ROUTING_KEY: "ENV-ROUTING-KEY" },
      secrets,
    });

    expect(channels.map((c) => c.name)).toEqual(["sns", "slack", "pagerduty"]);
    expect(secrets.values()).toEqual(["https://hooks.example.test/env", "ENV-ROUTING-KEY"]);
  });

  it("gives a channel that fails with the reason when its parameter cannot be read", async () => {
    const channels = await buildAlertChannels({
      manifest: withParameters,
      clients: { ssm, sns },
      env: { DELIVERY_PAGERDUTY_ROUTING_KEY: "ENV-ROUTING-KEY" },
      secrets: new SecretRegistry(),
    });
    const slack = channels.find((c) => c.name === "slack");

    await expect(slack?.send({} as never)).rejects.toThrow(
      "slack is not configured: cannot read SSM parameter /delivery/staging/slack-webhook-url (ParameterNotFound)",
    );
  });
});
