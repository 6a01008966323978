import type { CheckResult, Verdict } from "../../contract/report";

export type Severity = "warning" | "critical";

/** A check worth telling people about: what was observed against which threshold. */
export type AlertCheck = Pick<CheckResult<string>, "name" | "status" | "message" | "observed" | "threshold">;

/** One alert: about one service of one stack, after one run. */
export interface Alert {
  stack: string;
  service: string;
  /** The service's verdict, or `error` when the validator itself failed (exit 4). */
  verdict: Verdict | "error";
  severity: Severity;
  /** The failing (or inconclusive) checks, each with observed value and threshold. */
  checks: AlertCheck[];
  /** What deployctl did about it: "rolled back to sha-1 (task definition ...)", "none: ...". */
  action: string;
  dashboardUrl: string;
  runId: string;
  /** Further facts (escalations carry everything known). */
  details?: string[];
  /** Deduplicate against recent alerts. @default true (escalations set false: they always go out) */
  dedup?: boolean;
}

/** Sent when a service that had an open critical incident validates again. */
export interface ResolveNotice {
  stack: string;
  service: string;
  runId: string;
}

export interface ChannelResult {
  /** `dry-run`: not sent (`validate --dry-run`); the message says what would have gone out. */
  status: "ok" | "skipped" | "dry-run";
  /** For the run record: what was sent where (never a secret). */
  message: string;
}

/** One alert channel per file: sns.ts, slack.ts, pagerduty.ts. A failure is thrown, never swallowed. */
export interface AlertChannel {
  readonly name: string;
  send(alert: Alert): Promise<ChannelResult>;
  /** Whether `send` would send this alert at all (PagerDuty: critical only); absent: every alert. For the dry run's plan. */
  sends?(alert: Alert): boolean;
  /** Closes what `send` opened (PagerDuty incidents); channels without incidents omit it. */
  resolve?(notice: ResolveNotice): Promise<ChannelResult>;
}

/** A channel failed (HTTP error, unreachable, refused). The message never holds the URL or key. */
export class ChannelError extends Error {
  constructor(
    readonly channel: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ChannelError";
  }
}
