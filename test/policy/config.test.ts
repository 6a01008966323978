import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { enforcementFor, policyPackConfig } from "../../policy/config";
import { policies } from "../../policy/policies";
import { listStacks } from "../../contract/stackFiles";
import { configFileFor } from "../../policy/writeConfig";

const ROOT = join(__dirname, "..", "..");

describe("enforcementFor", () => {
  it.each([
    ["local", "advisory"],
    ["dev", "advisory"],
    ["staging", "advisory"],
    ["prod", "mandatory"],
  ] as const)("makes the rules %2$s in %1$s", (tier, level) => {
    expect(enforcementFor(tier)).toBe(level);
  });
});

describe("policyPackConfig", () => {
  const config = policyPackConfig({
    tier: "prod",
    services: [
      { name: "api", readonlyRootFilesystem: true },
      { name: "web", readonlyRootFilesystem: false },
    ],
  });

  it("configures every rule of the pack", () => {
    expect(Object.keys(config)).toEqual(policies.map((p) => p.name));
  });

  it("gives a rule its enforcement level and the tier", () => {
    expect(config["ecs-service-circuit-breaker"]).toEqual({ enforcementLevel: "mandatory", tier: "prod" });
  });

  it("gives the read-only root filesystem rule the services whose config asks for it", () => {
    expect(config["ecs-task-readonly-root-filesystem"]).toEqual({
      enforcementLevel: "mandatory",
      tier: "prod",
      readonlyRootFilesystemServices: ["api"],
    });
  });

  it("leaves the list out when the services are not known", () => {
    expect(policyPackConfig({ tier: "dev" })["ecs-task-readonly-root-filesystem"]).toEqual({ enforcementLevel: "advisory", tier: "dev" });
  });
});

describe("policy/config/<stack>.json", () => {
  it("exists for every shipped stack and for nothing else", () => {
    const files = readdirSync(join(ROOT, "policy", "config")).sort();
    expect(files).toEqual(
      listStacks(ROOT)
        .map((s) => `${s}.json`)
        .sort(),
    );
  });

  it.each(listStacks(ROOT))(
    "%s.json is what policy/writeConfig.ts writes from Pulumi.%s.yaml (run `npx tsx policy/writeConfig.ts`)",
    (stack) => {
      const file = join(ROOT, "policy", "config", `${stack}.json`);
      expect(existsSync(file) ? readFileSync(file, "utf8") : "missing").toBe(configFileFor(ROOT, stack));
    },
  );
});
