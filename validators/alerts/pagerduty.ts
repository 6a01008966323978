import { alertTitle, formatCheck } from "./message";
import { type FetchFn, postJson } from "./http";
import type { Alert, AlertChannel, ChannelResult, ResolveNotice } from "./types";

export const DEFAULT_PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

/** The Events API v2 body (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/). */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: "trigger" | "resolve";
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: "critical";
    component: string;
    group: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  links?: { href: string; text: string }[];
}

/** One incident per stack and service: a later trigger updates it, a resolve closes it. */
export function pagerDutyDedupKey(stack: string, service: string): string {
  return `${stack}/${service}`;
}

/** Pages on critical alerts only (warnings are skipped), and resolves when the service validates again. */
export class PagerDutyChannel implements AlertChannel {
  readonly name = "pagerduty";

  constructor(
    private readonly routingKey: string,
    private readonly eventsUrl: string = DEFAULT_PAGERDUTY_EVENTS_URL,
    private readonly fetchFn: FetchFn = fetch,
  ) {}

  sends(alert: Alert): boolean {
    return alert.severity === "critical";
  }

  async send(alert: Alert): Promise<ChannelResult> {
    if (!this.sends(alert)) return { status: "skipped", message: "PagerDuty pages on critical alerts only" };
    const event: PagerDutyEvent = {
      routing_key: this.routingKey,
      event_action: "trigger",
      dedup_key: pagerDutyDedupKey(alert.stack, alert.service),
      payload: {
        summary: `${alertTitle(alert)}: ${alert.action}`.slice(0, 1024),
        source: `deployctl/${alert.stack}`,
        severity: "critical",
        component: alert.service,
        group: alert.stack,
        class: alert.checks.map((c) => c.name).join(",") || alert.verdict,
        custom_details: {
          verdict: alert.verdict,
          action: alert.action,
          checks: alert.checks.map(formatCheck),
          runId: alert.runId,
          ...(alert.details?.length ? { details: alert.details } : {}),
        },
      },
      ...(alert.dashboardUrl ? { links: [{ href: alert.dashboardUrl, text: "Dashboard" }] } : {}),
    };
    await postJson(this.name, this.fetchFn, this.eventsUrl, event, [this.routingKey]);
    return { status: "ok", message: `triggered PagerDuty incident ${event.dedup_key}` };
  }

  async resolve(notice: ResolveNotice): Promise<ChannelResult> {
    const event: PagerDutyEvent = {
      routing_key: this.routingKey,
      event_action: "resolve",
      dedup_key: pagerDutyDedupKey(notice.stack, notice.service),
    };
    await postJson(this.name, this.fetchFn, this.eventsUrl, event, [this.routingKey]);
    return { status: "ok", message: `resolved PagerDuty incident ${event.dedup_key}` };
  }
}
