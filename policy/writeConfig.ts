import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { listStacks } from "../contract/stackFiles";
import { parseEnvironmentConfig, readStackFile } from "../infra/config";
import { policyPackConfig, policyPackConfigJson } from "./config";

/**
 * Writes policy/config/<stack>.json for every Pulumi.<stack>.yaml: the file `pulumi preview
 * --policy-pack-config` reads. Run after adding a stack, a rule, or changing a service's
 * readonlyRootFilesystem: `npx tsx policy/writeConfig.ts` (test/policy/config.test.ts fails until then).
 */
export function configFileFor(projectDir: string, stack: string): string {
  const config = parseEnvironmentConfig(readStackFile(projectDir, stack));
  return policyPackConfigJson(policyPackConfig({ tier: config.tier, services: config.services }));
}

if (require.main === module) {
  const projectDir = join(__dirname, "..");
  for (const stack of listStacks(projectDir)) {
    const file = join(__dirname, "config", `${stack}.json`);
    writeFileSync(file, configFileFor(projectDir, stack));
    console.log(`wrote ${file}`);
  }
}
