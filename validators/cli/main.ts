import { Command, CommanderError } from "commander";
import { commands } from "./commands";
import { DeliveryError } from "../core/errors";
import { EXIT_CODES_HELP, ExitCode, exitCodeForError } from "./exitCodes";
import { type CliIO, processIO, println } from "./io";

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
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or the help / version).
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
        return ExitCode.Ok;
      }
      return ExitCode.BadInput;
    }
    if (err instanceof DeliveryError) {
      println(io.stderr, `deployctl: ${err.message}`);
      return exitCodeForError(err);
    }
    println(io.stderr, `deployctl: unexpected error: ${err instanceof Error ? err.message : String(err)}`);
    return ExitCode.Operational;
  }
}

function applyToAll(cmd: Command, fn: (cmd: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) applyToAll(sub, fn);
}

function packageVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("../../package.json") as { version: string }).version;
}
