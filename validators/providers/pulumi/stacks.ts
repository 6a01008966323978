import { execFile } from "node:child_process";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { PulumiCliMissingError } from "./errors";

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
  /** Sets config values by path, in order, all before the next update. */
  setConfig(stack: string, values: readonly ConfigEdit[]): Promise<void>;
  /** `pulumi up --yes` for the stack; `onOutput` receives the engine's output as it streams. */
  up(stack: string, options?: { onOutput?: (line: string) => void; message?: string }): Promise<UpResult>;
}

export interface ConfigEdit {
  /** A config path as `pulumi config set --path` takes it, e.g. `delivery:services[1].image.tag`. */
  path: string;
  value: string;
}

export interface UpResult {
  /** succeeded or failed, as the engine reports it. */
  result: "succeeded" | "failed";
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

/**
 * The Automation API implementation, for the Pulumi project in `workDir`. When the Pulumi CLI
 * cannot run (`pulumi version` fails: not installed, or the npm `pulumi` package cannot fetch it)
 * every method throws PulumiCliMissingError.
 */
export function automationStacks(
  workDir: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { pulumiCommand?: PulumiCommand } = {},
): PulumiStacks {
  const cache = new Map<string, Promise<Stack>>();
  const envVars = pulumiEnvironment(env);
  let cli: Promise<PulumiCommand> | undefined;
  const pulumiCommand = (stackName: string): Promise<PulumiCommand> =>
    (cli ??= options.pulumiCommand
      ? Promise.resolve(options.pulumiCommand)
      : PulumiCommand.get().catch((err: unknown) => {
          cli = undefined;
          // The CLI's own last words (`pulumi: fetch failed` from the npm package that downloads it), not the whole dump.
          const lines = (err instanceof Error ? err.message : String(err)).split("\n").map((l) => l.trim());
          const said = lines.filter(Boolean).at(-1)?.slice(0, 200) ?? "no output";
          throw new PulumiCliMissingError(
            `the Pulumi CLI cannot run here (pulumi version: ${said}), so stack ${stackName} cannot be read or updated; install it (https://www.pulumi.com/docs/install/).`,
            { cause: err },
          );
        }));
  const select = async (stackName: string): Promise<Stack> => {
    let stack = cache.get(stackName);
    if (!stack) {
      const command = await pulumiCommand(stackName);
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
        if (err instanceof PulumiCliMissingError) throw err;
        return undefined;
      }
    },
    async setConfig(stack, values) {
      // The Automation API's setConfig has no type option, so the CLI it uses runs the command itself.
      const workspace = (await select(stack)).workspace as LocalWorkspace;
      for (const edit of values)
        await runPulumi(
          workspace.pulumiCommand.command,
          configSetArgs(stack, edit),
          workDir,
          { ...env, ...envVars },
          `pulumi config set --path ${edit.path} (stack ${stack})`,
        );
    },
    async up(stack, options) {
      const result = await (await select(stack)).up({ onOutput: options?.onOutput, message: options?.message });
      return {
        result: result.summary.result === "succeeded" ? "succeeded" : "failed",
        changes: { ...(result.summary.resourceChanges ?? {}) },
      };
    },
  };
}

/** Runs the Pulumi CLI; a failure names the command and the CLI's own message. */
function runPulumi(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" } }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const said = String(stderr).trim() || err.message;
      const hint = /unknown flag: --type/.test(said) ? " (config set --type needs Pulumi CLI 3.150 or later: upgrade the pulumi CLI)" : "";
      reject(new Error(`${what} failed: ${said}${hint}`, { cause: err }));
    });
  });
}
