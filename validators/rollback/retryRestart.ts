import type { ActionRecord, FailingCheck, RetryAttempt, ServiceReport, Verdict } from "../../contract/report";
import { overallVerdict } from "../../contract/report";
import type { RestartAction } from "../providers/runtime";

/** The checks whose failure a new deployment of the same revision may cure: the service's own health. */
export const RETRIED_CHECKS: readonly string[] = ["smoke", "tasks"];

/** `--retries` allows 0 to this many forced new deployments before a rollback. */
export const MAX_RETRIES = 5;

/** True when the service fails and its smoke or tasks check is among the failures (a failed health check). */
export function healthCheckFailed(service: Pick<ServiceReport, "verdict" | "checks">): boolean {
  return service.verdict === "fail" && service.checks.some((c) => c.status === "fail" && RETRIED_CHECKS.includes(c.name));
}

/** The failing checks of these services, in order. */
export function failingChecks(services: readonly ServiceReport[]): FailingCheck[] {
  return services.flatMap((s) =>
    s.checks.filter((c) => c.status === "fail").map((c) => ({ service: s.name, check: c.name, message: c.message })),
  );
}

export interface RetryDeps {
  /** Forces a new deployment of the same revision of each service (the runtime's `restart`, bound). */
  restart: (services: string[]) => Promise<RestartAction[]>;
  /**
   * Waits for the services' rollout (the runtime's `rollouts` wait, inside validate) and judges them
   * again, from `since` (the restart); returns their new reports. The validator's own error throws.
   */
  revalidate: (services: string[], since: Date) => Promise<ServiceReport[]>;
  /** Where the restarts and attempts go as they happen (the run record), so a later throw keeps them. */
  record: { addActions(actions: readonly ActionRecord[]): void; attempt(attempt: RetryAttempt): void };
  now: () => Date;
  onRetry?: (message: string) => void;
}

/**
 * `--retries N`: while a service fails a health check (smoke or tasks), force a new deployment of
 * the revision it runs and validate it again, up to `retries` times; a service whose restart fails
 * is not retried again. Each validation of such services is an attempt (attempt 1 is the first,
 * given). Returns the services' reports with the last judgement of each, and the attempts (none
 * when no health check failed or `retries` is 0). Never rolls anything back: the caller does, with
 * what still fails.
 */
export async function retryFailedHealth(
  first: readonly ServiceReport[],
  firstAt: Date,
  retries: number,
  deps: RetryDeps,
): Promise<{ services: ServiceReport[]; attempts: RetryAttempt[] }> {
  let services = [...first];
  const attempts: RetryAttempt[] = [];
  const givenUp = new Set<string>();
  const add = (attempt: RetryAttempt) => {
    attempts.push(attempt);
    deps.record.attempt(attempt);
  };
  for (let n = 1; n <= retries; n += 1) {
    const failing = services.filter((s) => healthCheckFailed(s) && !givenUp.has(s.name));
    if (failing.length === 0) break;
    const names = failing.map((s) => s.name);
    if (attempts.length === 0) add(attemptOf(1, firstAt, "validate", names, services));
    const checks = [...new Set(failingChecks(failing).map((c) => c.check))].join(", ");
    deps.onRetry?.(
      `${names.join(", ")}: ${checks} failed: forcing a new deployment of the same revision, then validating again (retry ${n} of ${retries})`,
    );
    const at = deps.now();
    const actions = await deps.restart(names);
    deps.record.addActions(actions);
    const notRestarted = actions.filter((a) => a.status !== "ok");
    for (const a of notRestarted) givenUp.add(a.target);
    const restarted = names.filter((name) => !givenUp.has(name));
    if (restarted.length > 0) {
      const again = await deps.revalidate(restarted, at);
      services = services.map((s) => again.find((a) => a.name === s.name) ?? s);
    }
    const error = notRestarted.length > 0 ? notRestarted.map((a) => `${a.target}: ${a.message}`).join("; ") : undefined;
    add({ ...attemptOf(n + 1, at, "force-new-deployment", names, services), ...(error ? { error } : {}) });
  }
  return { services, attempts };
}

function attemptOf(
  attempt: number,
  at: Date,
  action: RetryAttempt["action"],
  names: readonly string[],
  services: readonly ServiceReport[],
): RetryAttempt {
  const judged = services.filter((s) => names.includes(s.name));
  const verdict: Verdict = overallVerdict(judged);
  return { attempt, at: at.toISOString(), action, services: [...names], verdict, failingChecks: failingChecks(judged) };
}

/** ` (still failing after 2 new deployments of the same revision)` for a service `--retries` restarted; else empty. */
export function afterRetries(attempts: readonly RetryAttempt[] | undefined, service: string): string {
  const restarts = (attempts ?? []).filter((a) => a.action === "force-new-deployment" && a.services.includes(service) && !a.error).length;
  if (restarts === 0) return "";
  return ` (still failing after ${restarts} new deployment${restarts === 1 ? "" : "s"} of the same revision)`;
}
