import type { PulumiTimeouts } from "./cli";
import type { PulumiStacks } from "./stacks";

/**
 * `automationStacks(workDir)`, loaded on first use. The Automation API brings `@pulumi/pulumi` (about
 * 800 modules, a second of start-up): a command that never reads or updates a stack (`--manifest`,
 * `--help`) must not pay for it, so `./stacks` is imported only when one of these methods is called.
 * Every Pulumi CLI run is bounded by `timeouts` (and the command's deadline signal).
 */
export function lazyAutomationStacks(workDir: string, timeouts: PulumiTimeouts = {}): PulumiStacks {
  let real: Promise<PulumiStacks> | undefined;
  const stacks = (): Promise<PulumiStacks> =>
    (real ??= import("./stacks.js").then((m) => m.automationStacks(workDir, process.env, { timeouts })));
  return {
    getOutput: async (stack, name) => (await stacks()).getOutput(stack, name),
    getConfig: async (stack, path) => (await stacks()).getConfig(stack, path),
    setConfig: async (stack, values) => (await stacks()).setConfig(stack, values),
    up: async (stack, options) => (await stacks()).up(stack, options),
    ready: async (use) => (await stacks()).ready?.(use),
  };
}
