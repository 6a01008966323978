import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { BadInputError } from "../core/errors";
import { analysisRulesSchema, type AnalysisRules } from "./rules";

/**
 * Loads `--rules FILE` (JSON or YAML) over the defaults. Every problem is reported at once, one per
 * line, naming the file, the key path, the value seen and what is allowed.
 */

/** The file's problems, one per line. `problems` holds each line without the file name. */
export class RulesError extends BadInputError {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      problems.length === 1
        ? `${file}: ${problems[0]}`
        : [`${file}: ${problems.length} problems in the analysis rules:`, ...problems.map((p) => `  - ${file}: ${p}`)].join("\n"),
    );
    this.name = "RulesError";
  }
}

/** Reads `file` (relative to `cwd`); messages name it as given. */
export async function loadRulesFile(file: string, cwd = process.cwd()): Promise<AnalysisRules> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), "utf8");
  } catch (err) {
    throw new BadInputError(`--rules is ${JSON.stringify(file)}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      cause: err,
    });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    // The parser's later errors follow from its first: report that one.
    const first = doc.errors[0];
    throw new RulesError(file, [`is not valid YAML or JSON: ${first.message.split("\n")[0]} (line ${lines.linePos(first.pos[0]).line})`]);
  }
  const data: unknown = doc.toJS() ?? {};
  return parseRules(file, data);
}

/** Validates a rules object (from a file or config) over the defaults; `source` names it in messages. */
export function parseRules(source: string, data: unknown): AnalysisRules {
  const result = analysisRulesSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  throw new RulesError(source, rulesProblems(result.error, data));
}

export function rulesProblems(error: z.ZodError, data: unknown): string[] {
  const problems: string[] = [];
  const defaulted = (key: string) => data !== null && typeof data === "object" && !(key in data);
  for (const issue of error.issues) {
    const where = keyPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        problems.push(`${keyPath([...issue.path, key])} is not a known key; known keys here: ${knownKeysAt(issue.path).join(", ")}`);
      continue;
    }
    if (issue.code === "invalid_key") {
      problems.push(
        `${keyPath(issue.path.slice(0, -1))} has the key ${show(issue.path.at(-1))}; ${issue.issues.map((i) => i.message).join("; ")}`,
      );
      continue;
    }
    const value = issue.input;
    let line = value === undefined ? `${where} is missing; ${issue.message}` : `${where} is ${show(value)}; ${issue.message}`;
    const top = issue.path[0];
    if (typeof top === "string" && defaulted(top)) line += ` (this is the default ${top}: set ${top} in the file too)`;
    problems.push(line);
  }
  return problems;
}

/** `decisions[0].when.only[1]`; the whole document is `(rules)`. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out === "" ? "(rules)" : out;
}

const MATCHER_KEYS = ["prefixes", "suffixes", "globs"];
const TOP_KEYS = ["categories", "ignore", "sharedConfig", "decisions", "services"];

function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const [top, , sub] = path;
  if (path.length === 0) return TOP_KEYS;
  if (top === "categories") return ["name", ...MATCHER_KEYS];
  if (top === "decisions") return sub === "when" ? ["only"] : ["name", "when", "skipSuiteKinds", "runBuild", "runDeploy", "reason"];
  return MATCHER_KEYS;
}

/** A value in a message: strings quoted, others as compact JSON (cut at 80 characters). */
export function show(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
