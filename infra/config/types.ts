import type { RollingBounds } from "../../contract/tiers";
import type { KubernetesConfig } from "./kubernetes";
import type { PipelineConfig } from "./pipeline";
import type { Tier } from "../../contract/tiers";
import type { RuntimeName } from "../../contract/manifest";
import type { DockerConfig, DockerServiceConfig } from "./docker";
import type { MigrationConfig } from "./migration";
import type { PromotionConfig } from "./promotion";
import type { EnvTemplate } from "../../contract/envTemplate";

/** A config value that must stay secret: wrapped in pulumi.secret() where it is used, masked in synth. */
export interface SecretValue {
  readonly secret: true;
  readonly value: string;
}

export interface AutoscalingConfig {
  min: number;
  max: number;
  cpuTargetPercent: number;
}

/** How a service's new releases reach its traffic. */
export type DeploymentStrategyName = "rolling" | "canary" | "linear" | "blueGreen";

/**
 * A progressive deployment: ECS shifts production traffic to the new revision step by step and a
 * lifecycle hook holds each step until the validator's verdict on it passes.
 */
export interface ProgressiveDeploymentConfig {
  strategy: "canary" | "linear" | "blueGreen";
  /** Production traffic percentages the new revision is observed at, ascending, ending at 100. */
  steps: number[];
  /** ECS's linear step for `linear` (its stepPercent); undefined otherwise. */
  stepPercent?: number;
  /** Observation per step, in minutes. */
  stepMinutes: number;
  /** Minutes the old revision keeps running after 100% (ECS bakeTimeInMinutes). */
  bakeMinutes: number;
  /** An inconclusive step is observed up to this many minutes longer, then the release is not promoted. */
  maxExtensionMinutes: number;
}

export type DeploymentConfig = { strategy: "rolling" } | ProgressiveDeploymentConfig;

/** One service, with every default applied. */
export interface ServiceConfig {
  name: string;
  image: { repository: string; tag: string };
  port: number;
  healthCheckPath: string;
  cpu: number;
  memory: number;
  desiredCount: number;
  autoscaling?: AutoscalingConfig;
  dependsOn: string[];
  environment: Record<string, string>;
  /** Container variable name -> Secrets Manager secret or SSM parameter name/ARN. */
  secrets: Record<string, string>;
  path?: string;
  host?: string;
  smokePaths: string[];
  /** The logs check's rules as configured (the validator applies its defaults to what is absent). */
  logs?: { tailLines?: number; maxWarnings?: number; startupMarker?: string };
  readonlyRootFilesystem: boolean;
  /** Listener rule priority, from the service's position (the default route has none). */
  rulePriority?: number;
  /** Rolling, or a progressive strategy with its steps (the tier's default unless configured). */
  deployment: DeploymentConfig;
  /** A database migration run before each new revision (absent: none). */
  migration?: MigrationConfig;
  /** Docker runtime: replicas, host port, writable paths, build (absent on other runtimes). */
  docker?: DockerServiceConfig;
}

export interface AlarmsConfig {
  errorRateWarningPercent: number;
  errorRateCriticalPercent: number;
  /** The validator's fail threshold for the 5xx rate (the alarm thresholds decide who is paged). */
  errorRateFailPercent: number;
  minRequests: number;
  p95LatencyMs: number;
  p99LatencyMs: number;
  cpuPercent: number;
  memoryPercent: number;
  windowSeconds: number;
}

export interface NotificationsConfig {
  emails: string[];
  slackWebhookUrl?: SecretValue;
  pagerDutyRoutingKey?: SecretValue;
  /** AWS Chatbot: the Slack workspace and channel that hear both topics. */
  slack?: SlackChannel;
  /** PagerDuty's CloudWatch integration URL, subscribed to the critical topic over HTTPS. */
  pagerDutyIntegrationUrl?: SecretValue;
}

/** A Slack channel as AWS Chatbot names it: workspace (team) ID `T...`, channel ID `C...` or `G...`. */
export interface SlackChannel {
  workspaceId: string;
  channelId: string;
}

export type NetworkConfig =
  | { kind: "create"; cidrBlock: string; availabilityZoneCount: 2 }
  | { kind: "existing"; vpcId: string; publicSubnetIds: string[]; privateSubnetIds: string[] };

export interface LoadBalancerConfig {
  certificateArn?: string;
  sslPolicy: string;
  idleTimeoutSeconds: number;
  accessLogs: boolean;
}

/** A whole environment, parsed once from its stack config. */
export interface EnvironmentConfig {
  project: string;
  stack: string;
  /** The stack file the config came from (for messages), e.g. `Pulumi.prod.yaml`. */
  file: string;
  tier: Tier;
  /** Where the services run (`delivery:runtime`, default ecs). */
  runtime: RuntimeName;
  /** Docker runtime: the engine and network (absent on other runtimes). */
  docker?: DockerConfig;
  /** The AWS region (`aws:region`); "" on a Docker stack that sets none. */
  region: string;
  services: ServiceConfig[];
  alarms: AlarmsConfig;
  /** Bounds of a rolling update (delivery:rolling over the tier's defaults). */
  rolling: RollingBounds;
  notifications: NotificationsConfig;
  network: NetworkConfig;
  loadBalancer: LoadBalancerConfig;
  logRetentionDays: number;
  deletionProtection: boolean;
  tags: Record<string, string>;
  /** The delivery pipeline, when the stack runs one (cloud tiers by default). */
  pipeline?: PipelineConfig;
  /** Kubernetes runtime: the cluster settings (absent on other runtimes). */
  kubernetes?: KubernetesConfig;
  /** Promotions into this stack (`delivery:promotion`); absent: the tier's default window (24h in prod, else 0). */
  promotion?: PromotionConfig;
  /** `delivery:envTemplate`: keys every service must have, and keys that must be secret (absent: no template). */
  envTemplate?: EnvTemplate;
}

/** The stack config as read, before validation: full keys (`delivery:tier`) to parsed values. */
export interface RawStackConfig {
  project: string;
  stack: string;
  file: string;
  values: Record<string, unknown>;
  /** Whether the value at a config path (`delivery:notifications.slackWebhookUrl`) was given as a secret. */
  isSecret(path: string): boolean;
}
