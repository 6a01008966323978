/** The environment matrix: what each tier gets unless its stack config says otherwise. */
export const TIERS = ["local", "dev", "staging", "prod"] as const;
export type Tier = (typeof TIERS)[number];

export interface TierDefaults {
  desiredCount: number;
  cpu: number;
  memory: number;
  /** Target tracking bounds on CPU, or undefined for no autoscaling. */
  autoscaling?: { min: number; max: number; cpuTargetPercent: number };
  logRetentionDays: number;
  /** Deletion protection on the load balancer, ECR force-delete off, retained log groups. */
  deletionProtection: boolean;
  /** The pipeline asks a person before deploying. */
  requireApproval: boolean;
  /** The stack provisions its own CodePipeline. */
  pipelineEnabled: boolean;
  /** How services release unless their config says otherwise: canary in prod, rolling below. */
  deploymentStrategy: "rolling" | "canary";
}

export const TIER_DEFAULTS: Record<Tier, TierDefaults> = {
  local: {
    desiredCount: 1,
    cpu: 256,
    memory: 512,
    logRetentionDays: 1,
    deletionProtection: false,
    requireApproval: false,
    pipelineEnabled: false,
    deploymentStrategy: "rolling",
  },
  dev: {
    desiredCount: 1,
    cpu: 256,
    memory: 512,
    logRetentionDays: 14,
    deletionProtection: false,
    requireApproval: false,
    pipelineEnabled: true,
    deploymentStrategy: "rolling",
  },
  staging: {
    desiredCount: 2,
    cpu: 256,
    memory: 512,
    autoscaling: { min: 2, max: 5, cpuTargetPercent: 60 },
    logRetentionDays: 90,
    deletionProtection: false,
    requireApproval: false,
    pipelineEnabled: true,
    deploymentStrategy: "rolling",
  },
  prod: {
    desiredCount: 3,
    cpu: 512,
    memory: 1024,
    autoscaling: { min: 3, max: 20, cpuTargetPercent: 60 },
    logRetentionDays: 365,
    deletionProtection: true,
    requireApproval: true,
    pipelineEnabled: true,
    deploymentStrategy: "canary",
  },
};

export function isTier(value: unknown): value is Tier {
  return typeof value === "string" && (TIERS as readonly string[]).includes(value);
}
