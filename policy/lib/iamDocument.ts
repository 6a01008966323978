import { type Parsed, parseJson, type Props, rec, str, strings } from "./values";

/** One statement of an IAM policy document, normalised (single strings become lists). */
export interface Statement {
  /** Where it is, for messages: `policy statement 2 ("Admin")`. */
  label: string;
  effect: string;
  actions: string[];
  notActions: string[];
  resources: string[];
  notResources: string[];
  principal: unknown;
  condition?: Props;
}

/** A policy document found on a resource, and where (`policy`, `inlinePolicies[0].policy`). */
export interface FoundDocument {
  key: string;
  document: Parsed<unknown>;
  /** Identity policies grant a principal; resource policies (bucket, topic, key) name principals. */
  kind: "identity" | "resource";
}

const IDENTITY_POLICY_TYPES = [
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
];
const RESOURCE_POLICY_TYPES = [
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:sns/topicPolicy:TopicPolicy",
  "aws:sns/topic:Topic",
  "aws:kms/key:Key",
  "aws:ecr/repositoryPolicy:RepositoryPolicy",
];

/** The types whose policy documents the IAM rules read. */
export const POLICY_DOCUMENT_TYPES = [...IDENTITY_POLICY_TYPES, "aws:iam/role:Role", ...RESOURCE_POLICY_TYPES];

/** The permission documents of a resource (a role's trust policy is not one: it only says who may assume it). */
export function policyDocuments(type: string, props: Props): FoundDocument[] {
  if (IDENTITY_POLICY_TYPES.includes(type)) return [{ key: "policy", document: parseJson(props.policy), kind: "identity" }];
  if (type === "aws:iam/role:Role") {
    const inline = Array.isArray(props.inlinePolicies) ? props.inlinePolicies : [];
    return inline.map((p, i) => ({ key: `inlinePolicies[${i}].policy`, document: parseJson(rec(p)?.policy), kind: "identity" as const }));
  }
  if (RESOURCE_POLICY_TYPES.includes(type) && props.policy !== undefined) {
    return [{ key: "policy", document: parseJson(props.policy), kind: "resource" }];
  }
  return [];
}

/** The statements of a parsed document, or why there are none. */
export function statementsOf(document: unknown): Parsed<Statement[]> {
  const doc = rec(document);
  if (!doc) return { ok: false, error: "not a JSON object" };
  const raw = Array.isArray(doc.Statement) ? doc.Statement : rec(doc.Statement) ? [doc.Statement] : undefined;
  if (!raw) return { ok: false, error: "has no Statement" };
  const out: Statement[] = [];
  raw.forEach((s, i) => {
    const st = rec(s) ?? {};
    const sid = str(st.Sid);
    out.push({
      label: `statement ${i + 1}${sid ? ` (${JSON.stringify(sid)})` : ""}`,
      effect: str(st.Effect) ?? "",
      actions: strings(st.Action),
      notActions: strings(st.NotAction),
      resources: strings(st.Resource),
      notResources: strings(st.NotResource),
      principal: st.Principal,
      condition: rec(st.Condition),
    });
  });
  return { ok: true, value: out };
}

/** Every Allow statement of every document, with where it is; unreadable documents are reported as problems. */
export function allowStatements(type: string, props: Props, kinds: readonly FoundDocument["kind"][] = ["identity", "resource"]) {
  const statements: { key: string; statement: Statement }[] = [];
  const problems: string[] = [];
  for (const found of policyDocuments(type, props).filter((d) => kinds.includes(d.kind))) {
    if (!found.document.ok) {
      problems.push(`${found.key} is ${found.document.error}; expected an IAM policy document.`);
      continue;
    }
    const parsed = statementsOf(found.document.value);
    if (!parsed.ok) {
      problems.push(`${found.key} ${parsed.error}; expected an IAM policy document.`);
      continue;
    }
    for (const statement of parsed.value) if (statement.effect === "Allow") statements.push({ key: found.key, statement });
  }
  return { statements, problems };
}

/** Whether a principal is everyone: `*` or `{ AWS: "*" }` (alone or in a list). */
export function isPublicPrincipal(principal: unknown): boolean {
  if (principal === "*") return true;
  return strings(rec(principal)?.AWS).includes("*");
}
