import { OperationalError } from "../../core/errors";

/**
 * No Pulumi CLI to run: `PulumiStacks` throws it from every method when the `pulumi` command is not
 * on PATH. The release workflows tell it apart from a failed stack update: a rollback's fast path
 * has already restored what runs, so the stack update is reported pending (exit 4), not failed.
 */
export class PulumiCliMissingError extends OperationalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "pulumi", options);
    this.name = "PulumiCliMissingError";
  }
}

/** True when `err`, or an error in its `cause` chain, says the Pulumi CLI is missing. */
export function isPulumiCliMissing(err: unknown): err is Error {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof PulumiCliMissingError) return true;
  }
  return false;
}
