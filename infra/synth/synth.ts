import { type EnvironmentConfig, parseEnvironmentConfig, readStackFile, SECRET_PLACEHOLDER } from "../config";
import { redact } from "../../contract/redact";
import { evaluatePolicies, type PolicyViolation } from "./policy";
import { type RenderedResource, renderStackConfig } from "./render";
import { type StackSummary, summarize } from "./summary";

export const SYNTH_SCHEMA_VERSION = 1;

/** Synth documents hide known secrets and secret shapes behind the config's placeholder; field names are AWS's, never secrets. */
const SYNTH_REDACTION = { mask: SECRET_PLACEHOLDER, byName: false };

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

/** The stacks a project directory declares: contract/stackFiles.ts, re-exported for the synth and promote commands. */
export { listStacks } from "../../contract/stackFiles";

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
      inputs: redact(r.inputs, secrets, SYNTH_REDACTION),
    })),
    outputs: redact(rendered.outputs, secrets, SYNTH_REDACTION),
    policy: {
      violations: redact(
        evaluatePolicies(rendered.resources, { stack: config.stack, tier: config.tier, services: config.services }),
        secrets,
        SYNTH_REDACTION,
      ),
    },
  };
}

/** The stack's notification secrets, when the stack file holds them in clear (a secure value is already a placeholder). */
function secretValues(config: EnvironmentConfig): string[] {
  const out: string[] = [];
  const n = config.notifications;
  for (const s of [n.slackWebhookUrl, n.pagerDutyRoutingKey, n.pagerDutyIntegrationUrl]) {
    if (s && s.value !== SECRET_PLACEHOLDER) out.push(s.value);
  }
  return out;
}
