import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseDocument } from "yaml";
import { TIERS } from "./tiers";

/**
 * The stack files of a Pulumi project (`Pulumi.<stack>.yaml`): their names, the one listing and the
 * one reader, shared by the program's offline tools (infra/config, infra/synth, policy/writeConfig)
 * and deployctl (config set-image, promote, synth). Each side turns a StackFileReadError into its own
 * error (a ConfigError in infra, bad input naming --dir in deployctl).
 */

/** What a stack name may hold: letters, digits, '_', '.' and '-'. */
export const STACK_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

const STACK_FILE_PATTERN = /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/;

/** `Pulumi.<stack>.yaml`. */
export function stackFileName(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}

/** The stacks a project folder declares (every `Pulumi.<stack>.yaml`): the tiers in their order, then the others by name. */
export function listStacks(dir: string): string[] {
  const order: readonly string[] = TIERS;
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  return readdirSync(dir)
    .map((f) => STACK_FILE_PATTERN.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** A stack file that cannot be read; `reason` is the system's (ENOENT...). */
export class StackFileReadError extends Error {
  readonly file: string;
  readonly dir: string;
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${basename(path)} cannot be read in ${dirname(path)} (${reason})`, options);
    this.name = "StackFileReadError";
    this.file = basename(path);
    this.dir = dirname(path);
  }
}

/** The one reader of a stack file's text. Throws StackFileReadError. */
export function readStackFileText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new StackFileReadError(path, (err as NodeJS.ErrnoException).code ?? String(err), { cause: err });
  }
}

/** The project name a folder without a usable Pulumi.yaml `name` gets. */
export const DEFAULT_PROJECT_NAME = "delivery";

/**
 * The project's name from `dir`/Pulumi.yaml, the one reader of it. A missing or empty `name` gives
 * `fallback`. An unreadable Pulumi.yaml throws, unless `options.ifUnreadable` says what to use then.
 */
export function readProjectName(dir: string, options: { fallback?: string; ifUnreadable?: string } = {}): string {
  const fallback = options.fallback ?? DEFAULT_PROJECT_NAME;
  let text: string;
  try {
    text = readFileSync(join(dir, "Pulumi.yaml"), "utf8");
  } catch (err) {
    if (options.ifUnreadable !== undefined) return options.ifUnreadable;
    throw err;
  }
  try {
    const name = parseDocument(text).get("name");
    return typeof name === "string" && name !== "" ? name : fallback;
  } catch {
    return fallback;
  }
}
