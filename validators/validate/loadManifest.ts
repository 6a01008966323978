import { readFile, stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import type { z } from "zod";
import { BadInputError, OperationalError } from "../core/errors";
import { type DeploymentManifest, type EcsManifest, manifestSchemaFor, RUNTIMES, type RuntimeName } from "../../contract/manifest";
import { isPulumiCliMissing } from "../providers/pulumi/errors";
import type { PulumiStacks } from "../providers/pulumi/stacks";
import { echoValue } from "../../contract/display";
import { SAFE_NAME, SAFE_NAME_MAX } from "../../contract/names";

/** The largest manifest file read: bigger is refused before it is read or parsed. */
export const MANIFEST_MAX_BYTES = 5 * 1024 * 1024;
/** The deepest nesting of arrays and objects a manifest may have (a real one has 4). */
export const MANIFEST_MAX_DEPTH = 32;

/** Where the manifest comes from: a stack's `deployment` output, or a file holding it as JSON. */
export interface ManifestSource {
  /** Read the `deployment` output of this stack (Pulumi Automation API). */
  stack?: string;
  /** Read this file (`pulumi stack output deployment --json`); wins over `stack` when both are given. */
  manifestFile?: string;
  /** Base for a relative `manifestFile`. @default process.cwd() */
  cwd?: string;
  /** The command reading it, for the message refusing a runtime it does not handle (`gate`, `deploy`). @default "this command" */
  command?: string;
}

/**
 * Resolves the deployment manifest for a command (validate, gate, deploy, rollback). Bad input
 * (no source, unreadable file, invalid JSON or contract) is a BadInputError naming the file, each
 * field, the value and what is allowed; a Pulumi failure is an OperationalError.
 */
export async function loadManifest(src: ManifestSource, stacks: PulumiStacks): Promise<EcsManifest> {
  return loadManifestWith(src, stacks, (value, source) => parseManifest(value, source, src.command));
}

/** The manifests validate, deploy and rollback judge and roll back: every runtime's (ECS, Docker, Kubernetes). */
export type JudgedManifest = DeploymentManifest;

/** As loadManifest, for the commands that accept every runtime's manifest (validate, deploy, rollback). */
export async function loadAnyManifest(src: ManifestSource, stacks: PulumiStacks): Promise<DeploymentManifest> {
  return loadManifestWith(src, stacks, parseAnyManifest);
}

async function loadManifestWith<M extends DeploymentManifest>(
  src: ManifestSource,
  stacks: PulumiStacks,
  parse: (value: unknown, source: string) => M,
): Promise<M> {
  if (src.manifestFile) {
    const manifest = parse(await readJson(src.manifestFile, src.cwd), src.manifestFile);
    if (src.stack && src.stack !== manifest.stack) {
      throw new BadInputError(
        `${src.manifestFile}: stack is "${manifest.stack}", but --stack is "${src.stack}"; give the manifest of stack ${src.stack}.`,
      );
    }
    return manifest;
  }
  if (!src.stack) throw new BadInputError("No manifest: give --stack NAME (reads its deployment output) or --manifest FILE.");
  let output: unknown;
  try {
    output = await stacks.getOutput(src.stack, "deployment");
  } catch (err) {
    // Already said for people (the Pulumi CLI is missing, and the ways out): as it is.
    if (isPulumiCliMissing(err)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/no stack named|stack .* not found|could not find stack/i.test(message)) {
      throw new BadInputError(`--stack ${src.stack}: no such Pulumi stack (${message}).`, { cause: err });
    }
    throw new OperationalError(`Reading the deployment output of stack ${src.stack} failed: ${message}`, "pulumi stack output", {
      cause: err,
    });
  }
  if (output === undefined || output === null) {
    throw new BadInputError(`Stack ${src.stack} has no "deployment" output; run the stack update (pulumi up) first.`);
  }
  return parse(output, `stack ${src.stack} output "deployment"`);
}

/** Checks `value` against the manifest contract; every problem at once, one per line. */
export function parseManifest(value: unknown, source: string, command = "this command"): EcsManifest {
  const manifest = parseAnyManifest(value, source);
  if (manifest.runtime === undefined || manifest.runtime === "ecs") return manifest;
  throw new BadInputError(
    `${source}: runtime is "${manifest.runtime}"; ${command} is not available for runtime ${manifest.runtime} yet (it supports runtime "ecs" only so far).`,
  );
}

/** Checks `value` against the contract of its runtime (`runtime`, absent: ecs); every problem at once, one per line. */
export function parseAnyManifest(value: unknown, source: string): DeploymentManifest {
  const runtime = (value as { runtime?: unknown } | null)?.runtime ?? "ecs";
  if (!(RUNTIMES as readonly unknown[]).includes(runtime)) {
    throw new BadInputError(`${source}: runtime is ${JSON.stringify(runtime)}; expected one of ${RUNTIMES.join(", ")}.`);
  }
  const parsed = manifestSchemaFor(runtime as RuntimeName).safeParse(value);
  if (parsed.success) {
    const problems = semanticProblems(parsed.data);
    if (problems.length === 0) return parsed.data;
    throw new BadInputError(problems.map((p) => `${source}: ${p}`).join("\n"));
  }
  const lines = parsed.error.issues.map((issue) => `${source}: ${describeIssue(issue, value)}`);
  throw new BadInputError(lines.join("\n"), { cause: parsed.error });
}

/**
 * What the schema cannot say: thresholds that contradict each other or can never fire, service
 * names given twice, `dependsOn` naming a service the manifest does not have.
 */
export function semanticProblems(manifest: DeploymentManifest): string[] {
  const problems: string[] = [];
  const t = manifest.thresholds;
  if (t.errorRateWarningPercent > t.errorRateCriticalPercent) {
    problems.push(
      `thresholds.errorRateWarningPercent is ${t.errorRateWarningPercent}, above thresholds.errorRateCriticalPercent (${t.errorRateCriticalPercent}); the warning must not exceed the critical threshold.`,
    );
  }
  if (t.errorRateCriticalPercent > 100) {
    problems.push(`thresholds.errorRateCriticalPercent is ${t.errorRateCriticalPercent}; a percentage above 100 can never fire.`);
  }
  if (t.errorRateWarningPercent > 100) {
    problems.push(`thresholds.errorRateWarningPercent is ${t.errorRateWarningPercent}; a percentage above 100 can never fire.`);
  }
  const names = manifest.services.map((s) => s.name);
  const seen = new Set<string>();
  manifest.services.forEach((service, i) => {
    if (seen.has(service.name))
      problems.push(`services[${i}].name is ${echoValue(service.name)}, a name given twice; service names must be unique.`);
    seen.add(service.name);
    service.dependsOn.forEach((dep, j) => {
      if (!names.includes(dep)) {
        problems.push(`services[${i}].dependsOn[${j}] is ${echoValue(dep)}; no such service in the manifest (it has ${names.join(", ")}).`);
      }
    });
  });
  return problems;
}

/** The deepest nesting of `[` and `{` in JSON text, outside strings; stops counting past `limit`. */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

async function readJson(file: string, cwd = process.cwd()): Promise<unknown> {
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  let text: string;
  try {
    const size = (await stat(path)).size;
    if (size > MANIFEST_MAX_BYTES) {
      throw new BadInputError(
        `--manifest ${echoValue(file)}: the file is ${size} bytes; a manifest may be at most ${MANIFEST_MAX_BYTES} bytes (5 MB).`,
      );
    }
    text = await readFile(path, "utf8");
  } catch (err) {
    if (err instanceof BadInputError) throw err;
    const code = (err as { code?: string }).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : String(err);
    throw new BadInputError(`--manifest ${file}: cannot read the file (${why}).`, { cause: err });
  }
  if (jsonDepth(text, MANIFEST_MAX_DEPTH) > MANIFEST_MAX_DEPTH) {
    throw new BadInputError(
      `--manifest ${echoValue(file)}: nested deeper than ${MANIFEST_MAX_DEPTH} levels; a manifest is at most ${MANIFEST_MAX_DEPTH} deep.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new BadInputError(
      `--manifest ${file}: not valid JSON (${detail}); expected the output of \`pulumi stack output deployment --json\`.`,
      { cause: err },
    );
  }
}

/** `services[1].targetGroup is "tg-1"; it must be a target group's ARN suffix: ...`. */
export function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const path = formatPath(issue.path);
  const value = valueAt(root, issue.path);
  if (issue.code === "unrecognized_keys") {
    const where = path ? ` in ${path}` : "";
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}${where}; the manifest contract does not allow ${issue.keys.length > 1 ? "them" : "it"}.`;
  }
  const seen = value === undefined ? "is missing" : `is ${show(value)}`;
  return `${path || "the manifest"} ${seen}; ${allowed(issue, value)}.`;
}

function allowed(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return value === undefined ? `it is required (${issue.expected})` : `it must be ${article(issue.expected)}`;
    case "too_small":
      if (issue.origin === "string") return `it must be at least ${issue.minimum} character${Number(issue.minimum) === 1 ? "" : "s"} long`;
      if (issue.origin === "array") return `it must have at least ${issue.minimum} item${Number(issue.minimum) === 1 ? "" : "s"}`;
      return `it must be ${issue.inclusive ? "at least" : "greater than"} ${issue.minimum}`;
    case "too_big":
      return `it must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}`;
    case "invalid_format": {
      const format = issue as z.core.$ZodIssueInvalidStringFormat & { prefix?: string };
      if (format.format === "starts_with") return `it must start with "${format.prefix}"`;
      if (format.format === "regex" && format.pattern === SAFE_NAME.toString())
        return `it must be a safe name: letters, digits, "-", "_" or ".", not starting with ".", at most ${SAFE_NAME_MAX} characters`;
      // The contract words its patterns ("it must be a target group's ARN suffix: ..."); zod's own
      // message ("Invalid string: must match pattern ...") is the fallback for one it does not.
      if (format.format === "regex" && !issue.message.startsWith("Invalid string")) return issue.message;
      if (format.format === "regex" && format.pattern) return `it must match the pattern ${format.pattern.replace(/^\/|\/$/g, "")}`;
      return `it must be a valid ${format.format}`;
    }
    case "invalid_value":
      return `it must be ${issue.values.map((v) => show(v)).join(" or ")}`;
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return type === "array" || type === "object" || type === "integer" ? `an ${type}` : `a ${type}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function show(value: unknown): string {
  return echoValue(value);
}
