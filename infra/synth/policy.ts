import type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { isTier, TIERS } from "../../contract/tiers";
import { policyPackConfig } from "../../policy/config";
import { type DeliveryPolicy, isStackPolicy, policies } from "../../policy/policies";

/**
 * Offline evaluation of the policy pack for `deployctl synth`: the SAME policy objects `pulumi preview
 * --policy-pack policy` serves (policy/policies.ts), called with the rendered resources' inputs as
 * their props, with the enforcement levels and tier of the stack's policy-pack config
 * (policy/config.ts: mandatory in prod, advisory elsewhere).
 */

/** What the evaluator needs of a rendered resource (infra/synth/render.ts RenderedResource has it). */
export interface PolicyInputResource {
  type: string;
  name: string;
  urn: string;
  parent?: string;
  inputs: Record<string, unknown>;
  /** The mock's id: stack rules match a bucket's settings, a listener's load balancer, a topic's ARN by it. */
  id?: string;
}

export interface PolicyContext {
  stack: string;
  /** local, dev, staging or prod. */
  tier: string;
  /** The stack's services (EnvironmentConfig.services): which ask for a read-only root filesystem. */
  services?: readonly { name: string; readonlyRootFilesystem: boolean }[];
}

export interface PolicyViolation {
  /** The rule's id (policy name). */
  policy: string;
  enforcementLevel: "mandatory" | "advisory";
  /** The resource in violation; absent when a stack rule blames the whole stack. */
  resource?: { type: string; name: string; urn: string };
  message: string;
  /** What the rule requires (with the published controls it maps to). */
  description: string;
  remediation: string;
}

/** The evaluation itself failed (a bad tier, a rule that threw): a tool error, not a violation. */
export class PolicyEvaluationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PolicyEvaluationError";
  }
}

class NotApplicable extends Error {}

const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

/** Every violation of the pack on the rendered resources, grouped by rule (pack order), then resource order. */
export function evaluatePolicies(
  resources: readonly PolicyInputResource[],
  context: PolicyContext,
  pack: readonly DeliveryPolicy[] = policies,
): PolicyViolation[] {
  if (!isTier(context.tier)) {
    throw new PolicyEvaluationError(
      `stack ${context.stack}: tier is ${JSON.stringify(context.tier)}; expected one of ${TIERS.join(", ")}.`,
    );
  }
  const config = policyPackConfig({ tier: context.tier, services: context.services }, pack);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out: PolicyViolation[] = [];
  for (const policy of pack) {
    const level = config[policy.name]?.enforcementLevel ?? policy.enforcementLevel ?? "mandatory";
    if (level === "disabled") continue;
    const report = (urn: string | undefined, message: string) => {
      const r = urn !== undefined ? byUrn.get(urn) : undefined;
      out.push({
        policy: policy.name,
        enforcementLevel: level === "advisory" ? "advisory" : "mandatory",
        ...(r ? { resource: { type: r.type, name: r.name, urn: r.urn } } : {}),
        message,
        description: policy.description,
        remediation: policy.remediationSteps ?? "",
      });
    };
    // As the policy host does: the rule's config properties, without its enforcement level.
    const { enforcementLevel: _level, ...properties } = config[policy.name] ?? {};
    const getConfig = <T extends object>() => ({ ...properties }) as T;
    if (isStackPolicy(policy)) {
      const args = stackArgs(resources, getConfig);
      run(policy.name, "the stack", () => policy.validateStack(args, (message, urn) => report(urn, message)));
    } else {
      const validations = [policy.validateResource ?? []].flat();
      for (const r of resources) {
        const args = resourceArgs(r, getConfig);
        const reportViolation: ReportViolation = (message) => report(r.urn, message);
        for (const validate of validations) run(policy.name, `${r.type} ${r.name}`, () => validate(args, reportViolation));
      }
    }
  }
  return out;
}

export function hasMandatoryViolation(violations: readonly PolicyViolation[]): boolean {
  return violations.some((v) => v.enforcementLevel === "mandatory");
}

/** Violations as text for people: per rule, its level, description, each resource and message, and the fix. */
export function formatViolations(stack: string, violations: readonly PolicyViolation[]): string {
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  if (violations.length === 0) return `Policies for ${stack}: no violations\n`;
  const lines = [`Policies for ${stack}: ${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s)`];
  const rules = [...new Set(violations.map((v) => v.policy))];
  for (const rule of rules) {
    const own = violations.filter((v) => v.policy === rule);
    lines.push(`  [${own[0].enforcementLevel}] ${rule}: ${own[0].description}`);
    for (const v of own) lines.push(`    ${v.resource ? `${v.resource.type} ${v.resource.name}` : "stack"}: ${v.message}`);
    lines.push(`    fix: ${own[0].remediation}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Runs one validation: a rule that does not apply is silent; one that throws or is async is a tool error. */
function run(policy: string, subject: string, validate: () => void | Promise<void>): void {
  let result: void | Promise<void>;
  try {
    result = validate();
  } catch (err) {
    if (err instanceof NotApplicable) return;
    throw new PolicyEvaluationError(`policy ${policy} failed on ${subject}: ${(err as Error).message ?? String(err)}`, { cause: err });
  }
  if (result instanceof Promise) {
    throw new PolicyEvaluationError(`policy ${policy} is asynchronous; the offline evaluator runs synchronous rules only.`);
  }
}

/** The props a rule sees: the inputs, plus the id (the engine's outputs have it too). */
function propsOf(r: PolicyInputResource): Record<string, unknown> {
  return r.id && r.inputs.id === undefined ? { ...r.inputs, id: r.id } : { ...r.inputs };
}

const NO_OPTIONS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

type GetConfig = <T extends object>() => T;

function isType(type: string, cls: unknown): boolean {
  return (cls as { __pulumiType?: string } | undefined)?.__pulumiType === type;
}

function resourceArgs(r: PolicyInputResource, getConfig: GetConfig): ResourceValidationArgs {
  const props = propsOf(r);
  return {
    type: r.type,
    props,
    urn: r.urn,
    name: r.name,
    opts: { ...NO_OPTIONS, ...(r.parent ? { parent: r.parent } : {}) },
    stackTags: new Map(),
    isType: (cls) => isType(r.type, cls),
    asType: ((cls: unknown) => (isType(r.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
    getConfig,
    notApplicable,
  };
}

function stackArgs(resources: readonly PolicyInputResource[], getConfig: GetConfig): StackValidationArgs {
  const byUrn = new Map<string, PolicyResource>();
  const policyResources = resources.map((r) => {
    const props = propsOf(r);
    const resource: PolicyResource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: { ...NO_OPTIONS, ...(r.parent ? { parent: r.parent } : {}) },
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isType(r.type, cls),
      asType: ((cls: unknown) => (isType(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
    };
    byUrn.set(r.urn, resource);
    return resource;
  });
  for (const [i, r] of resources.entries()) {
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    if (parent) policyResources[i].parent = parent;
  }
  return { resources: policyResources, stackTags: new Map(), getConfig, notApplicable };
}
