import { join } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The import-direction rule (eslint.config.mjs, run by `npm run lint`): each case lints one import
 * as if it were written in a file of the tree, with the project's own config.
 */
const ROOT = join(__dirname, "..", "..");
const eslint = new ESLint({ cwd: ROOT });

async function layerErrors(file: string, from: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import * as m from "${from}";\nexport const used = m;\n`, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "import-x/no-restricted-paths").map((m) => m.message);
}

describe("the layer rule", () => {
  it.each([
    ["validators/core/zz.ts", "../cli/exitCodes", "core must not know the CLI (exit codes)"],
    ["validators/providers/aws/zz.ts", "../../checks/tasks", "a provider must not import a check"],
    ["validators/checks/zz.ts", "../workflows/stackLock", "a check must not import a workflow"],
    ["validators/workflows/zz.ts", "../cli/compose", "a workflow must not import the composition root"],
    ["contract/zz.ts", "../validators/core/errors", "contract imports nothing of the project"],
    ["infra/config/zz.ts", "../../validators/analysis/loadRules", "the program must not import deployctl"],
    ["policy/zz.ts", "../infra/config", "the policy pack imports only contract"],
    ["validators/cli/commands/validate.ts", "../../../infra/synth/synth", "only the synth and promote commands may load the program"],
  ])("rejects %s importing %s (%s)", async (file, from) => {
    expect(await layerErrors(file, from)).toEqual([
      `Unexpected path "${from}" imported in restricted zone. layers: see docs/architecture.md`,
    ]);
  });

  it.each([
    ["validators/cli/zz.ts", "../workflows/stackLock"],
    ["validators/workflows/zz.ts", "../rollback/rollback"],
    ["validators/checks/zz.ts", "../providers/runtime"],
    ["validators/providers/aws/zz.ts", "../../core/errors"],
    ["validators/core/zz.ts", "../../contract/outcome"],
    ["infra/config/zz.ts", "../../contract/analysisRules"],
    ["validators/cli/commands/synth.ts", "../../../infra/synth/synth"],
  ])("accepts %s importing %s", async (file, from) => {
    expect(await layerErrors(file, from)).toEqual([]);
  });
});
