import type { ActionRecord, RetryAttempt, ValidationReport, Verdict } from "../../contract/report";

/**
 * The run record: one JSON document per validate / deploy / rollback run, written to the
 * environment's record store. Field names are a contract (history, dashboards, audits read them).
 */
export const RUN_RECORD_SCHEMA_VERSION = 1;

export type { RunCommand, RunOutcome } from "../../contract/outcome";
import type { RunCommand, RunOutcome } from "../../contract/outcome";

/** One service touched by the run: what ran before and what runs after. */
export interface ServiceChange {
  name: string;
  tagBefore?: string;
  /** The tag a deploy set (kept when a rollback then restores tagBefore). */
  tagDeployed?: string;
  tagAfter?: string;
  taskDefinitionBefore?: string;
  taskDefinitionAfter?: string;
}

/** Why and what a rollback did. */
export interface RollbackSummary {
  reason: string;
  /** Services rolled back, in the order they were rolled back (reverse deploy order). */
  services: string[];
  status: "ok" | "failed";
  /** A progressive deployment: the traffic step that failed, and how fast traffic went back. */
  failedStep?: FailedTrafficStep;
}

/** The traffic step of a progressive deployment that stopped the release (validators/canary/watch.ts fills it). */
export interface FailedTrafficStep {
  service: string;
  /** The new revision's share of production traffic at that step. */
  percent: number;
  /** 1-based position among the strategy's steps. */
  step: number;
  verdict: "fail" | "inconclusive";
  reason: string;
  /** deployctl (StopServiceDeployment ROLLBACK) or ECS itself (alarm, circuit breaker, the hook). */
  rolledBackBy: "deployctl" | "ecs";
  verdictAt: string;
  rollbackRequestedAt?: string;
  /** From the failing verdict to the rollback request. */
  secondsToRollback?: number;
  /** How ECS's rollback ended (ROLLBACK_SUCCESSFUL...). */
  rollbackStatus?: string;
}

export interface RunRecord {
  schemaVersion: typeof RUN_RECORD_SCHEMA_VERSION;
  runId: string;
  command: RunCommand;
  /** user@host, or the CI identity (see identity.ts). */
  who: string;
  stack: string;
  startedAt: string;
  finishedAt: string;
  services: ServiceChange[];
  /** Every validation the run made, in order; each check carries its observed value and threshold. */
  validations: ValidationReport[];
  /** The verdict of the run's last validation (inconclusive when none ran). */
  verdict: Verdict;
  outcome: RunOutcome;
  rollback?: RollbackSummary;
  /**
   * `--retries`: each validation of services whose health check (smoke or tasks) failed, the first
   * and one after each forced new deployment of the same revision. Absent when nothing was retried.
   */
  attempts?: RetryAttempt[];
  /** What the run did (config set, stack update, alerts per channel, rollback steps) and how each went. */
  actions: ActionRecord[];
  exitCode: number;
  /** The operational error that ended the run, if any (already redacted). */
  error?: string;
}

/** Per stack statistics, derived from the stored records. */
export interface RunStats {
  runs: number;
  /** Runs that ended with exit 0. */
  successes: number;
  /** Runs that ended with a fail verdict or a refusal (exit 1). */
  failures: number;
  /** Runs that rolled something back (whether the rollback worked or not). */
  rollbacks: number;
  /** Failures since the last success, newest first (inconclusive and errored runs neither count nor break it). */
  consecutiveFailures: number;
}

/** Where run records (and small state documents such as the alert dedup state) live. */
export interface RecordStore {
  /** Human description for messages: `s3://bucket/prefix` or a directory. */
  readonly location: string;
  /** Writes one record atomically (redacted first). Returns where it went. */
  put(record: RunRecord): Promise<string>;
  /** The redaction pass the store applies (known secrets included), for what is printed too. */
  redact<T>(value: T): T;
  /** Records, newest first. */
  list(options?: { limit?: number }): Promise<RunRecord[]>;
  /** A small JSON state document by name, or undefined when absent. */
  readState(name: string): Promise<unknown>;
  /** Replaces a state document atomically. */
  writeState(name: string, value: unknown): Promise<void>;
}
