import type { AwsClients } from "../providers/aws/clients";
import type { Runtime } from "../providers/runtime";
import type { LogPatterns } from "../checks/logs";
import type { DeploymentManifest } from "../../contract/manifest";
import type { CheckName } from "../../contract/report";
import type { BaselineFn } from "../canary/compare";

export type { BaselineFn } from "../canary/compare";

/** What to validate and how; every field but the manifest has a default that suits a pipeline. */
export interface ValidateOptions {
  manifest: DeploymentManifest;
  /** Only these services (by manifest name). @default every service of the manifest */
  services?: string[];
  /** Start of the deployment. @default each service's newest ECS deployment's createdAt */
  since?: Date;
  /** Metrics window in seconds, counted back from now and never before `since`. @default manifest.thresholds.windowSeconds */
  windowSeconds?: number;
  /** How long to wait for an in-progress rollout before judging. @default 0 (judge now) */
  waitSeconds?: number;
  /** Watchdog duration for services with a URL. @default 30 */
  watchSeconds?: number;
  /** Run the smoke check (and its watchdog). @default true */
  smoke?: boolean;
  /** Checks not to run; they are reported as `skipped`. @default [] */
  skip?: CheckName[];
  /** Progress for people (waiting, retries...): one line per call. */
  onProgress?: (message: string) => void;
  /** Confidence of the error-rate interval, between 0 and 1. @default 0.99 */
  confidence?: number;
  /** What the logs check looks for. @default DEFAULT_LOG_PATTERNS */
  logPatterns?: Partial<LogPatterns>;
  /**
   * `baseline`: also run the canary check, the new revision's target group against the baseline's
   * for progressive services with a deployment in progress (`--compare baseline`). @default none
   */
  compare?: "baseline";
  /** Rarely changed timings and limits. */
  tuning?: ValidateTuning;
}

export interface ValidateTuning {
  /** Pause between DescribeServices polls while waiting for a rollout. @default 10 */
  rolloutPollSeconds?: number;
  /** Smoke attempts per endpoint. @default 3 */
  smokeAttempts?: number;
  /** Pause between smoke attempts. @default 10 */
  smokeAttemptIntervalSeconds?: number;
  /** A smoke answer slower than this warns. @default manifest.thresholds.p99LatencyMs */
  smokeSlowMs?: number;
  /** Pause between watchdog polls. @default 5 */
  watchIntervalSeconds?: number;
  /** Timeout of one smoke or watchdog request. @default 10000 */
  httpTimeoutMs?: number;
  /** AWS calls of one kind in flight at once (log queries, describe batches). @default 10 */
  concurrency?: number;
}

/** What validate() talks to; injected so tests use mocks, moto, a fake runtime and a fake clock. */
export interface ValidateDeps {
  /** The runtime the manifest names (validators/providers/open.ts). @default the ECS runtime over `clients` */
  runtime?: Runtime;
  /** The ECS shorthand: the AWS clients an ECS runtime (and the ECS canary comparison) is opened with when `runtime` is not given. */
  clients?: AwsClients;
  /** @default the ECS comparison (validators/canary) when opened from `clients`, else none (the canary check is skipped) */
  baseline?: BaselineFn;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default () => new Date() */
  now?: () => Date;
  /** @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
}
