import { ecsBaselineComparison } from "../canary/compare";
import { type ErrorCounts, judgeErrorRate } from "../checks/errorRate";
import { type LatencyStats, judgeLatency } from "../checks/latency";
import { judgeLogs, logTerms } from "../checks/logs";
import { skippedCheck } from "../checks/result";
import { judgeRollout } from "../checks/rollout";
import { runSmoke } from "../checks/smoke";
import { judgeTasks } from "../checks/tasks";
import type { DeploymentManifest } from "../../contract/manifest";
import { CHECK_NAMES, type CheckResult, type ServiceReport, type ValidationReport, runReport, serviceReport } from "../../contract/report";
import { mapLimit } from "../core/pool";
import { openRuntime } from "../providers/open";
import type { Outcome, RolloutObservation, Runtime } from "../providers/runtime";
import { type Settings, logPatternsFor, resolveSettings } from "./settings";
import type { ValidateDeps, ValidateOptions } from "./types";

type ManifestService = DeploymentManifest["services"][number];

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
 * Is this release healthy? Asks the runtime for the rollouts (waiting for in-progress ones if
 * allowed), then gathers everything at once: the replicas, the traffic counts and latency
 * percentiles of every service over its window, each service's log lines, and the smoke
 * requests; then judges each check of each service. The runtime is the manifest's (ECS: one
 * DescribeServices per 10 services, the cluster's tasks listed once, one GetMetricData request for
 * the counts and one for the percentiles, one log query per service). With `compare: "baseline"`,
 * the canary check compares each progressive service's new revision with its baseline.
 * Throws OperationalError (naming the operation) when the runtime cannot be asked; never a verdict.
 */
export async function validate(options: ValidateOptions, deps: ValidateDeps): Promise<ValidationReport> {
  const settings = resolveSettings(options);
  const now = deps.now ?? (() => new Date());
  const abort = new AbortController();
  const sleep = deps.sleep ?? abortableSleep(abort.signal);
  const progress = options.onProgress ?? (() => undefined);
  const { manifest, skip } = settings;
  const runtime = deps.runtime ?? openRuntime(manifest, requireClients(deps), { concurrency: settings.concurrency });
  // Given AWS clients and no runtime (the ECS shorthand), the canary comparison of ECS progressive services comes with them.
  const baseline = deps.baseline ?? (deps.clients && !deps.runtime ? ecsBaselineComparison(deps.clients) : undefined);
  const names = settings.services.map((s) => s.name);
  const startedAt = now();
  progress(`Validating ${names.join(", ") || "no services"} of stack ${manifest.stack} (${runtime.describe})`);

  const { rollouts, waitedSeconds } = await runtime.rollouts(names, {
    waitSeconds: settings.waitSeconds,
    pollSeconds: settings.rolloutPollSeconds,
    sleep,
    onProgress: progress,
  });

  const judgedAt = now();
  const since = new Map(names.map((n) => [n, sinceFor(rollouts.get(n), settings, judgedAt)]));
  const windows = names.map((service) => ({
    service,
    start: new Date(Math.max((since.get(service) as Date).getTime(), judgedAt.getTime() - settings.windowSeconds * 1000)),
  }));
  progress(`Reading ${runtime.sources}` + (settings.smoke && !skip.has("smoke") ? "; running smoke requests" : ""));

  // A runtime that counts the validator's own requests (a tap) is asked once they are done: the end of the watch.
  const smokes = Promise.all(
    settings.services.map((s) => smokeCheck(s, settings, tapped(deps, runtime, s.name), sleep, now, progress, abort.signal, runtime)),
  );
  const watched = runtime.tap ? smokes.then(() => undefined) : Promise.resolve();
  const gathered = Promise.all([
    skip.has("tasks") || names.length === 0 ? undefined : watched.then(() => runtime.replicas(names)),
    skip.has("errorRate") || windows.length === 0 ? undefined : watched.then(() => runtime.traffic(windows, judgedAt)),
    skip.has("latency") || windows.length === 0 ? undefined : watched.then(() => runtime.latency(windows, judgedAt)),
    mapLimit(names, settings.concurrency, (n) => logsCheck(runtime, n, since.get(n) as Date, judgedAt, settings)),
    settings.compare === "baseline" && baseline
      ? baseline({
          manifest,
          services: names,
          windowSeconds: settings.windowSeconds,
          end: judgedAt,
          confidence: settings.confidence,
          concurrency: settings.concurrency,
        })
      : undefined,
  ]);
  let data: Awaited<typeof gathered>;
  try {
    data = await gathered;
  } catch (err) {
    abort.abort();
    await smokes.catch(() => undefined);
    throw err;
  }
  const [replicas, counts, latency, logs, canaries] = data;
  const smokeResults = await smokes;

  const services: ServiceReport[] = names.map((name, i) => {
    const rollout = rollouts.get(name) ?? { words: unknownWords(name, runtime), found: false };
    const byName: Record<(typeof CHECK_NAMES)[number], () => CheckResult> = {
      rollout: () => judgeRollout({ rollout, waitedSeconds, waitSeconds: settings.waitSeconds }),
      tasks: () =>
        judgeTasks({
          replicas: replicas?.get(name) ?? { words: rollout.words, found: false, desired: 0, replicas: [] },
          since: since.get(name) as Date,
        }),
      errorRate: () =>
        judgeErrorRate({
          ...outcomeInput<ErrorCounts>(counts?.get(name), "counts"),
          thresholds: manifest.thresholds,
          confidence: settings.confidence,
        }),
      latency: () => judgeLatency({ ...outcomeInput<LatencyStats>(latency?.get(name), "stats"), thresholds: manifest.thresholds }),
      smoke: () => smokeResults[i],
      logs: () => logs[i],
    };
    const checks: CheckResult[] = CHECK_NAMES.map((check) =>
      skip.has(check) ? skippedCheck(check, `Skipped on request (--skip ${check}).`) : byName[check](),
    );
    const canary = canaries?.get(name);
    if (canary) checks.push(canary);
    else if (settings.compare === "baseline" && !baseline)
      checks.push(skippedCheck("canary", `Skipped: the ${runtime.name} runtime has no baseline comparison.`));
    return serviceReport(name, checks);
  });
  return runReport(manifest.stack, services, startedAt, now());
}

/** The deps of one service's smoke check: with a runtime tap, each answer (or no answer) is also reported to the runtime. */
function tapped(deps: ValidateDeps, runtime: Runtime, service: string): ValidateDeps {
  const tap = runtime.tap;
  if (!tap) return deps;
  const inner = deps.fetch ?? globalThis.fetch;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const started = Date.now();
    try {
      const response = await inner(input, init);
      tap.record(service, { status: response.status, ms: Date.now() - started, at: new Date() });
      return response;
    } catch (err) {
      tap.record(service, { ms: Date.now() - started, at: new Date() });
      throw err;
    }
  };
  return { ...deps, fetch };
}

function requireClients(deps: ValidateDeps): NonNullable<ValidateDeps["clients"]> {
  if (!deps.clients) throw new Error("validate: pass a runtime (or the AWS clients of an ECS stack)");
  return deps.clients;
}

function unknownWords(name: string, runtime: Runtime): RolloutObservation["words"] {
  return { service: `service ${name}`, location: runtime.describe, replica: "replica", revision: "Revision", scaler: "the runtime" };
}

/** `--since`, else when the newest revision started, else the start of the window. */
function sinceFor(rollout: RolloutObservation | undefined, settings: Settings, judgedAt: Date): Date {
  if (settings.since) return settings.since;
  if (rollout?.deployedAt) return rollout.deployedAt;
  return new Date(judgedAt.getTime() - settings.windowSeconds * 1000);
}

function outcomeInput<T>(outcome: Outcome<T> | undefined, key: "counts" | "stats") {
  if (!outcome) return { unavailableReason: "no metrics were returned for this service" };
  return outcome.ok ? { [key]: outcome.value } : { unavailableReason: outcome.reason };
}

async function logsCheck(runtime: Runtime, service: string, since: Date, until: Date, settings: Settings): Promise<CheckResult> {
  if (settings.skip.has("logs")) return skippedCheck("logs", "Skipped on request (--skip logs).");
  const entry = settings.services.find((s) => s.name === service);
  const patterns = entry ? logPatternsFor(settings, entry) : settings.logPatterns;
  const scan = await runtime.logs(service, {
    since,
    until,
    terms: logTerms(patterns),
    tailLines: patterns.tailLines,
    ...(patterns.startupMarker ? { startupMarker: patterns.startupMarker } : {}),
  });
  return judgeLogs({ scan, since, patterns });
}

async function smokeCheck(
  s: ManifestService,
  settings: Settings,
  deps: ValidateDeps,
  sleep: (ms: number) => Promise<void>,
  now: () => Date,
  progress: (message: string) => void,
  signal: AbortSignal,
  runtime: Runtime,
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
    {
      fetch: deps.fetch ?? globalThis.fetch,
      sleep,
      now,
      // The watchdog reads the replicas when it begins and when it ends: a restart in between fails it.
      replicas: async () => (await runtime.replicas([s.name])).get(s.name),
    },
  );
}
