import { type Command, Option } from "commander";
import { abortableSleep, abortError, Deadline } from "../core/deadline";
import type { PulumiTimeouts } from "../providers/pulumi/cli";
import type { PulumiStacks } from "../providers/pulumi/stacks";
import type { CliContext } from "./context";
import type { CliIO } from "./io";
import { formatDuration } from "../../contract/duration";
import { duration } from "./options";

/**
 * `--deadline` (the whole command) and `--pulumi-timeout` (one Pulumi CLI run) for every command
 * that talks to the outside world. Defaults per command: validate 30m, gate 10m, deploy 2h,
 * rollback 1h, promote 1h, pipeline status 5m.
 */
export const DEFAULT_DEADLINES = {
  validate: 30 * 60_000,
  gate: 10 * 60_000,
  deploy: 2 * 3_600_000,
  rollback: 3_600_000,
  promote: 3_600_000,
  "pipeline status": 5 * 60_000,
} as const;

/** One Pulumi CLI read or config edit (config get/set, stack output, stack select). */
export const DEFAULT_PULUMI_TIMEOUT = 2 * 60_000;

export interface DeadlineFlags {
  /** Milliseconds; absent (a test calling a command directly): no deadline. */
  deadline?: number;
  /** Milliseconds. */
  pulumiTimeout?: number;
}

/** The deadline of the running command, as commands and compose.ts see it. */
export interface DeadlineScope {
  signal: AbortSignal;
  pulumi: PulumiTimeouts;
}

/** What a deadline touches in a command's deps: waits (sleep), the Pulumi CLI, and the signal the workflows race. */
interface DeadlineDeps {
  stacks: (workDir: string, timeouts?: PulumiTimeouts) => PulumiStacks;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Adds --deadline (default per command) and, when the command runs the Pulumi CLI, --pulumi-timeout. */
export function addDeadlineOptions(cmd: Command, command: keyof typeof DEFAULT_DEADLINES, options: { pulumi?: boolean } = {}): Command {
  cmd.addOption(
    new Option(
      "--deadline <duration>",
      "stop the whole command after this long (e.g. 90s, 30m, 2h; a bare number is seconds): the stack lock is released, the run record written, exit 4",
    )
      .argParser(duration("--deadline", { bareUnit: "s", unit: "ms", min: 1000, max: 24 * 3_600_000 }))
      .default(DEFAULT_DEADLINES[command], formatDuration(DEFAULT_DEADLINES[command])),
  );
  if (options.pulumi !== false) {
    cmd.addOption(
      new Option(
        "--pulumi-timeout <duration>",
        "stop one Pulumi CLI read or config edit (config get/set, stack output) after this long, exit 4 naming it (e.g. 30s, 5m; a bare number is seconds); stack updates are bounded by --deadline",
      )
        .argParser(duration("--pulumi-timeout", { bareUnit: "s", unit: "ms", min: 1000, max: 24 * 3_600_000 }))
        .default(DEFAULT_PULUMI_TIMEOUT, formatDuration(DEFAULT_PULUMI_TIMEOUT)),
    );
  }
  return cmd;
}

/**
 * Runs a command's action under its --deadline: the deadline's signal goes to the command (ctx.deadline),
 * which hands it to its deps (withDeadline); the action is raced against it, so an action still
 * waiting when the time is up ends with DeadlineExceededError (exit 4) naming the deadline and the
 * last thing the command said it was doing.
 */
export async function underDeadline(flags: DeadlineFlags, ctx: CliContext, run: (ctx: CliContext) => Promise<number>): Promise<number> {
  if (flags.deadline === undefined) return run(ctx);
  const deadline = new Deadline(flags.deadline, `--deadline ${formatDuration(flags.deadline)}`);
  const io: CliIO = { ...ctx.io, stdout: noting(ctx.io.stdout, deadline), stderr: noting(ctx.io.stderr, deadline) };
  const scope: DeadlineScope = {
    signal: deadline.signal,
    pulumi: { signal: deadline.signal, updateMs: flags.deadline, ...(flags.pulumiTimeout ? { queryMs: flags.pulumiTimeout } : {}) },
  };
  try {
    return await Promise.race([run({ ...ctx, io, deadline: scope }), afterGrace(deadline.signal)]);
  } finally {
    deadline.clear();
  }
}

/** `deps` bound to the command's deadline (when it has one): aborting waits, bounded Pulumi CLI runs, the signal. */
export function withDeadline<D extends DeadlineDeps>(ctx: CliContext, deps: D): D {
  const scope = ctx.deadline;
  if (!scope) return deps;
  return {
    ...deps,
    signal: scope.signal,
    sleep: abortableSleep(deps.sleep ?? realSleep, scope.signal),
    stacks: (workDir: string, timeouts?: PulumiTimeouts) => deps.stacks(workDir, { ...scope.pulumi, ...timeouts }),
  };
}

/** A writer that also notes each line as what the command is doing (the last one is named if the deadline passes). */
function noting(write: (text: string) => void, deadline: Deadline): (text: string) => void {
  return (text) => {
    const line = text
      .split("\n")
      .map((l) => l.replace(/^[…\s]+/, "").trim())
      .filter((l) => l !== "")
      .pop();
    if (line) deadline.note(line.length > 120 ? `${line.slice(0, 119)}…` : line);
    write(text);
  };
}

/**
 * Once the deadline passes, the command's own races (its workflow, waits and Pulumi runs) end it
 * at once with the run record written and the lock released; this rejects anything still running
 * DEADLINE_GRACE_MS later.
 */
export const DEADLINE_GRACE_MS = 5_000;

function afterGrace(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener("abort", () => setTimeout(() => reject(abortError(signal)), DEADLINE_GRACE_MS), { once: true });
  });
}
