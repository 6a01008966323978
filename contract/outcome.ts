/**
 * How a run ended, and the one mapping from that to a process exit code.
 *
 * The run records store `exitCode` (history, dashboards and audits read it), and `deployctl`
 * exits with the same number: both call `exitCodeFor`, the single place an outcome becomes an exit
 * code. Workflows return an outcome (and, for a refused or errored run, the kind of error); they
 * never pick an exit code themselves.
 */

/** Exit codes shared by every deployctl command (documented in `deployctl --help` and the README). */
export const ExitCode = {
  /** The release is healthy (warnings allowed), or the command did what was asked. */
  Ok: 0,
  /** The verdict is fail, or the command refused (a promotion with no verified release, say). */
  Fail: 1,
  /** Bad input: usage, an unreadable or invalid manifest or config. The message names the field. */
  BadInput: 2,
  /** Too little data to judge: the verdict is inconclusive. */
  Inconclusive: 3,
  /** An operational error: AWS or an endpoint unreachable, access denied, throttled beyond retries. */
  Operational: 4,
  /** The stack is locked by another run. */
  Locked: 5,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** What kind of error stopped something: bad input, the tool could not do its job, or another run holds the stack. */
export type ErrorKind = "bad-input" | "operational" | "locked";

/** The commands that write run records. */
export type RunCommand = "validate" | "deploy" | "rollback";

/**
 * How the run ended, beyond the verdict:
 * - `released`: every validated service passed (and was recorded as last good when asked);
 * - `rolled-back`: a fail verdict, and the rollback restored the last good release;
 * - `rollback-failed`: a fail verdict, and the rollback did not restore a healthy release;
 * - `failed`: a fail verdict with no rollback (not asked for, or nothing to roll back to);
 * - `inconclusive`: too little data; nothing was rolled back;
 * - `refused`: the gate (or the command) refused before changing anything;
 * - `error`: an operational error (exit 4); nothing was rolled back;
 * - `nothing-to-do`: a rollback found every service already on the release it would restore.
 */
export type RunOutcome = "released" | "rolled-back" | "rollback-failed" | "failed" | "inconclusive" | "refused" | "error" | "nothing-to-do";

/** What decides the exit code of a run. */
export interface RunEnd {
  command: RunCommand;
  outcome: RunOutcome;
  /** The kind of error behind a `failed`, `refused` or `error` outcome, when an error was behind it. */
  errorKind?: ErrorKind;
}

const EXIT_OF_KIND: Record<ErrorKind, ExitCodeValue> = {
  "bad-input": ExitCode.BadInput,
  operational: ExitCode.Operational,
  locked: ExitCode.Locked,
};

/** The exit code for an error of this kind (the CLI's answer to a thrown error). */
export function exitCodeForKind(kind: ErrorKind): ExitCodeValue {
  return EXIT_OF_KIND[kind];
}

/**
 * The exit code of a run: the one mapping, used by the run recorder (the record's `exitCode`) and
 * by the CLI (the process's exit code).
 * - `released`, `nothing-to-do`: 0; `rolled-back`: 0 for `deployctl rollback` (it did what was
 *   asked), else 1 (the release failed); `rollback-failed`: 1;
 * - `failed`: 1, or 5 / 4 when the lock a rollback needed was held / could not be taken;
 * - `refused`: 1, or the exit code of the error that refused (2 bad input, 4 operational, 5 locked);
 * - `inconclusive`: 3; `error`: 4.
 */
export function exitCodeFor(end: RunEnd): ExitCodeValue {
  switch (end.outcome) {
    case "released":
    case "nothing-to-do":
      return ExitCode.Ok;
    case "rolled-back":
      return end.command === "rollback" ? ExitCode.Ok : ExitCode.Fail;
    case "rollback-failed":
      return ExitCode.Fail;
    case "failed":
      return end.errorKind === "locked" || end.errorKind === "operational" ? EXIT_OF_KIND[end.errorKind] : ExitCode.Fail;
    case "refused":
      return end.errorKind ? EXIT_OF_KIND[end.errorKind] : ExitCode.Fail;
    case "inconclusive":
      return ExitCode.Inconclusive;
    case "error":
      return ExitCode.Operational;
  }
}
