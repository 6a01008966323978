import type { WatchRequest, WatchResult } from "../../canary/watch";
import type { RunRecorder } from "../../records/recorder";
import type { ServiceReport } from "../../../contract/report";

/** Watches a progressive service's ECS deployment step by step (validators/canary/watch.ts, deps bound). */
export type ProgressiveWatchFn = (request: WatchRequest) => Promise<WatchResult>;

/**
 * Runs the watch for a service whose manifest entry has `deployment`, and records what it saw:
 * each step's canary report among the validations, each step and the traffic rollback among the
 * actions. The caller rolls the release back when the outcome is failed or abandoned.
 */
export async function watchRelease(watch: ProgressiveWatchFn, recorder: RunRecorder, request: WatchRequest): Promise<WatchResult> {
  const watched = await watch(request);
  for (const report of watched.reports) recorder.validation(report);
  recorder.addActions(watched.actions);
  return watched;
}

/** The service report an alert about a stopped progressive release is built from: the last step's canary check. */
export function stepServiceReport(watched: WatchResult, service: string): Pick<ServiceReport, "name" | "verdict" | "checks"> {
  const last = watched.reports.at(-1)?.services.find((s) => s.name === service);
  const verdict = watched.outcome === "abandoned" ? "inconclusive" : "fail";
  return { name: service, verdict, checks: last?.checks ?? [] };
}
