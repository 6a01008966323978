import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";

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

/** The Automation API implementation, for the Pulumi project in `workDir`. */
export function automationStacks(workDir: string, env: NodeJS.ProcessEnv = process.env): PulumiStacks {
  const cache = new Map<string, Promise<Stack>>();
  const envVars = pulumiEnvironment(env);
  const select = (stackName: string) => {
    let stack = cache.get(stackName);
    if (!stack) {
      stack = LocalWorkspace.selectStack({ stackName, workDir }, { envVars });
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
      } catch {
        return undefined;
      }
    },
    async setConfig(stack, values) {
      const s = await select(stack);
      for (const edit of values) await s.setConfig(edit.path, { value: edit.value }, true);
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
