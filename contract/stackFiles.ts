import { readdirSync, readFileSync, statSync } from "node:fs";
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

/** The largest stack file read: 1 MB (a real one is a few KB). Checked before the file is read. */
export const STACK_FILE_MAX_BYTES = 1_048_576;
/** The deepest nesting of a stack file's YAML (block indentation plus flow brackets), checked before parsing. */
export const STACK_FILE_MAX_DEPTH = 64;

/** A stack file above the size or nesting limits: refused before it is parsed (bad input). */
export class StackFileLimitError extends Error {
  readonly file: string;
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${basename(path)} ${problem}`);
    this.name = "StackFileLimitError";
    this.file = basename(path);
  }
}

/**
 * The one reader of a stack file's text. Throws StackFileReadError (unreadable) or
 * StackFileLimitError (above STACK_FILE_MAX_BYTES or STACK_FILE_MAX_DEPTH: refused before parsing).
 */
export function readStackFileText(path: string): string {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > STACK_FILE_MAX_BYTES) {
      throw new StackFileLimitError(path, `is ${size} bytes; a stack file may be at most ${STACK_FILE_MAX_BYTES} bytes (1 MB).`);
    }
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof StackFileLimitError) throw err;
    throw new StackFileReadError(path, (err as NodeJS.ErrnoException).code ?? String(err), { cause: err });
  }
  const depth = yamlDepth(text, STACK_FILE_MAX_DEPTH);
  if (depth > STACK_FILE_MAX_DEPTH) {
    throw new StackFileLimitError(
      path,
      `is nested deeper than ${STACK_FILE_MAX_DEPTH} levels; a stack file is at most ${STACK_FILE_MAX_DEPTH} deep.`,
    );
  }
  return text;
}

/**
 * An upper bound of a YAML text's nesting, without parsing it (a parser recurses, and 200,000 levels
 * overflow its stack): each line's block depth (the open indentation levels, plus each leading `- `)
 * plus the flow brackets (`[`, `{`) open on it outside quotes. Stops counting past `limit`.
 */
export function yamlDepth(text: string, limit = Number.MAX_SAFE_INTEGER): number {
  const indents: number[] = [];
  let flow = 0;
  let max = 0;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    const trimmed = line.trimStart();
    if (flow === 0 && (trimmed === "" || trimmed.startsWith("#"))) continue;
    let block = indents.length;
    if (flow === 0) {
      const indent = line.length - trimmed.length;
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
      indents.push(indent);
      const dashes = /^(-\s+)+/.exec(trimmed)?.[0].match(/-/g)?.length ?? 0;
      block = indents.length + dashes;
    }
    let quote: string | undefined;
    for (const ch of trimmed) {
      if (quote) {
        if (ch === quote) quote = undefined;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === "#") break;
      else if (ch === "[" || ch === "{") {
        flow += 1;
        max = Math.max(max, block + flow);
        if (max > limit) return max;
      } else if ((ch === "]" || ch === "}") && flow > 0) flow -= 1;
    }
    max = Math.max(max, block + flow);
    if (max > limit) return max;
  }
  return max;
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
