import { execFile } from "node:child_process";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { type PulumiUse, pulumiCliProblem, rethrowPulumiError } from "./cli";

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
  /**
   * Resolves when the Pulumi CLI can be run; else rejects with a PulumiCliMissingError (./cli) saying
   * so and the ways out for `use`. Commands that update a stack call it before anything else.
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

/** The Automation API implementation, for the Pulumi project in `workDir`. */
export function automationStacks(
  workDir: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { pulumiCommand?: PulumiCommand } = {},
): PulumiStacks {
  const cache = new Map<string, Promise<Stack>>();
  const envVars = pulumiEnvironment(env);
  const select = (stackName: string, use: PulumiUse = "read") => {
    let stack = cache.get(stackName);
    if (!stack) {
      // A CLI that cannot be run says so once, with the ways out, instead of `spawn pulumi ENOENT`.
      stack = LocalWorkspace.selectStack(
        { stackName, workDir },
        { envVars, ...(options.pulumiCommand ? { pulumiCommand: options.pulumiCommand } : {}) },
      ).catch((err: unknown) => rethrowPulumiError(err, use));
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
      const selected = await select(stack);
      try {
        return (await selected.getConfig(path, true)).value;
      } catch {
        return undefined;
      }
    },
    async setConfig(stack, values) {
      // The Automation API's setConfig has no type option, so the CLI it uses runs the command itself.
      const workspace = (await select(stack, "update")).workspace as LocalWorkspace;
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
      const result = await (await select(stack, "update")).up({ onOutput: options?.onOutput, message: options?.message });
      return {
        result: result.summary.result === "succeeded" ? "succeeded" : "failed",
        changes: { ...(result.summary.resourceChanges ?? {}) },
      };
    },
    async ready(use) {
      if (options.pulumiCommand) return;
      await PulumiCommand.get().catch((err: unknown) => rethrowPulumiError(err, use));
    },
  };
}

/** Runs the Pulumi CLI; a failure names the command and the CLI's own message. */
function runPulumi(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" } }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      if ((err as { code?: unknown }).code === "ENOENT") return reject(pulumiCliProblem(err, "update") ?? err);
      const said = String(stderr).trim() || err.message;
      const hint = /unknown flag: --type/.test(said) ? " (config set --type needs Pulumi CLI 3.150 or later: upgrade the pulumi CLI)" : "";
      reject(new Error(`${what} failed: ${said}${hint}`, { cause: err }));
    });
  });
}
