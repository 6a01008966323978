import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { EcsManifest } from "../../contract/manifest";
import { normaliseSecret, type SecretRegistry } from "../core/redact";
import type { FetchFn } from "./http";
import { DEFAULT_PAGERDUTY_EVENTS_URL, PagerDutyChannel } from "./pagerduty";
import { SlackChannel } from "./slack";
import { SnsChannel } from "./sns";
import { type AlertChannel, ChannelError } from "./types";

export interface ChannelOptions {
  manifest: Pick<EcsManifest, "alerts">;
  clients: { sns: SNSClient; ssm: SSMClient };
  env: NodeJS.ProcessEnv;
  /** Every resolved webhook URL and routing key is registered here, so redaction masks it. */
  secrets: SecretRegistry;
  fetch?: FetchFn;
}

/**
 * The alert channels of a stack: SNS always (the manifest's topics); Slack when
 * DELIVERY_SLACK_WEBHOOK_URL is set or `alerts.slackWebhookUrlParameter` names an SSM SecureString;
 * PagerDuty likewise with DELIVERY_PAGERDUTY_ROUTING_KEY / `alerts.pagerDutyRoutingKeyParameter`
 * (events URL from DELIVERY_PAGERDUTY_EVENTS_URL). A secret that cannot be read gives a channel
 * that fails every send with the reason, so the failure lands in the run record.
 */
export async function buildAlertChannels(options: ChannelOptions): Promise<AlertChannel[]> {
  const { manifest, clients, env, secrets } = options;
  const fetchFn = options.fetch ?? fetch;
  const channels: AlertChannel[] = [new SnsChannel(clients.sns, manifest.alerts)];

  const slack = await resolveSecret(
    "slack",
    env.DELIVERY_SLACK_WEBHOOK_URL,
    manifest.alerts.slackWebhookUrlParameter,
    clients.ssm,
    secrets,
  );
  if (slack instanceof ChannelError) channels.push(brokenChannel(slack));
  else if (slack !== undefined) channels.push(new SlackChannel(slack, fetchFn));

  const pd = await resolveSecret(
    "pagerduty",
    env.DELIVERY_PAGERDUTY_ROUTING_KEY,
    manifest.alerts.pagerDutyRoutingKeyParameter,
    clients.ssm,
    secrets,
  );
  if (pd instanceof ChannelError) channels.push(brokenChannel(pd));
  else if (pd !== undefined)
    channels.push(new PagerDutyChannel(pd, env.DELIVERY_PAGERDUTY_EVENTS_URL || DEFAULT_PAGERDUTY_EVENTS_URL, fetchFn));

  return channels;
}

/** The environment's value, else the SSM SecureString (decrypted), else undefined (channel off). */
async function resolveSecret(
  channel: string,
  fromEnv: string | undefined,
  parameter: string | undefined,
  ssm: SSMClient,
  secrets: SecretRegistry,
): Promise<string | ChannelError | undefined> {
  if (fromEnv?.trim()) {
    secrets.add(fromEnv);
    return normaliseSecret(fromEnv);
  }
  if (!parameter) return undefined;
  try {
    // Trimmed: a value stored with a trailing newline is the same secret, and is masked as such.
    const value = normaliseSecret(
      (await ssm.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }))).Parameter?.Value ?? "",
    );
    if (!value) return new ChannelError(channel, `${channel} is not configured: SSM parameter ${parameter} is empty`);
    secrets.add(value);
    return value;
  } catch (err) {
    const reason = err instanceof Error ? err.name : String(err);
    return new ChannelError(channel, `${channel} is not configured: cannot read SSM parameter ${parameter} (${reason})`, { cause: err });
  }
}

function brokenChannel(error: ChannelError): AlertChannel {
  return {
    name: error.channel,
    send: async () => {
      throw error;
    },
    resolve: async () => {
      throw error;
    },
  };
}
