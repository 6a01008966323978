import { DEFAULT_ROLLING, type RollingBounds } from "../../../contract/tiers";
import { type AlarmsConfig, type AutoscalingConfig, DEFAULT_ALARMS } from "../../config";
import { partitionOf } from "./naming";

/**
 * The defaults of the ECS `Service` component's optional args, applied once (defaults first, the
 * caller's args over them). Plain data: tested without Pulumi.
 */
export const SERVICE_DEFAULTS = {
  healthCheckPath: "/health",
  cpu: 256,
  memory: 512,
  desiredCount: 1,
  readonlyRootFilesystem: false,
  logRetentionDays: 30,
  retainLogs: false,
  healthCheckGracePeriodSeconds: 60,
} as const;

/** What the settings need of the component's args (the optional ones as the caller gave them). */
export interface ServiceSettingsInput {
  serviceName: string;
  region: string;
  partition?: string;
  family?: string;
  repositoryName?: string;
  logGroupName?: string;
  healthCheckPath?: string;
  cpu?: number;
  memory?: number;
  desiredCount?: number;
  autoscaling?: AutoscalingConfig;
  environment?: Record<string, string>;
  secrets?: Record<string, string>;
  readonlyRootFilesystem?: boolean;
  alarms?: Partial<AlarmsConfig>;
  rolling?: RollingBounds;
  logRetentionDays?: number;
  retainLogs?: boolean;
  tags?: Record<string, string>;
}

/** The component's settings with every default applied. */
export interface ServiceSettings {
  name: string;
  partition: string;
  family: string;
  repositoryName: string;
  logGroupName: string;
  healthCheckPath: string;
  cpu: number;
  memory: number;
  desiredCount: number;
  autoscaling?: AutoscalingConfig;
  environment: Record<string, string>;
  secrets: Record<string, string>;
  readonlyRootFilesystem: boolean;
  alarms: AlarmsConfig;
  rolling: RollingBounds;
  /** The fewest tasks that run: autoscaling's minimum, else the desired count. */
  minimumTasks: number;
  logRetentionDays: number;
  retainLogs: boolean;
  tags: Record<string, string>;
}

/** Applies the defaults: `name` is the component's name (the family, repository and log group follow it unless given). */
export function serviceSettings(name: string, args: ServiceSettingsInput): ServiceSettings {
  const desiredCount = args.desiredCount ?? SERVICE_DEFAULTS.desiredCount;
  return {
    name: args.serviceName,
    partition: args.partition ?? partitionOf(args.region),
    family: args.family ?? name,
    repositoryName: args.repositoryName ?? name,
    logGroupName: args.logGroupName ?? `/ecs/${name}`,
    healthCheckPath: args.healthCheckPath ?? SERVICE_DEFAULTS.healthCheckPath,
    cpu: args.cpu ?? SERVICE_DEFAULTS.cpu,
    memory: args.memory ?? SERVICE_DEFAULTS.memory,
    desiredCount,
    ...(args.autoscaling ? { autoscaling: { ...args.autoscaling } } : {}),
    environment: { ...(args.environment ?? {}) },
    secrets: { ...(args.secrets ?? {}) },
    readonlyRootFilesystem: args.readonlyRootFilesystem ?? SERVICE_DEFAULTS.readonlyRootFilesystem,
    alarms: { ...DEFAULT_ALARMS, ...args.alarms },
    rolling: { ...(args.rolling ?? DEFAULT_ROLLING) },
    minimumTasks: args.autoscaling?.min ?? desiredCount,
    logRetentionDays: args.logRetentionDays ?? SERVICE_DEFAULTS.logRetentionDays,
    retainLogs: args.retainLogs ?? SERVICE_DEFAULTS.retainLogs,
    tags: { ...(args.tags ?? {}) },
  };
}
