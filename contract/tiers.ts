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
  /** Bounds of a rolling update, mapped to each runtime's nearest setting (docs/infra.md). */
  rolling: RollingBounds;
}

/** A rolling update's bounds, as Kubernetes names them. */
export interface RollingBounds {
  /** Extra replicas a rollout may start above the desired count. */
  maxSurge: number;
  /** Replicas below the desired count a rollout may stop. */
  maxUnavailable: number;
  /** How long a new replica must be healthy before it counts as available. */
  minReadySeconds: number;
}

/** One extra replica at a time, none taken away before its replacement is healthy, 10 s healthy first. */
export const DEFAULT_ROLLING: RollingBounds = { maxSurge: 1, maxUnavailable: 0, minReadySeconds: 10 };

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
    rolling: DEFAULT_ROLLING,
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
    rolling: DEFAULT_ROLLING,
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
    rolling: DEFAULT_ROLLING,
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
    rolling: DEFAULT_ROLLING,
  },
};

export function isTier(value: unknown): value is Tier {
  return typeof value === "string" && (TIERS as readonly string[]).includes(value);
}
