import type { Command } from "commander";
import type { CliIO } from "./io";
import type { DeadlineScope } from "./deadline";

/** What every command gets: where to write, and how to set the process exit code. */
export interface CliContext {
  io: CliIO;
  setExitCode(code: number): void;
  /** The running command's --deadline (cli/deadline.ts underDeadline); absent when a test calls a command directly. */
  deadline?: DeadlineScope;
}

/** A command module adds its command (and subcommands) to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;
