import { LocalWorkspace, type PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import {
  boundPulumiCommand,
  PulumiCliError,
  PulumiTimeoutError,
  type PulumiTimeouts,
  runBounded,
  timedPulumiCommand,
  DEFAULT_PULUMI_QUERY_TIMEOUT_MS,
} from "./cli";
import { PulumiCliMissingError, type PulumiUse, pulumiCliProblem } from "./errors";

/**
 * The few Pulumi operations deployctl needs, behind an interface so the orchestration around
 * them (deploy, rollback, promote) is tested with a double. `automationStacks` is the real one,
 * built on the Pulumi Automation API (it needs the Pulumi CLI on PATH).
 */
export interface PulumiStacks {
  /** A stack output, as JSON (for example `deployment`). Undefined when the stack has no such output. */
  getOutput(stack: string, name: string): Promise<unknown>;
  /** A config value by path (`delivery:services[0].image.tag`), or undefined when unset. */
  getConfig(stack: string, path: string): Promise<string | undefined>;
  /** Sets config values by path, in order, all before the next update; `dry-run` when nothing was set (`--dry-run`). */
  setConfig(stack: string, values: readonly ConfigEdit[]): Promise<void | "dry-run">;
  /** `pulumi up --yes` for the stack; `onOutput` receives the engine's output as it streams. */
  up(stack: string, options?: { onOutput?: (line: string) => void; message?: string }): Promise<UpResult>;
  /**
   * Resolves when the Pulumi CLI can be run; else rejects with a PulumiCliMissingError (./errors)
   * saying so and the ways out for `use`. Commands that update a stack call it before anything else.
   * Doubles in tests may leave it out (nothing to check).
   */
  ready?(use: PulumiUse): Promise<void>;
}

export interface ConfigEdit {
  /** A config path as `pulumi config set --path` takes it, e.g. `delivery:services[1].image.tag`. */
  path: string;
  value: string;
}

export interface UpResult {
  /** succeeded or failed, as the engine reports it; `dry-run` when no update ran (`--dry-run`). */
  result: "succeeded" | "failed" | "dry-run";
  /** Resource changes by operation (create, update, delete, same...). */
  changes: Record<string, number>;
}

/**
 * The environment of the Pulumi CLI the Automation API runs. With DELIVERY_STACK_UPDATE_PROFILE set
 * (the pipeline's validate step sets it to the profile assuming the deploy role), stack operations
 * run as that AWS profile: the deploy role is the only one allowed to change the stack's resources.
 */
export function pulumiEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const profile = env.DELIVERY_STACK_UPDATE_PROFILE;
  return profile ? { AWS_PROFILE: profile, AWS_SDK_LOAD_CONFIG: "1" } : {};
}

/**
 * `pulumi config set --path` arguments that store the value as a string. Without `--type string`
 * the CLI turns a path value that looks like an integer or a boolean into one (`1234` becomes the
 * number 1234), and an image tag such as a build number would then fail the stack's config schema.
 */
export function configSetArgs(stack: string, edit: ConfigEdit): string[] {
  return ["config", "set", "--path", "--type", "string", edit.path, "--stack", stack, "--plaintext", "--non-interactive", "--", edit.value];
}

/** `pulumi config get` of a key the stack does not set: the only CLI failure that means "unset". */
const CONFIG_NOT_FOUND = /configuration key '[^']*' not found/i;

/**
 * The Automation API implementation, for the Pulumi project in `workDir`. Every CLI run is bounded
 * (`timeouts`, validators/providers/pulumi/cli.ts); a CLI or backend failure (`failed to load
 * checkpoint`) is an OperationalError with the CLI's message, never mistaken for unset config.
 * When the Pulumi CLI cannot run (`pulumi version` fails: not installed, or the npm `pulumi`
 * package cannot fetch it) every method throws PulumiCliMissingError.
 */
export function automationStacks(
  workDir: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { pulumiCommand?: PulumiCommand; timeouts?: PulumiTimeouts } = {},
): PulumiStacks {
  const cache = new Map<string, Promise<Stack>>();
  const envVars = pulumiEnvironment(env);
  const timeouts = options.timeouts ?? {};
  let cli: Promise<PulumiCommand> | undefined;
  // One `pulumi version` for every caller; a failure is not kept (the next call tries again), and each
  // caller hears it with the ways out of what it needed the CLI for.
  const pulumiCommand = (use: PulumiUse): Promise<PulumiCommand> =>
    (cli ??= options.pulumiCommand
      ? Promise.resolve(boundPulumiCommand(options.pulumiCommand, timeouts, env))
      : timedPulumiCommand(timeouts, env).catch((err: unknown) => {
          cli = undefined;
          throw err;
        })).catch((err: unknown) => {
      throw cliMissing(err, use);
    });
  const select = async (stackName: string, use: PulumiUse = "read"): Promise<Stack> => {
    let stack = cache.get(stackName);
    if (!stack) {
      const command = await pulumiCommand(use);
      stack = LocalWorkspace.selectStack({ stackName, workDir }, { envVars, pulumiCommand: command });
      cache.set(stackName, stack);
    }
    return stack;
  };
  return {
    async getOutput(stack, name) {
      const outputs = await (await select(stack)).outputs();
      return outputs[name]?.value;
    },
    async getConfig(stack, path) {
      try {
        return (await (await select(stack)).getConfig(path, true)).value;
      } catch (err) {
        if (err instanceof PulumiCliError && CONFIG_NOT_FOUND.test(err.stderr)) return undefined;
        throw err;
      }
    },
    async setConfig(stack, values) {
      // The Automation API's setConfig has no type option, so the CLI it uses runs the command itself.
      const cmd = await pulumiCommand("update");
      for (const edit of values)
        await runPulumi(
          cmd.command,
          configSetArgs(stack, edit),
          workDir,
          { ...env, ...envVars },
          `pulumi config set --path ${edit.path} (stack ${stack})`,
          timeouts,
        );
    },
    async up(stack, options) {
      const result = await (await select(stack, "update")).up({ onOutput: options?.onOutput, message: options?.message });
      return {
        result: result.summary.result === "succeeded" ? "succeeded" : "failed",
        changes: { ...(result.summary.resourceChanges ?? {}) },
      };
    },
    async ready(use) {
      await pulumiCommand(use);
    },
  };
}

/**
 * What `pulumi version` failing means: a hung CLI stays the timeout naming it; a missing executable
 * or the npm package's downloader failing is a PulumiCliMissingError with the ways out (./errors);
 * any other failure too, with the CLI's last words: no CLI that works can run.
 */
function cliMissing(err: unknown, use: PulumiUse): Error {
  if (err instanceof PulumiTimeoutError) return err;
  const output = err instanceof PulumiCliError ? `${err.stderr}` : err instanceof Error ? err.message : String(err);
  const known = pulumiCliProblem(err instanceof PulumiCliError ? Object.assign(new Error(output), { cause: err }) : err, use);
  if (known) return known;
  const said =
    output
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1)
      ?.slice(0, 200) ?? "no output";
  return new PulumiCliMissingError(`\`pulumi version\` failed (${said})`, use, { cause: err });
}

/** Runs the Pulumi CLI, bounded; a failure names the command and the CLI's own message. */
async function runPulumi(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  what: string,
  timeouts: PulumiTimeouts,
): Promise<void> {
  const result = await runBounded(command, args, {
    cwd,
    env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    ms: timeouts.queryMs ?? DEFAULT_PULUMI_QUERY_TIMEOUT_MS,
    signal: timeouts.signal,
  });
  if (result.code === 0) return;
  const said = result.stderr.trim() || result.stdout.trim() || `exit ${result.code}`;
  const hint = /unknown flag: --type/.test(said) ? " (config set --type needs Pulumi CLI 3.150 or later: upgrade the pulumi CLI)" : "";
  throw new PulumiCliError(what, result.code, `${said}${hint}`);
}
