import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { AlertDispatcher, DEFAULT_ALERT_POLICY, buildAlertChannels } from "../alerts/index";
import { createAwsClients } from "../providers/aws/clients";
import { lazyAutomationStacks } from "../providers/pulumi/lazyStacks";
import type { AwsClients } from "../providers/aws/clients";
import type { CliIO } from "./io";
import { gate } from "../gate/run";
import { openStackLock } from "../lock/open";
import type { StackLock } from "../lock/types";
import { type EcsManifest, runtimeOf } from "../../contract/manifest";
import { FileStackLock } from "../lock/fileLock";
import { LocalReleaseRegistry } from "../release/localRegistry";
import type { PulumiStacks } from "../providers/pulumi/stacks";
import { newRunId, whoAmI } from "../records/identity";
import { openRecordStore } from "../records/open";
import { redactText, SecretRegistry } from "../core/redact";
import { BadInputError } from "../core/errors";
import type { RecordStore } from "../records/types";
import { type ReleaseRegistry, SsmReleaseRegistry } from "../release/lastGood";
import { ConfigMapReleaseRegistry } from "../release/configMapRegistry";
import { KubernetesLeaseLock } from "../lock/leaseLock";
import { ConfigMapReleaseStore } from "../providers/kubernetes/releases";
import { LeaseStackLock } from "../providers/kubernetes/lease";
import type { KubernetesClients } from "../providers/kubernetes/client";
import { Progress } from "../core/progress";
import type { ReleaseDeps } from "../rollback/types";
import { awsClientOptions, type CommandDeps, type ReleaseFlags } from "./options";

// The option definitions live in ./options (loaded for --help); re-exported for the callers of before.
export { addReleaseOptions, type ReleaseFlags } from "./options";
import { type JudgedManifest, loadAnyManifest } from "../validate/loadManifest";
import { validate } from "../validate/run";
import { openRestoreGate } from "../canary/verdictStore";
import { watchProgressiveRollout } from "../canary/watch";
import type { GateFn } from "../workflows/deploy/gate";
import { ecsBaselineComparison } from "../canary/compare";
import type { DeploymentManifest } from "../../contract/manifest";
import { kubernetesClientsFor, openGateObserver, openRuntime } from "../providers/open";
import type { KubernetesGateOptions } from "../providers/kubernetes/gate";
import type { GateDeps } from "../gate/types";
import type { ValidateDeps, ValidateOptions } from "../validate/types";
import type { ProgressiveWatchFn } from "../workflows/deploy/progressive";
import type { MigrationRunner } from "../providers/migration";
import { EcsMigrationRunner } from "../providers/aws/migrationRunner";
import { ecrImages, type PromotionImages } from "../promote/images";
import { registryImages } from "../promote/registryImages";
import { CloudWatchMetricsPublisher } from "../providers/aws/deliveryMetrics";
import { DryRunRecordStore, dryRunLock, dryRunReleaseDeps, withheldChannel } from "./dryRun";

/** The real outside world of validate and gate: the Pulumi stacks (loaded on first use) and AWS clients. */
export const defaultCommandDeps: CommandDeps = { stacks: lazyAutomationStacks, createClients: createAwsClients };

/** What the release commands need from the outside world; tests replace parts of it. */
export interface ReleaseCommandDeps extends CommandDeps {
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  fetch: typeof fetch;
  /** Asks a yes/no question; undefined when nobody can answer (stdin is not a terminal). */
  confirm: (question: string) => Promise<boolean | undefined>;
  /**
   * How the validations that deploy, rollback and a `--retries` restart run judge. `validate --rollback`
   * passes its own flags' settings, so a retry or the validation after its rollback judges as the first
   * validation did. @default validate's (a 30 s watchdog, every check)
   */
  validateSettings?: ValidateSettings;
}

/** What a validation is judged with, apart from what it validates (manifest, services, since, wait). */
export type ValidateSettings = Pick<
  ValidateOptions,
  "watchSeconds" | "smoke" | "skip" | "confidence" | "windowSeconds" | "logPatterns" | "tuning"
>;

export const defaultReleaseDeps: ReleaseCommandDeps = {
  ...defaultCommandDeps,
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  fetch: (...args) => fetch(...args),
  confirm: askOnTerminal,
};

/** Asks on the terminal (y/N); undefined when stdin is not a terminal. */
async function askOnTerminal(question: string): Promise<boolean | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Everything a release command works with, built once from the flags. */
export interface ReleaseRuntime<M extends DeploymentManifest = EcsManifest> {
  manifest: M;
  clients: AwsClients;
  stacks: PulumiStacks;
  store: RecordStore;
  lock: StackLock;
  secrets: SecretRegistry;
  who: string;
  runId: string;
  /** The orchestration's deps (alerts, validate, progress...). */
  release: ReleaseDeps<M>;
  gate: GateFn;
  /** Watches a progressive service's traffic steps (deploy). */
  progressive: ProgressiveWatchFn;
  /** Runs services' migrations (deploy, rollback --with-migrations): ECS stacks only. */
  migrations?: MigrationRunner;
}

/**
 * Resolves the manifest (--manifest or --stack; any runtime: ECS, Docker, Kubernetes) and the AWS
 * clients, then builds the runtime: what deploy and rollback work with.
 */
export async function judgedReleaseRuntime(
  flags: ReleaseFlags,
  io: CliIO,
  deps: ReleaseCommandDeps,
  command: string,
): Promise<ReleaseRuntime<JudgedManifest>> {
  const stacks = deps.stacks(io.cwd);
  // deploy and rollback update the stack: a missing Pulumi CLI is said first, before anything runs
  // (reading the stack needs it too). Only a Docker rollback from --manifest goes on without it: its
  // fast path recreates the containers, and the stack update is then reported pending (exit 4).
  if (!flags.manifest) await stacks.ready?.("update");
  const manifest = await loadAnyManifest({ stack: flags.stack, manifestFile: flags.manifest, cwd: io.cwd, command }, stacks);
  if (flags.manifest && !(manifest.runtime === "docker" && command === "rollback")) await stacks.ready?.("update");
  const clients = deps.createClients(awsClientOptions(flags, manifest, io.env));
  return buildReleaseRuntime<JudgedManifest>({ manifest, clients, stacks, io, flags, deps });
}

/** What buildReleaseRuntime needs once the manifest and clients are known (validate.ts has them). */
export interface RuntimeInput<M extends DeploymentManifest = EcsManifest> {
  manifest: M;
  clients: AwsClients;
  stacks: PulumiStacks;
  io: CliIO;
  flags: Pick<Partial<ReleaseFlags>, "recordsDir" | "alertWindow" | "escalateAfter" | "output">;
  deps: ReleaseCommandDeps;
  /**
   * `dryRun` (validate --dry-run): every write replaced by one that answers `dry-run` (cli/dryRun.ts);
   * `noAlert` (validate --no-alert): the alert channels send nothing (`skipped`). @default neither
   */
  mode?: { dryRun?: boolean; noAlert?: boolean };
}

/**
 * What validate judges with: the runtime the manifest names (ECS, Docker or Kubernetes) and, on ECS,
 * the canary comparison of progressive services against their baseline. A Kubernetes stack's
 * clients come from `kubernetes` (tests) or the kubeconfig; a Docker stack's engine is `env`'s
 * DOCKER_HOST, else the manifest's docker.host.
 */
export function validateDeps(
  manifest: DeploymentManifest,
  clients: AwsClients,
  kubernetes?: KubernetesClients,
  sleep?: (ms: number) => Promise<void>,
  env?: NodeJS.ProcessEnv,
): Pick<ValidateDeps, "runtime" | "baseline"> {
  const runtime = openRuntime(manifest, clients, {
    ...(kubernetes || sleep ? { kubernetes, kubernetesOptions: { sleep } } : {}),
    ...(env ? { env } : {}),
  });
  return { runtime, ...(runtime.name === "ecs" ? { baseline: ecsBaselineComparison(clients) } : {}) };
}

/** The Kubernetes clients of a Kubernetes stack: the injected ones (tests), else from the kubeconfig. */
function kubernetesOf(manifest: DeploymentManifest, deps: Pick<CommandDeps, "kubernetes">): KubernetesClients | undefined {
  if (manifest.runtime !== "kubernetes") return undefined;
  return deps.kubernetes?.(manifest) ?? kubernetesClientsFor(manifest);
}

/**
 * Where a stack's last good releases and lock live: on Kubernetes, the ConfigMap delivery-releases
 * and a Lease in its namespace; on Docker, the local store (`.delivery/last-good/`) and the lock
 * file (`.delivery/locks/`); else SSM and the DynamoDB table (or the local lock file).
 */
function releaseStores(
  manifest: DeploymentManifest,
  kube: KubernetesClients | undefined,
  input: { clients: AwsClients; cwd: string; now: () => Date },
): { registry: ReleaseRegistry; lock: StackLock } {
  if (manifest.runtime === "kubernetes" && kube) {
    const ns = manifest.kubernetes.namespace;
    return {
      registry: releaseRegistry(manifest, kube, input),
      lock: new KubernetesLeaseLock(new LeaseStackLock(kube, ns, input.now)),
    };
  }
  if (manifest.runtime === "docker") {
    return {
      registry: releaseRegistry(manifest, kube, input),
      lock: new FileStackLock(join(input.cwd, ".delivery", "locks"), input.now),
    };
  }
  return {
    registry: releaseRegistry(manifest, kube, input),
    lock: openStackLock({ manifest: { history: manifest.history }, clients: input.clients, cwd: input.cwd, now: input.now }),
  };
}

/** Where a stack's last good releases live: the ConfigMap delivery-releases (Kubernetes), `.delivery/last-good` (Docker), SSM (ECS). */
function releaseRegistry(
  manifest: DeploymentManifest,
  kube: KubernetesClients | undefined,
  input: { clients?: Pick<AwsClients, "ssm">; cwd: string },
): ReleaseRegistry {
  if (manifest.runtime === "kubernetes" && kube) {
    const ns = manifest.kubernetes.namespace;
    return new ConfigMapReleaseRegistry(new ConfigMapReleaseStore(kube, ns), ns);
  }
  if (manifest.runtime === "docker") return new LocalReleaseRegistry(join(input.cwd, ".delivery", "last-good"));
  if (!input.clients) throw new Error(`stack ${manifest.stack} keeps its releases in SSM and needs the AWS clients`);
  return new SsmReleaseRegistry(input.clients.ssm);
}

/** What promote reads and locks: the source stack's releases and records, the target's lock, where the images are. */
export interface PromotionStores {
  registry: ReleaseRegistry;
  records: RecordStore;
  lock: StackLock;
  images: PromotionImages;
}

/**
 * Promote's stores, chosen by the stacks' runtime as for every other command: the source's last good
 * releases (SSM, or the ConfigMap delivery-releases of its namespace on its cluster) and run records
 * (S3 or `.delivery/records/<from>`), the target's lock (DynamoDB or the lock file, or the Lease in
 * its namespace on its cluster), and the images (ECR per stack, or the config's OCI registry).
 */
export function promotionStores(input: {
  from: DeploymentManifest;
  to: DeploymentManifest;
  source: AwsClients;
  target: AwsClients;
  cwd: string;
  recordsDir?: string;
  deps: Pick<ReleaseCommandDeps, "kubernetes" | "now" | "fetch">;
}): PromotionStores {
  const { from, to, source, target, cwd, deps } = input;
  const records = openRecordStore({ manifest: from, clients: source, cwd, recordsDir: input.recordsDir });
  const registry = releaseRegistry(from, kubernetesOf(from, deps), { clients: source, cwd });
  const { lock } = releaseStores(to, kubernetesOf(to, deps), { clients: target, cwd, now: deps.now });
  const images =
    runtimeOf(to) === "kubernetes" ? registryImages({ fetch: deps.fetch }) : ecrImages({ source: source.ecr, target: target.ecr });
  return { registry, records, lock, images };
}

/**
 * The gate's outside world for the manifest's runtime: what the runtime observes (ECS, Kubernetes,
 * Docker: providers/open.ts) and where its last good releases live (as for every other command).
 */
export function gateDeps(
  manifest: DeploymentManifest,
  input: {
    /** The AWS clients; an ECS stack needs them. */
    clients?: AwsClients;
    cwd: string;
    now?: () => Date;
    kubernetes?: KubernetesClients;
    env?: NodeJS.ProcessEnv;
    kubernetesGate?: KubernetesGateOptions;
  },
): GateDeps {
  const kube = manifest.runtime === "kubernetes" ? kubernetesClientsFor(manifest, input.kubernetes) : undefined;
  return {
    observer: openGateObserver(manifest, input.clients, {
      kubernetes: kube,
      env: input.env,
      kubernetesGate: { now: input.now, ...input.kubernetesGate },
    }),
    registry: releaseRegistry(manifest, kube, input),
    ...(input.now ? { now: input.now } : {}),
  };
}

/**
 * The record store and lock for the stack's tier, the alert channels (secrets registered for
 * redaction), and validate and gate bound to the clients. Progress goes to stdout for text output
 * and to stderr for JSON and markdown (stdout is the document).
 */
export async function buildReleaseRuntime<M extends DeploymentManifest = EcsManifest>(input: RuntimeInput<M>): Promise<ReleaseRuntime<M>> {
  const { manifest, clients, stacks, io, flags, deps } = input;
  const dryRun = input.mode?.dryRun === true;
  const secrets = new SecretRegistry();
  // A Docker stack keeps its run records locally (`.delivery/records/<stack>/`, or --records-dir).
  const recordsOf = manifest.runtime === "docker" ? { stack: manifest.stack } : manifest;
  const realStore = openRecordStore({ manifest: recordsOf, clients, cwd: io.cwd, recordsDir: flags.recordsDir, secrets });
  const store = dryRun ? new DryRunRecordStore(realStore) : realStore;
  const kube = kubernetesOf(manifest, deps);
  const stores = releaseStores(manifest, kube, { clients, cwd: io.cwd, now: deps.now });
  const { registry } = stores;
  const lock = dryRun ? dryRunLock(stores.lock) : stores.lock;
  // A Kubernetes or Docker stack without SNS topics alerts through nothing (its Slack/PagerDuty ride on the topics' config).
  const built = manifest.alerts
    ? await buildAlertChannels({ manifest: { alerts: manifest.alerts }, clients, env: io.env, secrets, fetch: deps.fetch })
    : [];
  // --dry-run and --no-alert: each channel says what it would send, and sends nothing.
  const withheld = dryRun ? "dry-run" : input.mode?.noAlert ? "skipped" : undefined;
  const channels = withheld ? built.map((c) => withheldChannel(c, withheld)) : built;
  const alerts = new AlertDispatcher(
    channels,
    store,
    {
      dedupWindowSeconds: flags.alertWindow ?? DEFAULT_ALERT_POLICY.dedupWindowSeconds,
      escalateAfter: flags.escalateAfter ?? DEFAULT_ALERT_POLICY.escalateAfter,
    },
    deps.now,
    secrets,
  );
  const write = flags.output === undefined || flags.output === "text" ? io.stdout : io.stderr;
  // A dry run's progress says so on every line: its stages only plan.
  const mark = dryRun ? "(dry run) " : "";
  const progress = new Progress((line) => write(`${mark}${redactText(line, secrets.values())}\n`), deps.now);
  const runId = newRunId(deps.now());
  const ecs = runtimeOf(manifest) === "ecs" ? (manifest as EcsManifest) : undefined;
  const release: ReleaseDeps<M> = {
    runtime: (m) =>
      openRuntime(m, clients, { ...(kube ? { kubernetes: kube, kubernetesOptions: { sleep: deps.sleep } } : {}), env: io.env }),
    stacks,
    registry,
    alerts,
    validate: (request) =>
      validate(
        {
          manifest: request.manifest,
          services: request.services,
          waitSeconds: request.waitSeconds,
          since: request.since,
          onProgress: request.onProgress,
          ...deps.validateSettings,
        },
        { ...validateDeps(request.manifest, clients, kube, undefined, io.env), fetch: deps.fetch, now: deps.now, sleep: deps.sleep },
      ),
    // After a stack update the task definitions change: read the stack's output again (never a stale --manifest file).
    loadManifest: () => reloadManifest(manifest, io.cwd, stacks),
    progress,
    now: deps.now,
    sleep: deps.sleep,
    ...(deps.signal ? { signal: deps.signal } : {}),
    // Progressive delivery (the lifecycle hook's gate) exists on ECS only.
    ...(ecs ? { restoreGate: (targets, reason) => openRestoreGate(clients.ssm, ecs, targets, { now: deps.now, runId, reason }) } : {}),
    // Delivery metrics go to CloudWatch on ECS; a Docker or Kubernetes stack has no CloudWatch: nothing is published.
    ...(ecs ? { metrics: new CloudWatchMetricsPublisher(clients.cloudwatch) } : {}),
  } satisfies ReleaseDeps<M>;
  return {
    manifest,
    clients,
    stacks,
    store,
    lock,
    secrets,
    who: whoAmI(io.env),
    runId,
    release: dryRun ? dryRunReleaseDeps(release, manifest) : release,
    gate: (request) =>
      gate(
        { manifest: request.manifest, services: request.services, tag: request.tag, onProgress: (m) => progress.info(`  ${m}`) },
        gateDeps(request.manifest, { clients, cwd: io.cwd, now: deps.now, kubernetes: kube, env: io.env }),
      ),
    progressive: (request) => watchProgressiveRollout(request, { clients, progress, now: deps.now, sleep: deps.sleep }),
    ...(ecs ? { migrations: new EcsMigrationRunner({ ecs: clients.ecs, logs: clients.logs }, { now: deps.now, sleep: deps.sleep }) } : {}),
  };
}

/** The stack's manifest read again after a stack update; it must still name the same runtime. */
async function reloadManifest<M extends DeploymentManifest>(manifest: M, cwd: string, stacks: PulumiStacks): Promise<M> {
  const again: DeploymentManifest = await loadAnyManifest({ stack: manifest.stack, cwd }, stacks);
  if (runtimeOf(again) !== runtimeOf(manifest)) {
    throw new BadInputError(
      `stack ${manifest.stack}: its deployment output now says runtime ${runtimeOf(again)}, not ${runtimeOf(manifest)}; run the command again.`,
    );
  }
  // Same stack, same runtime: the manifest type M (the runtime's variant) holds.
  return again as M;
}
