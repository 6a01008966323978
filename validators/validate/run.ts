import type { Service, Task } from "@aws-sdk/client-ecs";
import { compareBaselines } from "../canary/compare";
import { type ErrorCounts, judgeErrorRate } from "../checks/errorRate";
import { type LatencyStats, judgeLatency } from "../checks/latency";
import { runLogs } from "../checks/logs";
import { skippedCheck } from "../checks/result";
import { judgeRollout } from "../checks/rollout";
import { runSmoke } from "../checks/smoke";
import { judgeTasks } from "../checks/tasks";
import type { EcsManifestService } from "../../contract/manifest";
import { CHECK_NAMES, type CheckResult, type ServiceReport, type ValidationReport, runReport, serviceReport } from "../../contract/report";
import { clusterTasks, describeServices, tasksByGroup } from "../providers/aws/ecs";
import { type MetricWindow, type Outcome, fetchErrorCounts, fetchLatency } from "../providers/aws/metrics";
import { mapLimit } from "../core/pool";
import { waitForRollouts } from "../providers/aws/rolloutWait";
import { type Settings, resolveSettings } from "./settings";
import type { ValidateDeps, ValidateOptions } from "./types";

/** setTimeout as a promise that ends early (and clears its timer) when the run is abandoned. */
function abortableSleep(signal: AbortSignal): (ms: number) => Promise<void> {
  return (ms) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
}

/**
 * Is this release healthy? Describes the services (10 per call), waits for in-progress rollouts
 * if allowed, then gathers everything at once: the cluster's tasks (listed once, described 100
 * per call), one GetMetricData request for every service's counts and one for percentiles, one
 * log query per service, and the smoke requests; then judges each check of each service. With
 * `compare: "baseline"`, the canary check compares each progressive service's new revision with
 * its baseline (validators/canary).
 * Throws OperationalError (naming the AWS operation) when AWS cannot be asked; never a verdict.
 */
export async function validate(options: ValidateOptions, deps: ValidateDeps): Promise<ValidationReport> {
  const settings = resolveSettings(options);
  const now = deps.now ?? (() => new Date());
  const abort = new AbortController();
  const sleep = deps.sleep ?? abortableSleep(abort.signal);
  const progress = options.onProgress ?? (() => undefined);
  const { manifest, skip } = settings;
  const { ecs } = deps.clients;
  const startedAt = now();
  progress(
    `Validating ${settings.services.map((s) => s.name).join(", ") || "no services"} of stack ${manifest.stack} (cluster ${manifest.cluster})`,
  );

  const initial = await describeServices(
    ecs,
    manifest.cluster,
    settings.services.map((s) => s.ecsService),
    settings.concurrency,
  );
  const { described, waitedSeconds } = await waitForRollouts({
    ecs,
    cluster: manifest.cluster,
    described: initial,
    waitSeconds: settings.waitSeconds,
    pollSeconds: settings.rolloutPollSeconds,
    sleep,
    onProgress: progress,
    concurrency: settings.concurrency,
  });

  const judgedAt = now();
  const since = new Map(settings.services.map((s) => [s.name, sinceFor(described.found.get(s.ecsService), settings, judgedAt)]));
  const windows: MetricWindow[] = settings.services.map((s) => ({
    service: s.name,
    targetGroup: s.targetGroup,
    alternateTargetGroup: s.deployment?.alternateTargetGroup,
    loadBalancer: s.loadBalancer,
    start: new Date(Math.max((since.get(s.name) as Date).getTime(), judgedAt.getTime() - settings.windowSeconds * 1000)),
  }));
  progress("Reading tasks, ALB metrics and logs" + (settings.smoke && !skip.has("smoke") ? "; running smoke requests" : ""));

  const gathered = Promise.all([
    skip.has("tasks") || settings.services.length === 0
      ? undefined
      : clusterTasks(ecs, manifest.cluster, settings.concurrency).then(tasksByGroup),
    skip.has("errorRate") || windows.length === 0 ? undefined : fetchErrorCounts(deps.clients.cloudwatch, windows, judgedAt),
    skip.has("latency") || windows.length === 0 ? undefined : fetchLatency(deps.clients.cloudwatch, windows, judgedAt),
    mapLimit(settings.services, settings.concurrency, (s) => logsCheck(s, since.get(s.name) as Date, judgedAt, settings, deps)),
    settings.compare === "baseline"
      ? compareBaselines(
          {
            manifest,
            services: settings.services,
            windowSeconds: settings.windowSeconds,
            end: judgedAt,
            confidence: settings.confidence,
            concurrency: settings.concurrency,
          },
          deps.clients,
        )
      : undefined,
  ]);
  const smokes = Promise.all(settings.services.map((s) => smokeCheck(s, settings, deps, sleep, now, progress, abort.signal)));
  let data: Awaited<typeof gathered>;
  try {
    data = await gathered;
  } catch (err) {
    abort.abort();
    await smokes.catch(() => undefined);
    throw err;
  }
  const [groups, counts, latency, logs, canaries] = data;
  const smokeResults = await smokes;

  const services: ServiceReport[] = settings.services.map((s, i) => {
    const service = described.found.get(s.ecsService);
    const byName: Record<(typeof CHECK_NAMES)[number], () => CheckResult> = {
      rollout: () =>
        judgeRollout({
          cluster: manifest.cluster,
          ecsService: s.ecsService,
          service,
          expectedTaskDefinition: s.taskDefinitionArn,
          waitedSeconds,
          waitSeconds: settings.waitSeconds,
        }),
      tasks: () => tasksFor(s, service, groups, since.get(s.name) as Date),
      errorRate: () =>
        judgeErrorRate({
          ...outcomeInput<ErrorCounts>(counts?.get(s.name), "counts"),
          thresholds: manifest.thresholds,
          countLoadBalancer5xx: aloneBehindLoadBalancer(manifest.services, s),
          confidence: settings.confidence,
        }),
      latency: () => judgeLatency({ ...outcomeInput<LatencyStats>(latency?.get(s.name), "stats"), thresholds: manifest.thresholds }),
      smoke: () => smokeResults[i],
      logs: () => logs[i],
    };
    const checks: CheckResult[] = CHECK_NAMES.map((name) =>
      skip.has(name) ? skippedCheck(name, `Skipped on request (--skip ${name}).`) : byName[name](),
    );
    const canary = canaries?.get(s.name);
    if (canary) checks.push(canary);
    return serviceReport(s.name, checks);
  });
  return runReport(manifest.stack, services, startedAt, now());
}

/** Is `service` the only service of the stack behind its load balancer (so the balancer's own 5xx are its)? */
export function aloneBehindLoadBalancer(services: readonly EcsManifestService[], service: EcsManifestService): boolean {
  return services.every((other) => other.name === service.name || other.loadBalancer !== service.loadBalancer);
}

/** `--since`, else the newest deployment's createdAt, else the start of the window. */
function sinceFor(service: Service | undefined, settings: Settings, judgedAt: Date): Date {
  if (settings.since) return settings.since;
  const created = (service?.deployments ?? []).map((d) => d.createdAt?.getTime()).filter((t): t is number => t !== undefined);
  if (created.length > 0) return new Date(Math.max(...created));
  return new Date(judgedAt.getTime() - settings.windowSeconds * 1000);
}

function tasksFor(s: EcsManifestService, service: Service | undefined, groups: Map<string, Task[]> | undefined, since: Date): CheckResult {
  const tasks = groups?.get(`service:${s.ecsService}`) ?? [];
  return judgeTasks({ ecsService: s.ecsService, service, tasks, since, expectedTaskDefinition: s.taskDefinitionArn });
}

function outcomeInput<T>(outcome: Outcome<T> | undefined, key: "counts" | "stats") {
  if (!outcome) return { unavailableReason: "no metrics were returned for this service" };
  return outcome.ok ? { [key]: outcome.value } : { unavailableReason: outcome.reason };
}

async function logsCheck(s: EcsManifestService, since: Date, until: Date, settings: Settings, deps: ValidateDeps): Promise<CheckResult> {
  if (settings.skip.has("logs")) return skippedCheck("logs", "Skipped on request (--skip logs).");
  return runLogs({ logGroup: s.logGroup, since, until, patterns: settings.logPatterns }, deps.clients.logs);
}

async function smokeCheck(
  s: EcsManifestService,
  settings: Settings,
  deps: ValidateDeps,
  sleep: (ms: number) => Promise<void>,
  now: () => Date,
  progress: (message: string) => void,
  signal: AbortSignal,
): Promise<CheckResult> {
  if (settings.skip.has("smoke")) return skippedCheck("smoke", "Skipped on request (--skip smoke).");
  if (!settings.smoke) return skippedCheck("smoke", "Skipped: smoke requests turned off (--no-smoke).");
  if (!s.url) return skippedCheck("smoke", `Skipped: service ${s.name} has no url.`);
  return runSmoke(
    { url: s.url, healthPath: s.healthPath, smokePaths: s.smokePaths },
    {
      attempts: settings.smokeAttempts,
      attemptIntervalMs: settings.smokeAttemptIntervalSeconds * 1000,
      requestTimeoutMs: settings.httpTimeoutMs,
      slowMs: settings.smokeSlowMs,
      watchSeconds: settings.watchSeconds,
      watchIntervalMs: settings.watchIntervalSeconds * 1000,
      onProgress: (message) => progress(`${s.name}: ${message}`),
      signal,
    },
    { fetch: deps.fetch ?? globalThis.fetch, sleep, now },
  );
}
