import { readFileSync } from "node:fs";
import { join } from "node:path";
import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { RuleConfig } from "../../policy/lib/define";

/**
 * Calls a rule the way the Pulumi policy host does, with plain policy args: the resource's props,
 * its config, and a reportViolation that records messages. `notApplicable` ends the call, as in
 * the host; the result says so.
 */
export interface RuleResult {
  violations: string[];
  /** Why the rule did not apply, when it did not. */
  notApplicable?: string;
}

class NotApplicable extends Error {}

export interface ResourceOptions {
  tier?: RuleConfig["tier"];
  config?: RuleConfig;
  name?: string;
  urn?: string;
}

export function checkResource(
  policy: ResourceValidationPolicy,
  type: string,
  props: Record<string, unknown>,
  options: ResourceOptions = {},
): RuleResult {
  const violations: string[] = [];
  const name = options.name ?? "res";
  const config: RuleConfig = { ...(options.tier === undefined ? {} : { tier: options.tier }), ...options.config };
  const args: ResourceValidationArgs = {
    type,
    props,
    urn: options.urn ?? `urn:pulumi:test::delivery::${type}::${name}`,
    name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
  try {
    for (const validate of [policy.validateResource ?? []].flat()) void validate(args, (message) => violations.push(message));
  } catch (err) {
    if (err instanceof NotApplicable) return { violations, notApplicable: err.message };
    throw err;
  }
  return { violations };
}

/** A resource of a stack, for stack rules. */
export interface TestResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

export function res(type: string, name: string, props: Record<string, unknown>): TestResource {
  return { type, name, props };
}

export const urnOf = (r: Pick<TestResource, "type" | "name">) => `urn:pulumi:test::delivery::${r.type}::${r.name}`;

/** Stack rule violations as `<resource name>: <message>` (or `stack: <message>`). */
export function checkStack(
  policy: StackValidationPolicy,
  resources: TestResource[],
  options: { tier?: RuleConfig["tier"]; config?: RuleConfig } = {},
): RuleResult {
  const violations: string[] = [];
  const names = new Map(resources.map((r) => [urnOf(r), r.name]));
  const config: RuleConfig = { ...(options.tier === undefined ? {} : { tier: options.tier }), ...options.config };
  const args: StackValidationArgs = {
    resources: resources.map(
      (r): PolicyResource => ({
        type: r.type,
        name: r.name,
        urn: urnOf(r),
        props: r.props,
        opts: {
          protect: false,
          ignoreChanges: [],
          aliases: [],
          customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
          additionalSecretOutputs: [],
        },
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      }),
    ),
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
  try {
    void policy.validateStack(args, (message, urn) => violations.push(`${urn ? names.get(urn) : "stack"}: ${message}`));
  } catch (err) {
    if (err instanceof NotApplicable) return { violations, notApplicable: err.message };
    throw err;
  }
  return { violations };
}

/** Whether @pulumi/aws declares a `tags` input for the type (its `<Name>Args` interface). */
export function declaresTags(type: string): boolean {
  const match = /^aws:([a-zA-Z0-9]+)\/([a-zA-Z0-9]+):([A-Za-z0-9]+)$/.exec(type);
  if (!match) throw new Error(`not an aws type token: ${type}`);
  const dts = readFileSync(join(__dirname, "..", "..", "node_modules", "@pulumi", "aws", match[1], `${match[2]}.d.ts`), "utf8");
  const start = dts.indexOf(`export interface ${match[3]}Args {`);
  if (start < 0) throw new Error(`${match[3]}Args not found for ${type}`);
  const body = dts.slice(start, dts.indexOf("\n}", start));
  return /\n {4}tags\?:/.test(body);
}
