import { spawn } from "node:child_process";
import { delimiter, dirname, isAbsolute } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { OperationalError } from "../../core/errors";
import { abortError } from "../../core/deadline";

/**
 * How long one Pulumi CLI run may take. Every CLI operation the Automation API runs (config get/set,
 * stack output, stack select, up, refresh, preview) goes through `timedPulumiCommand`: a run that
 * outlives its timeout (or the command's --deadline) is killed (SIGTERM to its process group, then
 * SIGKILL) and fails with a PulumiTimeoutError naming the Pulumi operation.
 */
export interface PulumiTimeouts {
  /** Reads and config edits (`config get`, `stack output`, `stack select`, `version`...). @default 120000 */
  queryMs?: number;
  /** Engine operations (`up`, `refresh`, `preview`, `destroy`). @default 1800000 (30 minutes) */
  updateMs?: number;
  /** The command's deadline: a run still going when it aborts is killed. */
  signal?: AbortSignal;
}

export const DEFAULT_PULUMI_QUERY_TIMEOUT_MS = 120_000;
export const DEFAULT_PULUMI_UPDATE_TIMEOUT_MS = 1_800_000;

/** Grace between SIGTERM and SIGKILL for a CLI run that is stopped. */
const KILL_GRACE_MS = 3_000;

const ENGINE_OPERATIONS = new Set(["up", "update", "refresh", "preview", "destroy"]);

/** A Pulumi CLI run that did not end in time (kind `operational`, exit 4). */
export class PulumiTimeoutError extends OperationalError {
  constructor(operation: string, ms: number) {
    super(`${operation} did not answer within ${ms / 1000}s; the Pulumi CLI was stopped`, operation);
    this.name = "PulumiTimeoutError";
  }
}

/** `pulumi config get`, `pulumi stack output`, `pulumi up`: the CLI's first words, for messages. */
export function pulumiOperation(args: readonly string[]): string {
  const words = args.filter((a) => !a.startsWith("-"));
  const [first, second] = words;
  if (first === undefined) return "pulumi";
  const twoWords = ["config", "stack", "plugin", "about"].includes(first) && second !== undefined && /^[a-z-]+$/.test(second);
  return `pulumi ${twoWords ? `${first} ${second}` : first}`;
}

/** The output of one CLI run, in the shape the Automation API reads (its CommandResult). */
interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
  err?: Error;
}

/** The CLI's own words when it fails: its stderr (the `error:` lines first), else its stdout. */
export class PulumiCliError extends OperationalError {
  constructor(
    operation: string,
    readonly code: number,
    readonly stderr: string,
  ) {
    super(`${operation} failed (exit ${code}): ${cliMessage(stderr)}`, operation);
    this.name = "PulumiCliError";
  }
}

function cliMessage(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim());
  const errors = lines.filter((l) => /^error:/i.test(l));
  const text = (errors.length ? errors : lines.filter((l) => l !== "")).join(" ");
  const shown = text === "" ? "no message" : text;
  return shown.length > 500 ? `${shown.slice(0, 499)}…` : shown;
}

/**
 * Runs `command args` in its own process group with a timeout; resolves with its output (any exit
 * code), rejects with PulumiTimeoutError when it outlives `ms` or the signal aborts.
 */
export function runBounded(
  command: string,
  args: readonly string[],
  options: {
    cwd?: string;
    env: NodeJS.ProcessEnv;
    ms: number;
    signal?: AbortSignal;
    onOutput?: (s: string) => void;
    onError?: (s: string) => void;
  },
): Promise<RunResult> {
  const operation = pulumiOperation(args);
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(abortError(options.signal));
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let settled = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      options.onOutput?.(d);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      options.onError?.(d);
    });
    const stop = (err: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      killGroup(child.pid, "SIGTERM");
      setTimeout(() => killGroup(child.pid, "SIGKILL"), KILL_GRACE_MS).unref();
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      reject(err);
    };
    const timer = setTimeout(() => stop(new PulumiTimeoutError(operation, options.ms)), options.ms);
    const onAbort = () => stop(abortError(options.signal as AbortSignal));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    };
    child.on("error", (err) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(
        new OperationalError(`${operation} could not start (${command}: ${err.message}); is the Pulumi CLI installed?`, operation, {
          cause: err,
        }),
      );
    });
    child.on("close", (code) => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve({ stdout, stderr, code: code ?? -1 });
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * A PulumiCommand for the Automation API whose every run is bounded (see PulumiTimeouts) and whose
 * failures are PulumiCliError with the CLI's message (kind operational). `pulumi version` is run
 * bounded first: a CLI that hangs from the start fails naming `pulumi version`, not forever in the
 * Automation API's own (unbounded) version check.
 */
export async function timedPulumiCommand(timeouts: PulumiTimeouts = {}, env: NodeJS.ProcessEnv = process.env): Promise<PulumiCommand> {
  const version = await runBounded("pulumi", ["version"], {
    env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    ms: timeouts.queryMs ?? DEFAULT_PULUMI_QUERY_TIMEOUT_MS,
    signal: timeouts.signal,
  });
  if (version.code !== 0) throw new PulumiCliError("pulumi version", version.code, version.stderr || version.stdout);
  return boundPulumiCommand(await PulumiCommand.get(), timeouts, env);
}

/** `real` with its `run` replaced by the bounded one (its command and version are kept). */
export function boundPulumiCommand(
  real: PulumiCommand,
  timeouts: PulumiTimeouts = {},
  baseEnv: NodeJS.ProcessEnv = process.env,
): PulumiCommand {
  const queryMs = timeouts.queryMs ?? DEFAULT_PULUMI_QUERY_TIMEOUT_MS;
  const updateMs = timeouts.updateMs ?? DEFAULT_PULUMI_UPDATE_TIMEOUT_MS;
  const bounded = Object.create(real) as PulumiCommand & { run: PulumiRun };
  bounded.run = async (args, cwd, additionalEnv, onOutput, onError, signal) => {
    // As the Automation API's own run: never prompt, and the CLI's folder first on PATH.
    const argv = args.includes("--non-interactive") ? [...args] : [...args, "--non-interactive"];
    const env: NodeJS.ProcessEnv = { ...baseEnv, ...additionalEnv, PULUMI_AUTOMATION_API: "true" };
    if (isAbsolute(real.command)) env.PATH = `${dirname(real.command)}${delimiter}${additionalEnv.PATH ?? baseEnv.PATH ?? ""}`;
    const operation = pulumiOperation(argv);
    const words = argv.filter((a) => !a.startsWith("-"));
    const ms = ENGINE_OPERATIONS.has(words[0] ?? "") ? updateMs : queryMs;
    const signals = [timeouts.signal, signal].filter((s): s is AbortSignal => s !== undefined);
    const result = await runBounded(real.command, argv, {
      cwd,
      env,
      ms,
      signal: signals.length <= 1 ? signals[0] : AbortSignal.any(signals),
      onOutput,
      onError,
    });
    if (result.code !== 0) throw new PulumiCliError(operation, result.code, result.stderr || result.stdout);
    return result;
  };
  return bounded;
}

type PulumiRun = (
  args: string[],
  cwd: string,
  additionalEnv: Record<string, string>,
  onOutput?: (data: string) => void,
  onError?: (data: string) => void,
  signal?: AbortSignal,
) => Promise<RunResult>;
