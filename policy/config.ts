import type { EnforcementLevel } from "@pulumi/policy";
import type { Tier } from "../contract/tiers";
import type { RuleConfig } from "./lib/define";
import { type DeliveryPolicy, policies } from "./policies";

/**
 * The policy-pack config of a stack: the file `pulumi preview --policy-pack-config` reads
 * (policy/config/<stack>.json) and what the offline evaluator uses, from the same function. Every
 * rule is mandatory in prod and advisory elsewhere, and knows the stack's tier.
 */
export type PolicyPackConfig = Record<string, RuleConfig & { enforcementLevel: EnforcementLevel }>;

/** What the config depends on besides the tier: the services whose config asks for a read-only root filesystem. */
export interface StackPolicyFacts {
  tier: Tier;
  services?: readonly { name: string; readonlyRootFilesystem: boolean }[];
}

export function enforcementFor(tier: Tier): "mandatory" | "advisory" {
  return tier === "prod" ? "mandatory" : "advisory";
}

export function policyPackConfig(facts: StackPolicyFacts, pack: readonly DeliveryPolicy[] = policies): PolicyPackConfig {
  const readonly = facts.services?.filter((s) => s.readonlyRootFilesystem).map((s) => s.name);
  const out: PolicyPackConfig = {};
  for (const p of pack) {
    const properties = p.configSchema?.properties ?? {};
    out[p.name] = {
      enforcementLevel: enforcementFor(facts.tier),
      tier: facts.tier,
      ...(readonly !== undefined && "readonlyRootFilesystemServices" in properties ? { readonlyRootFilesystemServices: readonly } : {}),
    };
  }
  return out;
}

/** The config file's text: stable key order, two-space indent, a final newline. */
export function policyPackConfigJson(config: PolicyPackConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}
