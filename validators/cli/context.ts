import type { Command } from "commander";
import type { CliIO } from "./io";

/** What every command gets: where to write, and how to set the process exit code. */
export interface CliContext {
  io: CliIO;
  setExitCode(code: number): void;
}

/** A command module adds its command (and subcommands) to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;
