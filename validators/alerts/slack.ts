import { alertTitle, formatValues } from "./message";
import { type FetchFn, postJson } from "./http";
import type { Alert, AlertChannel, ChannelResult } from "./types";

/** One Block Kit block; only the kinds this channel sends. */
export type SlackBlock =
  | { type: "header"; text: { type: "plain_text"; text: string } }
  | { type: "section"; text?: { type: "mrkdwn"; text: string }; fields?: { type: "mrkdwn"; text: string }[] }
  | { type: "actions"; elements: { type: "button"; text: { type: "plain_text"; text: string }; url: string }[] }
  | { type: "context"; elements: { type: "mrkdwn"; text: string }[] };

export interface SlackMessage {
  /** Fallback text for notifications and clients without blocks. */
  text: string;
  blocks: SlackBlock[];
}

/** Slack caps section text at 3000 characters and header text at 150. */
const SECTION_MAX = 3000;
const HEADER_MAX = 150;

/** The alert as a Slack Block Kit message: headline, facts, failing checks, action, dashboard button. */
export function slackMessage(alert: Alert): SlackMessage {
  const icon = alert.severity === "critical" ? ":rotating_light:" : ":warning:";
  const checks = alert.checks.length
    ? alert.checks
        .map((c) => `• *${c.name}* (${c.status}): observed ${formatValues(c.observed)} vs threshold ${formatValues(c.threshold)}`)
        .join("\n")
    : "No check failed.";
  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: clip(`${alertTitle(alert)}`, HEADER_MAX) } },
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*Stack*\n${alert.stack}` },
        { type: "mrkdwn", text: `*Service*\n${alert.service}` },
        { type: "mrkdwn", text: `*Verdict*\n${alert.verdict}` },
        { type: "mrkdwn", text: `*Severity*\n${icon} ${alert.severity}` },
      ],
    },
    { type: "section", text: { type: "mrkdwn", text: clip(`*Failing checks*\n${checks}`, SECTION_MAX) } },
    { type: "section", text: { type: "mrkdwn", text: clip(`*Action*\n${alert.action}`, SECTION_MAX) } },
  ];
  if (alert.details?.length) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: clip(`*Details*\n${alert.details.map((d) => `• ${d}`).join("\n")}`, SECTION_MAX) },
    });
  }
  if (alert.dashboardUrl) {
    blocks.push({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "Open dashboard" }, url: alert.dashboardUrl }],
    });
  }
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `deployctl run ${alert.runId}` }] });
  return { text: `${alertTitle(alert)}: ${alert.action}`, blocks };
}

/** A Slack incoming webhook. The URL is a secret: it never appears in messages or records. */
export class SlackChannel implements AlertChannel {
  readonly name = "slack";

  constructor(
    private readonly webhookUrl: string,
    private readonly fetchFn: FetchFn = fetch,
  ) {}

  async send(alert: Alert): Promise<ChannelResult> {
    await postJson(this.name, this.fetchFn, this.webhookUrl, slackMessage(alert), []);
    return { status: "ok", message: `posted ${alert.severity} alert for ${alert.stack}/${alert.service} to Slack` };
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
