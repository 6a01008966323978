import type { CheckResult, CheckStatus } from "../../contract/report";
import { type ProbeDeps, type ProbeResult, healthBodyProblem, joinUrl, probe } from "./http";
import { displayLine } from "../core/redact";
import { checkResult, plural, round } from "./result";
import type { ReplicasObservation } from "../providers/runtime";
import { replicaChanges } from "./replicaChanges";

export interface SmokeTarget {
  /** Base URL of the service through its load balancer. */
  url: string;
  healthPath: string;
  smokePaths: readonly string[];
}

export interface SmokeOptions {
  /** Attempts per endpoint before it counts as failed. @default 3 */
  attempts?: number;
  /** Pause between attempts. @default 10000 */
  attemptIntervalMs?: number;
  /** Per-request timeout. @default 10000 */
  requestTimeoutMs?: number;
  /** A response slower than this is retried, and fails when every attempt is slower. */
  slowMs: number;
  /** Watchdog duration after the smoke requests; 0 skips it. */
  watchSeconds: number;
  /** Pause between watchdog polls. @default 5000 */
  watchIntervalMs?: number;
  /** The watchdog's baseline is at least this, so a 2 ms first answer does not make 5 ms a failure. @default 100 */
  watchMinBaselineMs?: number;
  onProgress?: (message: string) => void;
  /** Stops between requests when the run is abandoned (another part of it failed). */
  signal?: AbortSignal;
}

export interface SmokeDeps extends ProbeDeps {
  sleep: (ms: number) => Promise<void>;
  /** The service's replicas as the runtime sees them now: read when the watch begins and when it ends (a restart in between fails). */
  replicas?: () => Promise<ReplicasObservation | undefined>;
}

interface EndpointOutcome {
  path: string;
  ok: boolean;
  attempts: number;
  last: ProbeResult;
  problem?: string;
  /** Attempts that answered well but slower than slowMs (then retried). */
  slowAttempts: number;
}

/**
 * The smoke check: GET url + healthPath expecting 200 (and "status":"UP" when the body is JSON
 * with a status), then each smoke path expecting 2xx within `slowMs`, each with retries: an endpoint
 * that answers badly or slowly on every attempt fails, one that needed a retry warns.
 * Then the watchdog polls the health endpoint for `watchSeconds`: any 5xx, unanswered poll, or
 * answer slower than twice the first measurement fails.
 */
export async function runSmoke(target: SmokeTarget, options: SmokeOptions, deps: SmokeDeps): Promise<CheckResult> {
  const attempts = options.attempts ?? 3;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const threshold = { healthStatus: 200, slowMs: options.slowMs, attempts, watchSeconds: options.watchSeconds };
  const endpoints: EndpointOutcome[] = [];
  for (const [index, path] of [target.healthPath, ...target.smokePaths].entries()) {
    const isHealth = index === 0;
    const outcome = await tryEndpoint(target.url, path, isHealth, attempts, options, deps, timeoutMs);
    endpoints.push(outcome);
    if (!outcome.ok) break;
  }
  const observed: Record<string, unknown> = {
    endpoints: endpoints.map((e) => ({
      path: e.path,
      status: e.last.status ?? null,
      ms: round(e.last.ms, 1),
      attempts: e.attempts,
      ok: e.ok,
    })),
  };
  const failed = endpoints.find((e) => !e.ok);
  if (failed) {
    return checkResult(
      "smoke",
      "fail",
      `GET ${failed.path} failed after ${plural(failed.attempts, "attempt")}: ${failed.problem}.`,
      observed,
      threshold,
    );
  }
  const slow = endpoints.filter((e) => e.slowAttempts > 0);
  const baseline = endpoints[0].last.ms;
  const status: CheckStatus = slow.length > 0 ? "warn" : "pass";
  const notes = [`${endpoints.length} endpoint(s) answered (health in ${round(baseline, 1)} ms)`];
  if (slow.length > 0) {
    notes.push(
      `slower than ${options.slowMs} ms before a retry answered in time: ${slow.map((e) => `${e.path} (${plural(e.slowAttempts, "slow attempt")})`).join(", ")}`,
    );
  }

  if (options.watchSeconds > 0) {
    const watch = await watchdog(joinUrl(target.url, target.healthPath), baseline, options, deps, timeoutMs);
    observed.watch = watch.observed;
    if (watch.problem) {
      return checkResult("smoke", "fail", `${notes.join("; ")}; watchdog: ${watch.problem}.`, observed, {
        ...threshold,
        watchLimitMs: watch.limitMs,
      });
    }
    notes.push(`watchdog: ${watch.polls} polls over ${options.watchSeconds} s, all healthy (max ${round(watch.maxMs, 1)} ms)`);
    return checkResult("smoke", status, `${notes.join("; ")}.`, observed, { ...threshold, watchLimitMs: watch.limitMs });
  }
  return checkResult("smoke", status, `${notes.join("; ")}.`, observed, threshold);
}

async function tryEndpoint(
  base: string,
  path: string,
  isHealth: boolean,
  attempts: number,
  options: SmokeOptions,
  deps: SmokeDeps,
  timeoutMs: number,
): Promise<EndpointOutcome> {
  let last: ProbeResult | undefined;
  let problem = "";
  let slowAttempts = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (options.signal?.aborted)
      return { path, ok: false, attempts: attempt - 1, last: last ?? { url: base, ms: 0 }, problem: "cancelled", slowAttempts };
    if (attempt > 1) {
      options.onProgress?.(`smoke ${path}: ${problem}; retrying (${attempt}/${attempts})`);
      await deps.sleep(options.attemptIntervalMs ?? 10_000);
    }
    last = await probe(joinUrl(base, path), timeoutMs, deps);
    const bad = responseProblem(last, isHealth);
    const slow = bad ? undefined : slowProblem(last, options.slowMs);
    if (!bad && !slow) return { path, ok: true, attempts: attempt, last, slowAttempts };
    if (slow) slowAttempts += 1;
    problem = bad ?? (slow as string);
  }
  return { path, ok: false, attempts, last: last as ProbeResult, problem, slowAttempts };
}

/** An answer slower than the threshold is retried like an error, and fails when every attempt was slow. */
function slowProblem(result: ProbeResult, slowMs: number): string | undefined {
  return result.ms > slowMs ? `answered in ${round(result.ms, 1)} ms, slower than ${slowMs} ms` : undefined;
}

function responseProblem(result: ProbeResult, isHealth: boolean): string | undefined {
  if (result.status === undefined) return `no answer (${displayLine(result.error ?? "unknown error", 160)})`;
  if (isHealth && result.status !== 200) return `HTTP ${result.status}, expected 200`;
  if (!isHealth && (result.status < 200 || result.status > 299)) return `HTTP ${result.status}, expected 2xx`;
  return isHealth ? healthBodyProblem(result.body) : undefined;
}

async function watchdog(url: string, baselineMs: number, options: SmokeOptions, deps: SmokeDeps, timeoutMs: number) {
  const intervalMs = options.watchIntervalMs ?? 5_000;
  const limitMs = 2 * Math.max(baselineMs, options.watchMinBaselineMs ?? 100);
  const polls = Math.max(1, Math.round((options.watchSeconds * 1000) / intervalMs));
  let maxMs = 0;
  const statuses: (number | null)[] = [];
  const now = deps.now;
  const watchStart = now();
  const before = await deps.replicas?.();
  const result = (problem?: string) => ({
    problem,
    polls: statuses.length,
    maxMs,
    limitMs: round(limitMs, 1),
    observed: { polls: statuses.length, statuses, maxMs: round(maxMs, 1), baselineMs: round(baselineMs, 1), limitMs: round(limitMs, 1) },
  });
  for (let poll = 1; poll <= polls; poll++) {
    if (options.signal?.aborted) return result("cancelled");
    await deps.sleep(intervalMs);
    const answer = await probe(url, timeoutMs, deps);
    statuses.push(answer.status ?? null);
    maxMs = Math.max(maxMs, answer.ms);
    const at = `poll ${poll}/${polls} (+${(poll * intervalMs) / 1000} s)`;
    options.onProgress?.(`watchdog ${at}: ${answer.status ?? answer.error} in ${round(answer.ms, 1)} ms`);
    if (answer.status === undefined) return result(`${at} got no answer (${displayLine(answer.error ?? "unknown error", 160)})`);
    if (answer.status >= 500) return result(`${at} answered HTTP ${answer.status}`);
    if (answer.status < 200 || answer.status > 299) return result(`${at} answered HTTP ${answer.status}, expected 200`);
    if (answer.ms > limitMs) {
      return result(`${at} took ${round(answer.ms, 1)} ms, over twice the first measurement (limit ${round(limitMs, 1)} ms)`);
    }
  }
  if (before?.found) {
    const after = await deps.replicas?.();
    if (after?.found) {
      const changes = replicaChanges(before, after, { start: watchStart, end: now() });
      if (changes.length > 0) return result(changes.join("; "));
    }
  }
  return result();
}
