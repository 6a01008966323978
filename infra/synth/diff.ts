import type { SynthDocument } from "./synth";

/** What one resource's change does. */
export type ChangeKind = "add" | "remove" | "update" | "replace";

export interface InputChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface ResourceChange {
  kind: ChangeKind;
  type: string;
  name: string;
  /** Changed inputs (secrets are already masked in synth documents). */
  inputs: InputChange[];
  /** Replacing it replaces something running: a new task definition, a replaced service or load balancer. */
  replacesRunning: boolean;
}

export interface StackDiff {
  stack: string;
  changes: ResourceChange[];
  counts: Record<ChangeKind, number>;
}

/** Inputs that cannot change in place: a change replaces the resource (delete and create). */
const FORCE_NEW: Record<string, readonly string[] | "all"> = {
  "aws:ecs/taskDefinition:TaskDefinition": "all",
  "aws:ecs/service:Service": ["name", "cluster", "launchType", "schedulingStrategy"],
  "aws:lb/loadBalancer:LoadBalancer": ["name", "internal", "loadBalancerType"],
  "aws:lb/targetGroup:TargetGroup": ["name", "port", "protocol", "vpcId", "targetType"],
  "aws:ecr/repository:Repository": ["name"],
  "aws:cloudwatch/logGroup:LogGroup": ["name"],
  "aws:s3/bucket:Bucket": ["bucket"],
  "aws:sns/topic:Topic": ["name", "fifoTopic"],
  "aws:iam/role:Role": ["name", "path"],
  "aws:ec2/vpc:Vpc": ["cidrBlock"],
  "aws:ec2/subnet:Subnet": ["cidrBlock", "vpcId", "availabilityZone"],
  "aws:ec2/securityGroup:SecurityGroup": ["name", "vpcId", "description"],
  "aws:codebuild/project:Project": ["name"],
  "aws:codepipeline/pipeline:Pipeline": ["name"],
  "aws:dynamodb/table:Table": ["name", "hashKey", "rangeKey"],
  "aws:ecs/cluster:Cluster": ["name"],
};

/** Resources whose replacement interrupts or moves running work. */
const RUNNING = new Set(["aws:ecs/taskDefinition:TaskDefinition", "aws:ecs/service:Service", "aws:lb/loadBalancer:LoadBalancer"]);

const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;

/** Compares a base render of a stack with this tree's render of it. Either side may be absent. */
export function diffStack(stack: string, base: SynthDocument | undefined, head: SynthDocument | undefined): StackDiff {
  const before = new Map((base?.resources ?? []).map((r) => [key(r), r]));
  const after = new Map((head?.resources ?? []).map((r) => [key(r), r]));
  const changes: ResourceChange[] = [];
  for (const [k, r] of after) {
    const old = before.get(k);
    if (!old) {
      changes.push({ kind: "add", type: r.type, name: r.name, inputs: [], replacesRunning: false });
      continue;
    }
    const inputs = diffValues(old.inputs, r.inputs);
    if (inputs.length === 0) continue;
    const forceNew = FORCE_NEW[r.type];
    const replace =
      forceNew === "all" ||
      (forceNew ?? []).some((f) => inputs.some((c) => c.path === f || c.path.startsWith(`${f}.`) || c.path.startsWith(`${f}[`)));
    changes.push({
      kind: replace ? "replace" : "update",
      type: r.type,
      name: r.name,
      inputs,
      replacesRunning: replace && RUNNING.has(r.type),
    });
  }
  for (const [k, r] of before) {
    if (!after.has(k)) changes.push({ kind: "remove", type: r.type, name: r.name, inputs: [], replacesRunning: RUNNING.has(r.type) });
  }
  const order: Record<ChangeKind, number> = { replace: 0, remove: 1, update: 2, add: 3 };
  changes.sort((a, b) => order[a.kind] - order[b.kind] || a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
  const counts = { add: 0, remove: 0, update: 0, replace: 0 };
  for (const c of changes) counts[c.kind]++;
  return { stack, changes, counts };
}

/** Paths whose values differ; strings holding JSON (container definitions, policies) are compared as JSON. */
export function diffValues(before: unknown, after: unknown, path = ""): InputChange[] {
  const a = parseJsonString(before);
  const b = parseJsonString(after);
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffValues(a[k], b[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: InputChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...diffValues(a[i], b[i], `${path}[${i}]`));
    return out;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: path || "(value)", before: a, after: b }];
}

function parseJsonString(v: unknown): unknown {
  if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
