import { OperationalError } from "../../core/errors";

/** The Pulumi CLI release deployctl needs (`config set --path --type string`); the README names it too. */
export const PULUMI_CLI_MIN_VERSION = "3.150";

/** Where the Pulumi CLI comes from. */
export const PULUMI_CLI_INSTALL = "`curl -fsSL https://get.pulumi.com | sh`, see https://www.pulumi.com/docs/iac/download-install/";

/**
 * What the command needed the CLI for: `read` (a stack's `deployment` output, which `--manifest FILE`
 * replaces) or `update` (setting image tags and updating the stack: nothing replaces the CLI).
 */
export type PulumiUse = "read" | "update";

/**
 * The Pulumi CLI cannot be run: not on the PATH, or the `pulumi` first on the PATH is the npm
 * package's downloader and its download failed. Operational (exit 4); the message says what is
 * missing and the ways out, once, without the spawn error's internals. `PulumiStacks` throws it from
 * every method; the release workflows tell it apart from a failed stack update: a rollback's fast
 * path has already restored what runs, so the stack update is reported pending (exit 4), not failed.
 */
export class PulumiCliMissingError extends OperationalError {
  constructor(
    readonly problem: string,
    readonly use: PulumiUse,
    options?: { cause?: unknown },
  ) {
    super(pulumiCliMissingMessage(problem, use), "pulumi", options);
    this.name = "PulumiCliMissingError";
  }
}

/** "the Pulumi CLI is not installed (...). Install ... or pass --manifest ..." */
export function pulumiCliMissingMessage(problem: string, use: PulumiUse): string {
  const install = `install Pulumi CLI ${PULUMI_CLI_MIN_VERSION} or later (${PULUMI_CLI_INSTALL})`;
  const ways =
    use === "read"
      ? `Either ${install}, or pass --manifest FILE (the stack's \`pulumi stack output deployment --json\`) instead of --stack.`
      : `Updating a stack (setting its image tags, pulumi up) needs it, with --manifest too: ${install}.`;
  return `the Pulumi CLI is not installed: ${problem}. ${ways}`;
}

/**
 * The error to throw instead of `err` when `err` says the Pulumi CLI could not be run at all, else
 * undefined. Recognises a missing executable (`spawn pulumi ENOENT`) and the `pulumi` npm package's
 * downloader (first on the PATH under npx and npm scripts) failing to download the CLI
 * (`Downloading pulumi v3…` then `fetch failed`).
 */
export function pulumiCliProblem(err: unknown, use: PulumiUse): PulumiCliMissingError | undefined {
  if (err instanceof PulumiCliMissingError) return err;
  const text = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  const download = /Downloading pulumi v([0-9A-Za-z.+-]+?)\.*\s*\n(?:pulumi: )?([^\n]*)/.exec(text);
  if (download) {
    const reason = download[2]?.trim() || "it failed";
    return new PulumiCliMissingError(
      `the \`pulumi\` first on the PATH is the npm package's downloader (node_modules/.bin/pulumi under npx and npm scripts), and it could not download Pulumi v${download[1]} (${reason})`,
      use,
      { cause: err },
    );
  }
  if (/spawn \S*pulumi ENOENT|ENOENT: \S*pulumi/.test(text) || (code === "ENOENT" && /pulumi/.test(text))) {
    return new PulumiCliMissingError("no `pulumi` executable on the PATH", use, { cause: err });
  }
  return undefined;
}

/** Rethrows `err` as a PulumiCliMissingError when it is one (see pulumiCliProblem), else as it is. */
export function rethrowPulumiError(err: unknown, use: PulumiUse): never {
  throw pulumiCliProblem(err, use) ?? err;
}

/** True when `err`, or an error in its `cause` chain, says the Pulumi CLI is missing. */
export function isPulumiCliMissing(err: unknown): err is Error {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof PulumiCliMissingError) return true;
  }
  return false;
}
