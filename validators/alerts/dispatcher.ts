import { z } from "zod";
import { redact, type SecretRegistry } from "../core/redact";
import type { RecordStore } from "../records/types";
import type { ActionRecord } from "../../contract/report";
import type { Alert, AlertChannel, ResolveNotice, Severity } from "./types";
import { type AlertPolicy, DEFAULT_ALERT_POLICY } from "./policy";

export { type AlertPolicy, DEFAULT_ALERT_POLICY } from "./policy";

/** The dispatcher keeps its memory in the record store, as the state document `alerts`. */
export type AlertStateStore = Pick<RecordStore, "readState" | "writeState">;
export const ALERT_STATE_NAME = "alerts";

const stateSchema = z.object({
  /** `stack/service/check` -> when it was last alerted, and how severely. */
  sent: z.record(z.string(), z.object({ at: z.string(), severity: z.enum(["warning", "critical"]) })),
  /** `stack/service` -> consecutive failed runs. */
  failures: z.record(z.string(), z.number()),
  /** `stack/service` -> when its PagerDuty incident was triggered (resolved when it validates again). */
  openIncidents: z.record(z.string(), z.string()),
});
type AlertState = z.infer<typeof stateSchema>;

const RANK: Record<Severity, number> = { warning: 1, critical: 2 };

/**
 * Sends alerts through every channel: deduplicates by stack + service + check within a window,
 * escalates to critical after N consecutive failures, and reports each channel's result as an
 * action. Every alert goes through the redaction pass (known secrets included) before it is sent. A failing channel never stops the others, and nothing here throws.
 */
export class AlertDispatcher {
  constructor(
    private readonly channels: readonly AlertChannel[],
    private readonly store: AlertStateStore,
    private readonly policy: AlertPolicy = DEFAULT_ALERT_POLICY,
    private readonly now: () => Date = () => new Date(),
    private readonly secrets?: SecretRegistry,
  ) {}

  async notify(alerts: readonly Alert[]): Promise<ActionRecord[]> {
    const actions: ActionRecord[] = [];
    const state = await this.load(actions);
    for (const alert of alerts) {
      const final = redact(this.escalate(alert, state), this.secrets?.values());
      const suppressedBy = final.dedup === false ? undefined : this.recentlySent(final, state);
      if (suppressedBy) {
        actions.push(
          this.action(
            "all",
            "skipped",
            `${final.severity} alert for ${final.stack}/${final.service} not sent again: ${suppressedBy}`,
            final,
          ),
        );
        continue;
      }
      const results = await this.sendAll(final);
      actions.push(...results);
      const at = this.now().toISOString();
      if (results.some((r) => r.status === "ok")) {
        for (const key of checkKeys(final)) state.sent[key] = { at, severity: final.severity };
      }
      if (results.some((r) => r.target === "pagerduty" && r.status === "ok" && final.severity === "critical")) {
        state.openIncidents[serviceKey(final)] = at;
      }
    }
    await this.save(state, actions);
    return actions;
  }

  /** A service validated again: its failure streak ends, and its open incidents are resolved. */
  async recovered(notices: readonly ResolveNotice[]): Promise<ActionRecord[]> {
    const actions: ActionRecord[] = [];
    const state = await this.load(actions);
    for (const notice of notices) {
      const key = serviceKey(notice);
      delete state.failures[key];
      for (const sentKey of Object.keys(state.sent)) if (sentKey.startsWith(`${key}/`)) delete state.sent[sentKey];
      if (state.openIncidents[key] === undefined) continue;
      let allResolved = true;
      for (const channel of this.channels) {
        if (!channel.resolve) continue;
        try {
          const result = await channel.resolve(notice);
          actions.push(
            this.action(channel.name, result.status, result.message, { stack: notice.stack, service: notice.service }, "resolve"),
          );
        } catch (err) {
          allResolved = false;
          actions.push(this.action(channel.name, "failed", errorMessage(err), { stack: notice.stack, service: notice.service }, "resolve"));
        }
      }
      if (allResolved) delete state.openIncidents[key];
    }
    await this.save(state, actions);
    return actions;
  }

  private escalate(alert: Alert, state: AlertState): Alert {
    if (alert.verdict !== "fail") return alert;
    const key = serviceKey(alert);
    const streak = (state.failures[key] ?? 0) + 1;
    state.failures[key] = streak;
    if (streak < this.policy.escalateAfter || alert.severity === "critical") return alert;
    return {
      ...alert,
      severity: "critical",
      details: [
        ...(alert.details ?? []),
        `escalated to critical: ${streak} consecutive failed runs (threshold ${this.policy.escalateAfter})`,
      ],
    };
  }

  /** Why the alert is a duplicate, or undefined when it must go out. */
  private recentlySent(alert: Alert, state: AlertState): string | undefined {
    const since = this.now().getTime() - this.policy.dedupWindowSeconds * 1000;
    const keys = checkKeys(alert);
    const previous = keys.map((k) => state.sent[k]);
    const allRecent = previous.every((p) => p !== undefined && Date.parse(p.at) >= since && RANK[p.severity] >= RANK[alert.severity]);
    if (!allRecent) return undefined;
    const last = previous
      .map((p) => p?.at ?? "")
      .sort()
      .at(-1);
    return `${keys.map((k) => k.split("/").at(-1)).join(", ")} already alerted at ${last} (within the ${this.policy.dedupWindowSeconds} s window)`;
  }

  private async sendAll(alert: Alert): Promise<ActionRecord[]> {
    const settled = await Promise.allSettled(this.channels.map((channel) => channel.send(alert)));
    return settled.map((result, i) => {
      const name = this.channels[i]?.name ?? "unknown";
      return result.status === "fulfilled"
        ? this.action(name, result.value.status, result.value.message, alert)
        : this.action(name, "failed", errorMessage(result.reason), alert);
    });
  }

  private action(
    target: string,
    status: ActionRecord["status"],
    message: string,
    about: { stack: string; service: string; severity?: Severity },
    kind = "alert",
  ): ActionRecord {
    const details: Record<string, unknown> = { stack: about.stack, service: about.service };
    if (about.severity) details.severity = about.severity;
    return { kind, target, status, message, at: this.now().toISOString(), details };
  }

  private async load(actions: ActionRecord[]): Promise<AlertState> {
    try {
      const parsed = stateSchema.safeParse(await this.store.readState(ALERT_STATE_NAME));
      if (parsed.success) return parsed.data;
    } catch (err) {
      actions.push({
        kind: "alert-state",
        status: "failed",
        message: `cannot read the alert state (deduplication off for this run): ${errorMessage(err)}`,
        at: this.now().toISOString(),
      });
    }
    return { sent: {}, failures: {}, openIncidents: {} };
  }

  private async save(state: AlertState, actions: ActionRecord[]): Promise<void> {
    try {
      await this.store.writeState(ALERT_STATE_NAME, state);
    } catch (err) {
      actions.push({
        kind: "alert-state",
        status: "failed",
        message: `cannot save the alert state: ${errorMessage(err)}`,
        at: this.now().toISOString(),
      });
    }
  }
}

function serviceKey(about: { stack: string; service: string }): string {
  return `${about.stack}/${about.service}`;
}

/** `stack/service/check` per alerted check; `stack/service/<verdict>` when no check is named. */
function checkKeys(alert: Alert): string[] {
  const names = alert.checks.length > 0 ? alert.checks.map((c) => c.name) : [alert.verdict];
  return [...new Set(names)].map((name) => `${serviceKey(alert)}/${name}`);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
