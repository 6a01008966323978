import type { ErrorKind } from "../../contract/outcome";

export type { ErrorKind } from "../../contract/outcome";

/**
 * An error for people (a message, no stack trace) with a typed kind. Nothing below the CLI knows
 * exit codes: `validators/cli` maps the kind to one (contract/outcome.ts `exitCodeForKind`).
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DeliveryError";
  }
}

/** Bad input: a flag, file or field that is not acceptable (kind `bad-input`, exit 2). */
export class BadInputError extends DeliveryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "bad-input", options);
    this.name = "BadInputError";
  }
}

/** The tool could not do its job (AWS unreachable, access denied...): kind `operational` (exit 4); never a verdict. */
export class OperationalError extends DeliveryError {
  constructor(
    message: string,
    readonly operation?: string,
    options?: { cause?: unknown },
  ) {
    super(message, "operational", options);
    this.name = "OperationalError";
  }
}

/** The kind of any error: a DeliveryError's own, else `operational` (an unexpected error is never a verdict). */
export function errorKindOf(err: unknown): ErrorKind {
  return err instanceof DeliveryError ? err.kind : "operational";
}

/** The message of any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
