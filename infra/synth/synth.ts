import { mkdirSync, readdirSync } from "node:fs";
import { writeFileAtomic } from "../../validators/stackfile/file";
import { join, relative } from "node:path";
import { type EnvironmentConfig, parseEnvironmentConfig, readStackFile, SECRET_PLACEHOLDER } from "../config";
import { maskSecrets } from "./mask";
import { evaluatePolicies, type PolicyViolation } from "./policy";
import { type RenderedResource, renderStackConfig } from "./render";
import { type StackSummary, summarize } from "./summary";

export const SYNTH_SCHEMA_VERSION = 1;

/** The file `deployctl synth` writes per stack (`out/synth/<stack>.json`). */
export interface SynthDocument {
  schemaVersion: typeof SYNTH_SCHEMA_VERSION;
  project: string;
  stack: string;
  tier: string;
  region: string;
  summary: StackSummary;
  resources: { type: string; name: string; parent?: string; inputs: Record<string, unknown> }[];
  outputs: Record<string, unknown>;
  /** The policy pack's verdict on the rendered resources (policy/, the same rules `pulumi preview` runs). */
  policy: { violations: PolicyViolation[] };
}

/** The stacks a project directory declares: every Pulumi.<stack>.yaml, in tier order then by name. */
export function listStacks(dir: string): string[] {
  const order = ["local", "dev", "staging", "prod"];
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  return readdirSync(dir)
    .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Renders one stack from its stack file under Pulumi's mock runtime. Throws ConfigError on bad config. */
export async function synthStack(dir: string, stack: string): Promise<SynthDocument> {
  const config = parseEnvironmentConfig(readStackFile(dir, stack));
  return synthConfig(config);
}

export async function synthConfig(config: EnvironmentConfig): Promise<SynthDocument> {
  const rendered = await renderStackConfig(config);
  const secrets = secretValues(config);
  const urnNames = new Map(rendered.resources.map((r) => [r.urn, `${r.type}::${r.name}`]));
  return {
    schemaVersion: SYNTH_SCHEMA_VERSION,
    project: config.project,
    stack: config.stack,
    tier: config.tier,
    region: config.region,
    summary: summarize(config, rendered.resources),
    resources: rendered.resources.map((r: RenderedResource) => ({
      type: r.type,
      name: r.name,
      ...(r.parent && urnNames.has(r.parent) ? { parent: urnNames.get(r.parent) } : {}),
      inputs: maskSecrets(r.inputs, secrets) as Record<string, unknown>,
    })),
    outputs: maskSecrets(rendered.outputs, secrets) as Record<string, unknown>,
    policy: {
      violations: maskSecrets(
        evaluatePolicies(rendered.resources, { stack: config.stack, tier: config.tier, services: config.services }),
        secrets,
      ) as PolicyViolation[],
    },
  };
}

/** Writes the document atomically (temp file, then rename) and returns its path. */
export function writeSynthDocument(outDir: string, doc: SynthDocument): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${doc.stack}.json`);
  writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`);
  return relative(process.cwd(), file) || file;
}

function secretValues(config: EnvironmentConfig): Set<string> {
  const out = new Set<string>();
  for (const s of [config.notifications.slackWebhookUrl, config.notifications.pagerDutyRoutingKey]) {
    if (s && s.value !== SECRET_PLACEHOLDER) out.add(s.value);
  }
  return out;
}
