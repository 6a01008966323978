import type { AlertDispatcher } from "../alerts/dispatcher";
import type { Runtime } from "../providers/runtime";
import type { DeploymentManifest, EcsManifest } from "../../contract/manifest";
import type { PulumiStacks } from "../providers/pulumi/stacks";
import type { ReleaseRegistry } from "../release/lastGood";
import type { ActionRecord, ValidationReport } from "../../contract/report";
import type { Progress } from "../core/progress";
import type { MetricsPublisher } from "../providers/metrics";

/**
 * What the release orchestration asks of the validator: the shape of issue 4's
 * `validate(options, deps)` with its deps already bound (clients, fetch, clock).
 */
export interface ValidateRequest<M extends DeploymentManifest = EcsManifest> {
  manifest: M;
  services: string[];
  /** How long to wait for an in-progress rollout before judging. */
  waitSeconds?: number;
  /** Start of the deployment (metrics before it are not judged). */
  since?: Date;
  onProgress?: (message: string) => void;
}
export type ValidateFn<M extends DeploymentManifest = EcsManifest> = (request: ValidateRequest<M>) => Promise<ValidationReport>;

/** Re-reads the stack (deploy: an ECS stack; validate and rollback: any runtime they judge)'s `deployment` manifest (after a stack update the task definitions change). */
export type LoadManifestFn<M extends DeploymentManifest = EcsManifest> = () => Promise<M>;

/**
 * Before a rollback deploys validated releases again: let the lifecycle hook of progressive
 * services pass them (validators/canary/verdictStore.ts openRestoreGate). One action per service.
 */
export type RestoreGateFn = (targets: { service: string; imageTag: string }[], reason: string) => Promise<ActionRecord[]>;

/** Everything deploy, rollback and afterValidation share; injected so tests use doubles. */
export interface ReleaseDeps<M extends DeploymentManifest = EcsManifest> {
  /** The manifest's runtime: the rollback's fast path, and the restart before it (`--retries`) (validators/providers/open.ts). */
  runtime: (manifest: M) => Pick<Runtime, "fastRollback" | "restart">;
  stacks: PulumiStacks;
  registry: ReleaseRegistry;
  alerts: Pick<AlertDispatcher, "notify" | "recovered">;
  validate: ValidateFn<M>;
  loadManifest: LoadManifestFn<M>;
  progress: Progress;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** The command's --deadline (cli/deadline.ts): the workflow's body is raced against it. @default none */
  signal?: AbortSignal;
  /** Progressive services' hook gate for a rollback. @default none (rolling services need none) */
  restoreGate?: RestoreGateFn;
  /** Where each run's delivery metrics go, best-effort (ECS: CloudWatch). @default none: nothing published (Docker, Kubernetes) */
  metrics?: MetricsPublisher;
}
