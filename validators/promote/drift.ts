import type { EnvironmentConfig } from "../../infra/config";
import { diffStack } from "../../infra/synth/diff";
import { type SynthDocument, synthConfig } from "../../infra/synth/synth";
import { OperationalError } from "../core/errors";
import { keyPolicyStatements, normaliseDocument } from "./normalise";
import { pathRule, presenceRule, pruneInputs, TIER_RULE_NAMES } from "./tierRules";

/** One difference between the two stacks' renders that the tier does not explain. */
export interface DriftItem {
  /** `differs`: both stacks have the resource, with other inputs; else it exists in one stack only. */
  kind: "differs" | "only-in-from" | "only-in-to";
  type: string;
  /** The resource's name with the stack written `{stack}` (the same in both stacks). */
  name: string;
  /** The inputs that differ: the source stack's value, then the target's (null: not set; secrets masked by synth). */
  inputs: { path: string; from: unknown; to: unknown }[];
}

/** What `deployctl promote` shows of the config drift between the two stacks. */
export interface DriftReport {
  from: string;
  to: string;
  items: DriftItem[];
  /** Differences left out because the tier explains them, per rule of the table (rules with none omitted). */
  explained: { what: string; count: number }[];
}

/**
 * Compares two stacks' offline renders: both are normalised (normalise.ts), the tier's own parts
 * pruned, IAM statements keyed by Sid or content (keyPolicyStatements), diffed with the plan
 * diff's code, and every difference the tier explains (tierRules.ts) left out. Component resources (`delivery:*`) are left out too: their AWS children carry the
 * difference.
 */
export function computeDrift(from: SynthDocument, to: SynthDocument): DriftReport {
  const counts = new Map<string, number>();
  const count = (what: string, n = 1) => counts.set(what, (counts.get(what) ?? 0) + n);
  const prepare = (doc: SynthDocument): SynthDocument => {
    const normal = normaliseDocument(doc);
    const resources = normal.resources
      .filter((r) => r.type.startsWith("aws:") || r.type.startsWith("kubernetes:"))
      .map((r) => {
        const { inputs, pruned } = pruneInputs(r.type, r.name, r.inputs);
        for (const p of pruned) count(p.what, p.count);
        return { ...r, inputs: keyPolicyStatements(inputs) as Record<string, unknown> };
      });
    return { ...normal, resources };
  };
  const diff = diffStack(to.stack, prepare(from), prepare(to));
  const items: DriftItem[] = [];
  for (const change of diff.changes) {
    if (change.kind === "add" || change.kind === "remove") {
      const rule = presenceRule(change.type, change.name);
      if (rule) count(rule.what);
      else items.push({ kind: change.kind === "add" ? "only-in-to" : "only-in-from", type: change.type, name: change.name, inputs: [] });
      continue;
    }
    const inputs = change.inputs.filter((i) => {
      const rule = pathRule(change.type, change.name, i.path);
      if (rule) count(rule.what);
      return rule === undefined;
    });
    if (inputs.length > 0)
      items.push({
        kind: "differs",
        type: change.type,
        name: change.name,
        inputs: inputs.map((i) => ({ path: i.path, from: i.before ?? null, to: i.after ?? null })),
      });
  }
  const explained = TIER_RULE_NAMES.filter((what) => counts.has(what)).map((what) => ({ what, count: counts.get(what) ?? 0 }));
  return { from: from.stack, to: to.stack, items, explained };
}

/**
 * Renders both stacks from their parsed config (offline, Pulumi's mock runtime, as
 * `deployctl synth`) and compares them. A render that fails is an operational error.
 */
export async function configDrift(from: EnvironmentConfig, to: EnvironmentConfig): Promise<DriftReport> {
  const render = async (config: EnvironmentConfig): Promise<SynthDocument> => {
    try {
      return await synthConfig(config);
    } catch (err) {
      throw new OperationalError(
        `rendering stack ${config.stack} offline for the drift view failed: ${err instanceof Error ? err.message : String(err)}`,
        "synth",
        { cause: err },
      );
    }
  };
  const source = await render(from);
  const target = await render(to);
  return computeDrift(source, target);
}
