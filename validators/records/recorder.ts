import type { ActionRecord, RetryAttempt, ValidationReport, Verdict } from "../../contract/report";
import { type ErrorKind, exitCodeFor } from "../../contract/outcome";
import {
  RUN_RECORD_SCHEMA_VERSION,
  type RecordStore,
  type RollbackSummary,
  type RunCommand,
  type RunOutcome,
  type RunRecord,
  type ServiceChange,
} from "./types";

export interface RunRecorderInit {
  runId: string;
  command: RunCommand;
  who: string;
  stack: string;
  now: () => Date;
}

/**
 * Collects what a run does (service changes, validations, actions, rollback) and produces the run
 * record when it ends. One recorder per run; the orchestration writes `finish(...)` to the store.
 */
export class RunRecorder {
  readonly runId: string;
  readonly startedAt: string;
  private readonly services = new Map<string, ServiceChange>();
  private readonly validations: ValidationReport[] = [];
  private readonly actions: ActionRecord[] = [];
  private readonly attempts: RetryAttempt[] = [];
  private rollbackSummary: RollbackSummary | undefined;

  constructor(private readonly init: RunRecorderInit) {
    this.runId = init.runId;
    this.startedAt = init.now().toISOString();
  }

  /** Adds an action stamped with the current time; returns it. */
  action(action: Omit<ActionRecord, "at">): ActionRecord {
    const stamped: ActionRecord = { ...action, at: this.init.now().toISOString() };
    this.actions.push(stamped);
    return stamped;
  }

  /** Adds actions that already carry their time (alert dispatch results, rollback steps). */
  addActions(actions: readonly ActionRecord[]): void {
    this.actions.push(...actions);
  }

  validation(report: ValidationReport): void {
    this.validations.push(report);
  }

  /** Records (or completes) what changed for a service; later fields override earlier ones. */
  service(change: ServiceChange): void {
    const current = this.services.get(change.name) ?? { name: change.name };
    const merged: ServiceChange = { ...current };
    for (const [key, value] of Object.entries(change) as [keyof ServiceChange, string | undefined][]) {
      if (value !== undefined) merged[key] = value;
    }
    this.services.set(change.name, merged);
  }

  /** One attempt of `--retries` (a validation before or after a forced new deployment). */
  attempt(attempt: RetryAttempt): void {
    this.attempts.push(attempt);
  }

  rollback(summary: RollbackSummary): void {
    this.rollbackSummary = summary;
  }

  /** The actions so far (for messages and alerts). */
  actionsSoFar(): readonly ActionRecord[] {
    return this.actions;
  }

  /** The verdict of the last validation, or inconclusive when none ran. */
  lastVerdict(): Verdict {
    return this.validations.at(-1)?.verdict ?? "inconclusive";
  }

  /** Ends the run; the record's exit code comes from the one mapping (contract/outcome.ts `exitCodeFor`). */
  finish(end: RunFinish): RunRecord {
    return {
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      runId: this.runId,
      command: this.init.command,
      who: this.init.who,
      stack: this.init.stack,
      startedAt: this.startedAt,
      finishedAt: this.init.now().toISOString(),
      services: [...this.services.values()],
      validations: [...this.validations],
      verdict: end.verdict ?? this.lastVerdict(),
      outcome: end.outcome,
      ...(this.rollbackSummary ? { rollback: this.rollbackSummary } : {}),
      ...(this.attempts.length > 0 ? { attempts: [...this.attempts] } : {}),
      actions: [...this.actions],
      exitCode: exitCodeFor({ command: this.init.command, outcome: end.outcome, errorKind: end.errorKind }),
      ...(end.error !== undefined ? { error: end.error } : {}),
    };
  }
}

/** How a run ends: its outcome, the kind of error behind it (if any), the verdict and the error message. */
export interface RunFinish {
  outcome: RunOutcome;
  errorKind?: ErrorKind;
  verdict?: Verdict;
  error?: string;
}

/** What saving a run record gave: the record, where it went, or why it could not be written. */
export interface SavedRecord {
  record: RunRecord;
  location?: string;
  error?: string;
}

/** What a recorded workflow returns: the saved record and how the run ended (the CLI turns that into the exit code). */
export interface RunResult extends SavedRecord {
  outcome: RunOutcome;
  errorKind?: ErrorKind;
}

/**
 * Ends the run and writes its record; a store failure is reported, never thrown (the run already
 * happened). The record returned is the redacted one, safe to print.
 */
export async function saveRecord(store: Pick<RecordStore, "put" | "redact">, recorder: RunRecorder, end: RunFinish): Promise<RunResult> {
  const record = store.redact(recorder.finish(end));
  const ending = { outcome: end.outcome, ...(end.errorKind ? { errorKind: end.errorKind } : {}) };
  try {
    return { ...ending, record, location: await store.put(record) };
  } catch (err) {
    return { ...ending, record, error: err instanceof Error ? err.message : String(err) };
  }
}
