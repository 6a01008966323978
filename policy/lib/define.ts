import type {
  PolicyConfigSchema,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  ReportViolation,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { isTier, TIERS, type Tier } from "../../contract/tiers";
import { type Props, rec, str } from "./values";

/**
 * Building rules the same way: an id, a description naming the published controls it matches, a
 * remediation, and a validate function that gets the stack's tier. Every rule is `mandatory` unless
 * the policy-pack config says otherwise (policy/config/<stack>.json makes it advisory outside prod):
 * run without a config, the pack fails closed.
 *
 * The tier comes from the rule's config (`tier`, set for every rule by the per-stack config file and
 * by the offline evaluator), else from the resources' `environment` tag when it names a tier (the
 * shipped stacks are named after their tier), else `prod`, the strictest.
 */

/** What every rule's config may hold (the policy-pack config file and the offline evaluator set it). */
export interface RuleConfig {
  tier?: string;
  /** Services whose stack config sets `readonlyRootFilesystem: true` (ecs-task-readonly-root-filesystem). */
  readonlyRootFilesystemServices?: string[];
}

type ConfigProperties = PolicyConfigSchema["properties"];

export const TIER_PROPERTY: ConfigProperties = {
  tier: { type: "string", enum: [...TIERS], description: "The stack's tier: local, dev, staging or prod." },
};

export interface RuleMeta {
  /** The rule id, unique in the pack. */
  name: string;
  /** What the rule requires, with the published controls it maps to (Security Hub, checkov). */
  description: string;
  /** How to fix a violation. */
  remediation: string;
  severity: Severity;
  /** The tiers the rule applies to. @default every tier */
  tiers?: readonly Tier[];
  /** Config properties beyond `tier`. */
  config?: ConfigProperties;
}

export interface RuleContext {
  tier: Tier;
  config: RuleConfig;
}

export interface ResourceRuleContext extends RuleContext {
  type: string;
  name: string;
  urn: string;
  report(message: string): void;
}

/** A resource as a stack rule sees it (the engine's PolicyResource has these and more). */
export interface StackResource {
  type: string;
  name: string;
  urn: string;
  props: Props;
}

export interface StackRuleContext extends RuleContext {
  /** Reports a violation against one resource (by URN), or the stack when none is given. */
  report(message: string, urn?: string): void;
}

/** The tier a rule runs for: its config, else an `environment` tag naming a tier, else prod. */
export function resolveTier(config: RuleConfig, environmentTags: readonly unknown[]): Tier {
  if (isTier(config.tier)) return config.tier;
  const tagged = environmentTags.find(isTier);
  return tagged ?? "prod";
}

function environmentTag(props: Props): string | undefined {
  return str(rec(props.tags)?.environment);
}

function base(meta: RuleMeta) {
  return {
    name: meta.name,
    description: meta.description,
    enforcementLevel: "mandatory" as const,
    severity: meta.severity,
    remediationSteps: meta.remediation,
    configSchema: { properties: { ...TIER_PROPERTY, ...meta.config } },
  };
}

function applies(meta: RuleMeta, tier: Tier): boolean {
  return meta.tiers === undefined || meta.tiers.includes(tier);
}

/** A rule over single resources of the given types. */
export function resourceRule(
  meta: RuleMeta & {
    /** The resource types it checks, or a test of the type. */
    types: readonly string[] | ((type: string) => boolean);
    validate(props: Props, ctx: ResourceRuleContext): void;
  },
): ResourceValidationPolicy {
  const validateResource = (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
    const types = meta.types;
    if (typeof types === "function" ? !types(args.type) : !types.includes(args.type)) {
      args.notApplicable(typeof types === "function" ? `does not apply to ${args.type}` : `applies to ${types.join(", ")}`);
    }
    const props: Props = args.props;
    const config = args.getConfig<RuleConfig>();
    const tier = resolveTier(config, [environmentTag(props)]);
    if (!applies(meta, tier)) args.notApplicable(`applies to the ${meta.tiers?.join(", ")} tier(s); this stack is ${tier}`);
    meta.validate(props, { type: args.type, name: args.name, urn: args.urn, tier, config, report: (message) => reportViolation(message) });
  };
  return { ...base(meta), validateResource };
}

/** A rule over the whole stack (relations between resources: a bucket and its settings, a service and its alarms). */
export function stackRule(
  meta: RuleMeta & { validate(resources: readonly StackResource[], ctx: StackRuleContext): void },
): StackValidationPolicy {
  const validateStack = (args: StackValidationArgs, reportViolation: ReportViolation): void => {
    const resources: StackResource[] = args.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.props }));
    const config = args.getConfig<RuleConfig>();
    const tier = resolveTier(
      config,
      resources.map((r) => environmentTag(r.props)),
    );
    if (!applies(meta, tier)) args.notApplicable(`applies to the ${meta.tiers?.join(", ")} tier(s); this stack is ${tier}`);
    meta.validate(resources, { tier, config, report: (message, urn) => reportViolation(message, urn) });
  };
  return { ...base(meta), validateStack };
}

/** Resources of the given types, in stack order. */
export function ofType(resources: readonly StackResource[], ...types: string[]): StackResource[] {
  return resources.filter((r) => types.includes(r.type));
}
