import { DeliveryError } from "../core/errors";
import { type ErrorKind, ExitCode, type ExitCodeValue, type RunEnd, exitCodeFor, exitCodeForKind } from "../../contract/outcome";

/** The exit codes and the one outcome -> exit code mapping live in contract/outcome.ts (run records store the code too). */
export { ExitCode, type ExitCodeValue, exitCodeFor } from "../../contract/outcome";

/** The exit code for a thrown error: its kind's, or 4 for anything unexpected. */
export function exitCodeForError(err: unknown): ExitCodeValue {
  return err instanceof DeliveryError ? exitCodeForKind(err.kind) : ExitCode.Operational;
}

/** The exit code of a workflow's run; a run record that could not be written turns a success into 4. */
export function exitCodeForRun(result: {
  record: { command: RunEnd["command"] };
  outcome: RunEnd["outcome"];
  errorKind?: ErrorKind;
  error?: string;
}): ExitCodeValue {
  const code = exitCodeFor({ command: result.record.command, outcome: result.outcome, errorKind: result.errorKind });
  return result.error && code === ExitCode.Ok ? ExitCode.Operational : code;
}

/** The exit code of a promotion: 0 when promoted (or a dry run would) or nothing changed, else 1 (refused or cancelled). */
export function exitCodeForPromotion(outcome: "promoted" | "would-promote" | "nothing-to-change" | "refused" | "cancelled"): ExitCodeValue {
  return outcome === "promoted" || outcome === "would-promote" || outcome === "nothing-to-change" ? ExitCode.Ok : ExitCode.Fail;
}

const EXIT_CODE_MEANINGS: Record<ExitCodeValue, string> = {
  0: "pass (warnings allowed) / done",
  1: "fail (verdict fail, or the command refused)",
  2: "bad input (usage, unreadable or invalid manifest or config)",
  3: "inconclusive (too little data to judge)",
  4: "operational error (AWS, the Pulumi CLI or an endpoint unreachable, access denied,\n     throttled; a Pulumi CLI run past --pulumi-timeout; --deadline passed)",
  5: "the stack is locked by another run",
};

/**
 * The "Exit codes:" block of a command's --help: only the codes it can return, each with the
 * shared meaning unless the command says more precisely what it means for it.
 */
export function exitCodesHelp(codes: readonly ExitCodeValue[], meanings: Partial<Record<ExitCodeValue, string>> = {}): string {
  return ["Exit codes:", ...codes.map((code) => `  ${code}  ${meanings[code] ?? EXIT_CODE_MEANINGS[code]}`)].join("\n");
}

/** Every exit code, for the program's --help and the commands that can return each of them. */
export const EXIT_CODES_HELP = exitCodesHelp([0, 1, 2, 3, 4, 5]);
