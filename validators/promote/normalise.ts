import { createHash } from "node:crypto";
import type { SynthDocument } from "../../infra/synth/synth";

/**
 * Makes two stacks' offline renders comparable: what differs only because the stacks have different
 * names is rewritten to the same text on both sides, so a diff shows what really differs.
 *
 * - the stack name and the tier name, as whole words in names, keys and values: `{stack}`, `{tier}`;
 * - identifiers the offline renderer derives from a resource's type and name (sha256 of
 *   `type::name`, see infra/synth/mocks.ts: VPC, subnet and security group ids, KMS key ids, ARN
 *   suffixes, auto-name suffixes): `{ref:<that resource's name>}`;
 * - task definition revisions in ARNs (they follow the content, which the task definition's own
 *   diff already shows): `:{revision}`;
 * - the tag of an ECR image (`...dkr.ecr...amazonaws.com/repo:tag`): `:{image-tag}`, since moving
 *   image tags is the promotion itself; on Kubernetes objects, the tag of every container `image`
 *   and the `app.kubernetes.io/version` label (the tag again) likewise.
 *
 * Strings holding JSON (container definitions, policies) are parsed and normalised as values, and
 * lists of `{name, value}` or `{name, valueFrom}` (container environment and secrets) become maps by
 * name, so a variable added to one stack shows as that variable, not as every later one shifted.
 */
export function normaliseDocument(doc: SynthDocument): SynthDocument {
  const words = wordReplacer(doc.stack, doc.tier);
  const refs = new Map<string, { digest: string; name: string }>();
  for (const r of doc.resources) {
    const digest = createHash("sha256").update(`${r.type}::${r.name}`).digest("hex");
    refs.set(digest.slice(0, 7), { digest, name: words(r.name) });
  }
  const ref = (hex: string): string | undefined => {
    const hit = refs.get(hex.slice(0, 7));
    return hit && hit.digest.startsWith(hex) ? `{ref:${hit.name}}` : undefined;
  };
  const rewrite = (text: string): string =>
    words(
      text
        .replace(UUID, (m) => ref(m.replace(/-/g, "")) ?? m)
        .replace(HEX_RUN, (m) => ref(m) ?? m)
        .replace(TASK_DEFINITION_REVISION, "$1:{revision}")
        .replace(ECR_IMAGE_TAG, "$1:{image-tag}"),
    );
  const value = (v: unknown): unknown => {
    const parsed = parseJson(v);
    if (typeof parsed === "string") return rewrite(parsed);
    if (isNamedList(parsed)) return Object.fromEntries(parsed.map((e) => [words(e.name), value(e.value ?? e.valueFrom)]));
    if (Array.isArray(parsed)) return parsed.map(value);
    if (parsed !== null && typeof parsed === "object") {
      return Object.fromEntries(Object.entries(parsed).map(([k, x]) => [words(k), value(x)]));
    }
    return parsed;
  };
  return {
    ...doc,
    resources: doc.resources.map((r) => ({
      type: r.type,
      name: words(r.name),
      ...(r.parent === undefined ? {} : { parent: words(r.parent) }),
      inputs: value(r.type.startsWith("kubernetes:") ? kubernetesImageTags(r.inputs) : r.inputs) as Record<string, unknown>,
    })),
  };
}

/** A container image reference with a tag (`registry.example.com/team/api:v2`, `nginx:1.27`), not a digest. */
const TAGGED_IMAGE = /^([^@\s]*[^:@\s/]):[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A Kubernetes object's inputs with its image tags written `{image-tag}`: container `image` values and the version label. */
function kubernetesImageTags(v: unknown, key?: string): unknown {
  if (typeof v === "string") {
    if (key === "app.kubernetes.io/version") return "{image-tag}";
    return key === "image" ? v.replace(TAGGED_IMAGE, "$1:{image-tag}") : v;
  }
  if (Array.isArray(v)) return v.map((x) => kubernetesImageTags(x));
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, kubernetesImageTags(x, k)]));
  return v;
}

const UUID = /(?<![0-9A-Za-z])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9A-Za-z])/g;
const HEX_RUN = /(?<![0-9A-Za-z])[0-9a-f]{7,64}(?![0-9A-Za-z])/g;
const TASK_DEFINITION_REVISION = /(:task-definition\/[A-Za-z0-9_-]+):\d+/g;
const ECR_IMAGE_TAG = /(\.dkr\.ecr\.[a-z0-9.-]+\/[^:@\s"']+):[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}/g;

/**
 * Replaces the stack name, then the tier name, where each stands as a whole word of an identifier
 * or a whole path segment (`delivery-dev-api`, `/delivery/dev/api`), not inside another word
 * (`prodution`) and not as the first segment of an absolute path (`/dev/null` in a health check is a
 * file, not the stack: names the program derives from the stack start with the project).
 */
export function wordReplacer(stack: string, tier: string): (text: string) => string {
  const word = (w: string) =>
    new RegExp(`(?<![A-Za-z0-9])(?<!(?:^|[\\s"'=(,])/)${w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9])`, "g");
  const stackWord = word(stack);
  const tierWord = tier === stack ? undefined : word(tier);
  return (text) => {
    const out = text.replace(stackWord, "{stack}");
    return tierWord ? out.replace(tierWord, "{tier}") : out;
  };
}

/**
 * IAM policy statements keyed by their `Sid`, or by their effect and actions when they have none
 * (`Allow ecr:GetAuthorizationToken`; a repeat gets ` #2`), so a statement inserted in one stack
 * shows as that statement, not as every later statement shifted by one index. Applied to every
 * policy document (an object with a `Statement` list) anywhere in `value`.
 */
export function keyPolicyStatements(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keyPolicyStatements);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value).map(([k, v]) => [k, keyPolicyStatements(v)] as const);
  const out: Record<string, unknown> = Object.fromEntries(entries);
  const statements = out.Statement;
  if (!Array.isArray(statements) || !statements.every(isStatement)) return out;
  const keyed: Record<string, unknown> = {};
  for (const statement of statements) {
    const base = typeof statement.Sid === "string" && statement.Sid !== "" ? statement.Sid : statementKey(statement);
    let key = base;
    for (let n = 2; key in keyed; n++) key = `${base} #${n}`;
    keyed[key] = statement;
  }
  return { ...out, Statement: keyed };
}

type Statement = { Sid?: unknown; Effect?: unknown; Action?: unknown; NotAction?: unknown };

function isStatement(v: unknown): v is Statement {
  return v !== null && typeof v === "object" && !Array.isArray(v) && typeof (v as Statement).Effect === "string";
}

function statementKey(s: Statement): string {
  const actions = [s.Action ?? s.NotAction ?? []].flat().map(String);
  return `${String(s.Effect)} ${s.NotAction !== undefined && s.Action === undefined ? "not " : ""}${actions.join(",") || "(no action)"}`;
}

type NamedEntry = { name: string; value?: unknown; valueFrom?: unknown };

function isNamedList(v: unknown): v is NamedEntry[] {
  if (!Array.isArray(v) || v.length === 0) return false;
  const names = new Set<string>();
  for (const e of v) {
    if (e === null || typeof e !== "object" || typeof (e as NamedEntry).name !== "string") return false;
    const keys = Object.keys(e).sort().join(",");
    if (keys !== "name,value" && keys !== "name,valueFrom") return false;
    names.add((e as NamedEntry).name);
  }
  return names.size === v.length;
}

function parseJson(v: unknown): unknown {
  if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
