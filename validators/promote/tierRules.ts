/**
 * What the tier explains: differences between two stacks' renders that come from their tiers
 * (infra/config/tiers.ts TIER_DEFAULTS, infra/components/lib/tierSettings.ts TIER_SETTINGS), not
 * from drift in their config. `deployctl promote` leaves these out of its drift list, whatever the
 * values; what remains is for a reviewer to see. docs/promote.md carries this table.
 *
 * A rule explains an input change (`paths`, matched against the diff's input path such as
 * `containerDefinitions[0].cpu`), a resource present in one stack only (`presence`), or removes
 * a part of the inputs before the diff (`prune`, for a pipeline stage the tier inserts).
 * Resource names are the normalised ones (`delivery-{stack}-api`).
 */
export interface TierRule {
  /** What the tier sets, as the docs and the output name it. */
  what: string;
  types: readonly string[];
  /** Only resources whose (normalised) name matches. @default every resource of the types */
  name?: RegExp;
  /** Input paths a difference of which the tier explains. */
  paths?: readonly RegExp[];
  /** A resource of these types (and name) existing in one stack only is explained. */
  presence?: boolean;
  /** Drops the tier's own parts from a resource's inputs before the diff; returns how many it dropped. */
  prune?: (inputs: Record<string, unknown>) => { inputs: Record<string, unknown>; pruned: number };
}

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const exact = (...names: string[]) => names.map((n) => new RegExp(`^${n.replace(/[.[\]]/g, "\\$&")}$`));
const under = (prefix: string) => new RegExp(`^${prefix}(\\.|\\[|$)`);

export const TIER_RULES: readonly TierRule[] = [
  {
    what: "task sizes (CPU, memory)",
    types: [TASK_DEFINITION],
    paths: [...exact("cpu", "memory"), /^containerDefinitions\[\d+\]\.(cpu|memory|memoryReservation)$/],
  },
  { what: "desired counts", types: ["aws:ecs/service:Service"], paths: exact("desiredCount") },
  {
    what: "autoscaling bounds and target",
    types: ["aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy"],
    paths: [...exact("minCapacity", "maxCapacity"), under("targetTrackingScalingPolicyConfiguration.targetValue")],
  },
  {
    what: "alarm thresholds tied to task counts",
    types: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
    name: /-running-tasks-low$/,
    paths: exact("threshold", "alarmDescription"),
  },
  { what: "log retention and log encryption", types: ["aws:cloudwatch/logGroup:LogGroup"], paths: exact("retentionInDays", "kmsKeyId") },
  {
    what: "deletion protection and recovery",
    types: [
      "aws:lb/loadBalancer:LoadBalancer",
      "aws:dynamodb/table:Table",
      "aws:ecr/repository:Repository",
      "aws:s3/bucket:Bucket",
      "aws:kms/key:Key",
    ],
    paths: exact(
      "enableDeletionProtection",
      "deletionProtectionEnabled",
      "pointInTimeRecovery.enabled",
      "forceDelete",
      "forceDestroy",
      "deletionWindowInDays",
    ),
  },
  {
    what: "image and record retention",
    types: ["aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"],
    paths: [
      /^policy\.rules\[\d+\]\.(description|selection\.countNumber)$/,
      /^rules\[\d+\]\.(expiration\.days|noncurrentVersionExpiration\.noncurrentDays)$/,
    ],
  },
  {
    what: "deployment strategy (rolling, or canary in prod)",
    types: ["aws:ecs/service:Service"],
    paths: [under("deploymentConfiguration"), /^loadBalancers\[\d+\]\.advancedConfiguration(\.|\[|$)/],
  },
  {
    what: "deployment strategy (rolling, or canary in prod)",
    types: ["aws:lb/listenerRule:ListenerRule"],
    paths: [/^actions\[\d+\]\.(forward|targetGroupArn)(\.|\[|$)/],
  },
  {
    what: "deployment strategy (rolling, or canary in prod)",
    types: [
      "aws:lb/targetGroup:TargetGroup",
      "aws:lb/listenerRule:ListenerRule",
      "aws:lambda/function:Function",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
    ],
    name: /-(alt|test|hook|hook-logs|hook-function-role|hook-function-policy|hook-invoke-role|hook-invoke-policy|lb-role|lb-policy)$/,
    presence: true,
  },
  { what: "deregistration delay", types: ["aws:lb/targetGroup:TargetGroup"], paths: exact("deregistrationDelay") },
  {
    what: "load balancer access-log bucket",
    types: [
      "aws:s3/bucket:Bucket",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "aws:s3/bucketPolicy:BucketPolicy",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "aws:s3/bucketVersioning:BucketVersioning",
    ],
    name: /-access-logs$/,
    presence: true,
  },
  { what: "load balancer access-log bucket", types: ["aws:lb/loadBalancer:LoadBalancer"], paths: [under("accessLogs")] },
  { what: "NAT gateway count", types: ["aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip"], name: /-nat-\d+$/, presence: true },
  { what: "NAT gateway count", types: ["aws:ec2/route:Route"], paths: exact("natGatewayId") },
  {
    what: "pipeline approval stage and topic",
    types: ["aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy", "aws:sns/topicSubscription:TopicSubscription"],
    name: /-pipeline-(approvals|approver-\d+)$/,
    presence: true,
  },
  {
    what: "pipeline approval stage and topic",
    types: ["aws:codepipeline/pipeline:Pipeline"],
    prune: (inputs) => without(inputs, "stages", isApprovalStage),
  },
  { what: "pipeline approval stage and topic", types: ["aws:iam/rolePolicy:RolePolicy"], prune: pruneApprovalStatement },
  // Kubernetes (infra/components/kubernetes): the tier's requests/limits, replicas, HPA bounds, and prod's spreading and PDBs.
  {
    what: "task sizes (CPU, memory)",
    types: [DEPLOYMENT, "kubernetes:batch/v1:Job"],
    paths: [/^spec\.template\.spec\.(initContainers|containers)\[\d+\]\.resources\.(requests|limits)\.(cpu|memory)$/],
  },
  { what: "desired counts", types: [DEPLOYMENT], paths: exact("spec.replicas") },
  {
    what: "autoscaling bounds and target",
    types: ["kubernetes:autoscaling/v2:HorizontalPodAutoscaler"],
    paths: [...exact("spec.minReplicas", "spec.maxReplicas"), /^spec\.metrics\[\d+\]\.resource\.target\.averageUtilization$/],
  },
  {
    what: "pods spread across nodes and zones, disruption budgets (prod)",
    types: [DEPLOYMENT],
    paths: [under("spec.template.spec.topologySpreadConstraints"), under("spec.template.spec.affinity")],
  },
  {
    what: "pods spread across nodes and zones, disruption budgets (prod)",
    types: ["kubernetes:policy/v1:PodDisruptionBudget"],
    presence: true,
  },
];

/** A rule name per kind of explained difference, in table order (for counts in the output). */
export const TIER_RULE_NAMES: readonly string[] = [...new Set(TIER_RULES.map((r) => r.what))];

function applies(rule: TierRule, type: string, name: string): boolean {
  return rule.types.includes(type) && (rule.name === undefined || rule.name.test(name));
}

/** The rule explaining that the resource exists in one stack only, if any. */
export function presenceRule(type: string, name: string): TierRule | undefined {
  return TIER_RULES.find((r) => r.presence === true && applies(r, type, name));
}

/** The rule explaining a difference at this input path, if any. */
export function pathRule(type: string, name: string, path: string): TierRule | undefined {
  return TIER_RULES.find((r) => r.paths !== undefined && applies(r, type, name) && r.paths.some((p) => p.test(path)));
}

/** The inputs with every prune rule of the type applied, and what each rule dropped. */
export function pruneInputs(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): { inputs: Record<string, unknown>; pruned: { what: string; count: number }[] } {
  let current = inputs;
  const pruned: { what: string; count: number }[] = [];
  for (const rule of TIER_RULES) {
    if (!rule.prune || !applies(rule, type, name)) continue;
    const result = rule.prune(current);
    current = result.inputs;
    if (result.pruned > 0) pruned.push({ what: rule.what, count: result.pruned });
  }
  return { inputs: current, pruned };
}

function isApprovalStage(stage: unknown): boolean {
  const actions = (stage as { actions?: unknown })?.actions;
  return Array.isArray(actions) && actions.length > 0 && actions.every((a) => (a as { category?: unknown })?.category === "Approval");
}

/** The pipeline role's statement that lets it publish to the approval topic (Sid ApprovalNotice). */
function pruneApprovalStatement(inputs: Record<string, unknown>): { inputs: Record<string, unknown>; pruned: number } {
  const policy = inputs.policy;
  if (policy === null || typeof policy !== "object" || Array.isArray(policy)) return { inputs, pruned: 0 };
  const inner = without(policy as Record<string, unknown>, "Statement", (s) => (s as { Sid?: unknown })?.Sid === "ApprovalNotice");
  return { inputs: { ...inputs, policy: inner.inputs }, pruned: inner.pruned };
}

function without(
  inputs: Record<string, unknown>,
  key: string,
  drop: (item: unknown) => boolean,
): { inputs: Record<string, unknown>; pruned: number } {
  const list = inputs[key];
  if (!Array.isArray(list)) return { inputs, pruned: 0 };
  const kept = list.filter((item) => !drop(item));
  return { inputs: { ...inputs, [key]: kept }, pruned: list.length - kept.length };
}
