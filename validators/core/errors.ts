import { ExitCode, type ExitCodeValue } from "../cli/exitCodes";

/** An error that ends a command with a given exit code and a message for people (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CliError";
  }
}

/** Bad input: a flag, file or field that is not acceptable. Exit code 2. */
export class BadInputError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.BadInput, options);
    this.name = "BadInputError";
  }
}

/** The tool could not do its job (AWS unreachable, access denied...). Exit code 4; never a verdict. */
export class OperationalError extends CliError {
  constructor(
    message: string,
    readonly operation?: string,
    options?: { cause?: unknown },
  ) {
    super(message, ExitCode.Operational, options);
    this.name = "OperationalError";
  }
}
