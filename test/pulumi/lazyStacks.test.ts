import { beforeEach, describe, expect, it, vi } from "vitest";
import { lazyAutomationStacks } from "../../validators/providers/pulumi/lazyStacks";

// The Automation API module is replaced: the test counts when it is built, and for which folder.
const automation = vi.hoisted(() => ({ built: [] as string[] }));
vi.mock("../../validators/providers/pulumi/stacks", () => ({
  automationStacks: (workDir: string) => {
    automation.built.push(workDir);
    return {
      getOutput: async (stack: string, name: string) => `${stack}:${name}`,
      getConfig: async (stack: string, path: string) => `${stack}:${path}`,
      setConfig: async () => undefined,
      up: async () => ({ result: "succeeded", changes: { same: 3 } }),
    };
  },
}));

beforeEach(() => {
  automation.built = [];
});

describe("lazyAutomationStacks", () => {
  it("builds nothing until a stack is read", () => {
    lazyAutomationStacks("/project");

    expect(automation.built).toEqual([]);
  });

  it("builds the Automation API stacks once, for its folder, and forwards every call", async () => {
    const stacks = lazyAutomationStacks("/project");

    const results = [
      await stacks.getOutput("dev", "deployment"),
      await stacks.getConfig("dev", "delivery:region"),
      await stacks.setConfig("dev", [{ path: "delivery:services[0].image.tag", value: "v2" }]),
      await stacks.up("dev"),
    ];

    expect(results).toEqual(["dev:deployment", "dev:delivery:region", undefined, { result: "succeeded", changes: { same: 3 } }]);
    expect(automation.built).toEqual(["/project"]);
  });
});
