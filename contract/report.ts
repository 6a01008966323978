/**
 * The validation report: what `deployctl validate --output json` prints, and what run records,
 * alerts and rollback decisions are built from. Field names are a contract.
 */
export const REPORT_SCHEMA_VERSION = 1;

export const CHECK_NAMES = ["rollout", "tasks", "errorRate", "latency", "smoke", "logs"] as const;
/**
 * Checks run only when asked: `canary` (`validate --compare baseline`, and each traffic step of a
 * progressive deploy) compares the new revision's target group with the baseline's.
 */
export const COMPARISON_CHECK_NAMES = ["canary"] as const;
export type CheckName = (typeof CHECK_NAMES)[number] | (typeof COMPARISON_CHECK_NAMES)[number];

/** The checks `deployctl gate` runs before a deploy; a report of the same shape carries them. */
export const GATE_CHECK_NAMES = ["image", "alarms", "rollout", "lastGood"] as const;
export type GateCheckName = (typeof GATE_CHECK_NAMES)[number];

export const CHECK_STATUSES = ["pass", "warn", "fail", "inconclusive", "skipped"] as const;
export const VERDICTS = ["pass", "fail", "inconclusive"] as const;

export type CheckStatus = "pass" | "warn" | "fail" | "inconclusive" | "skipped";
export type Verdict = "pass" | "fail" | "inconclusive";

export interface CheckResult<N extends string = CheckName> {
  name: N;
  status: CheckStatus;
  /** One sentence for people: what was seen and why this status. */
  message: string;
  /** What was measured (numbers, states, counts). Never a secret. */
  observed: Record<string, unknown>;
  /** What it was compared with. */
  threshold: Record<string, unknown>;
}

export interface ServiceReport<N extends string = CheckName> {
  name: string;
  verdict: Verdict;
  checks: CheckResult<N>[];
}

/** How an action went; `dry-run` marks what `--dry-run` would have done and did not. */
export const ACTION_STATUSES = ["ok", "failed", "skipped", "dry-run"] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** Something deployctl did because of the verdict (an alert sent, a rollback started...). */
export interface ActionRecord {
  kind: string;
  target?: string;
  /** `dry-run`: what the run would have done; `--dry-run` did not do it. */
  status: ActionStatus;
  message: string;
  at: string;
  details?: Record<string, unknown>;
}

export interface ValidationReport<N extends string = CheckName> {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  stack: string;
  verdict: Verdict;
  startedAt: string;
  finishedAt: string;
  services: ServiceReport<N>[];
  actions: ActionRecord[];
  /**
   * `--retries`: each validation of the services whose health check (smoke or tasks) failed, the
   * first one and one after each forced new deployment of the same revision. Absent when nothing
   * was retried.
   */
  attempts?: RetryAttempt[];
  /** `--dry-run`: nothing was sent, written or changed; actions with status `dry-run` are what a real run would do. Absent otherwise. */
  dryRun?: true;
}

/** What came before an attempt's validation: the release as deployed, or a forced new deployment of the same revision. */
export const RETRY_ATTEMPT_ACTIONS = ["validate", "force-new-deployment"] as const;
export type RetryAttemptAction = (typeof RETRY_ATTEMPT_ACTIONS)[number];

/** A check that failed in an attempt, by service. */
export interface FailingCheck {
  service: string;
  check: string;
  message: string;
}

/** One validation of services whose health check failed (`--retries N`): attempt 1 is the first validation. */
export interface RetryAttempt {
  /** 1 for the first validation, 2 after the first forced new deployment... */
  attempt: number;
  /** When the attempt began (the restart's request, or the first validation's end). */
  at: string;
  action: RetryAttemptAction;
  /** The services this attempt judged (and, after the first, restarted). */
  services: string[];
  /** Those services' verdict after this attempt (inconclusive when the restart failed and nothing was judged). */
  verdict: Verdict;
  /** The failing checks of those services after this attempt; empty when they passed. */
  failingChecks: FailingCheck[];
  /** Why the attempt could not be made (the restart failed); absent when it was made. */
  error?: string;
}

/** What `deployctl gate` prints: the validation report's shape, with the gate's check names. */
export type GateReport = ValidationReport<GateCheckName>;

/** A service fails if any check fails; else inconclusive if any is; else it passes (warnings allowed). */
export function serviceVerdict(checks: readonly { status: CheckStatus }[]): Verdict {
  if (checks.some((c) => c.status === "fail")) return "fail";
  if (checks.some((c) => c.status === "inconclusive")) return "inconclusive";
  return "pass";
}

/** The run's verdict from its services' verdicts, by the same rule. No service is inconclusive, never pass. */
export function overallVerdict(services: readonly { verdict: Verdict }[]): Verdict {
  if (services.length === 0) return "inconclusive";
  if (services.some((s) => s.verdict === "fail")) return "fail";
  if (services.some((s) => s.verdict === "inconclusive")) return "inconclusive";
  return "pass";
}

/** A service's report from its checks: the verdict follows from them. */
export function serviceReport<N extends string>(name: string, checks: CheckResult<N>[]): ServiceReport<N> {
  return { name, verdict: serviceVerdict(checks), checks };
}

/** The run's report from its services' reports (validate and gate alike); no actions yet. */
export function runReport<N extends string>(
  stack: string,
  services: ServiceReport<N>[],
  startedAt: Date,
  finishedAt: Date,
): ValidationReport<N> {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    stack,
    verdict: overallVerdict(services),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    services,
    actions: [],
  };
}
