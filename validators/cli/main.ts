import { Command, CommanderError } from "commander";
import { commands } from "./commands";
import { DeliveryError } from "../core/errors";
import { EXIT_CODES_HELP, ExitCode, type ExitCodeValue, exitCodeForError } from "./exitCodes";
import type { ErrorKind } from "../../contract/outcome";
import { errorDocument } from "../render/document";
import { type CliIO, processIO, println } from "./io";

/** Whether a --deadline passed: bin/deployctl.js then exits at once rather than wait for abandoned work. */
export { deadlinePassed } from "../core/deadline";

/** Builds the deployctl program; exported for tests that inspect the command tree. */
export function buildProgram(io: CliIO, setExitCode: (code: number) => void): Command {
  const program = new Command("deployctl")
    .description("Render, validate, deploy, roll back and promote the delivery stacks.")
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", `\n${EXIT_CODES_HELP}`);
  for (const register of commands) register(program, { io, setExitCode });
  applyToAll(program, (cmd) => {
    cmd.exitOverride();
    // Commander's own usage errors carry the prefix every other deployctl error has.
    cmd.configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => write(text.replace(/^error: /, "deployctl: ")),
    });
  });
  return program;
}

/** Runs deployctl with `argv` (as process.argv: node, script, args...) and resolves to the exit code. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  // With --output json, an error is also one document on stdout (errorDocument), for the machine reading it.
  const json = outputFormatIn(argv.slice(2)) === "json";
  const fail = (code: ExitCodeValue, kind: ErrorKind, message: string): ExitCodeValue => {
    if (json) io.stdout(errorDocument(code, kind, message));
    return code;
  };
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or the help / version).
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
        return ExitCode.Ok;
      }
      return fail(ExitCode.BadInput, "bad-input", err.message.replace(/^error: /, ""));
    }
    if (err instanceof DeliveryError) {
      println(io.stderr, `deployctl: ${err.message}`);
      return fail(exitCodeForError(err), err.kind, err.message);
    }
    const message = `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
    println(io.stderr, `deployctl: ${message}`);
    return fail(ExitCode.Operational, "operational", message);
  }
}

/** The value of the last -o / --output flag before `--` (`-o json`, `--output=json`, `-ojson`), if any. */
export function outputFormatIn(args: readonly string[]): string | undefined {
  let format: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") break;
    if (arg === "-o" || arg === "--output") format = args[++i];
    else if (arg.startsWith("--output=")) format = arg.slice("--output=".length);
    else if (/^-o[^-]/.test(arg)) format = arg.slice(2);
  }
  return format;
}

function applyToAll(cmd: Command, fn: (cmd: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) applyToAll(sub, fn);
}

function packageVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("../../package.json") as { version: string }).version;
}
