import { raceSignal } from "../core/deadline";
import { errorMessage } from "../core/errors";
import type { MetricsPublisher } from "../providers/metrics";
import type { RunFinish, RunRecorder } from "../records/recorder";
import { runMetrics } from "../records/metrics";

/** The kind of the action a failed publication adds to the run record. */
export const METRICS_ACTION = "metrics";

/**
 * Publishes the run's delivery metrics (records/metrics.ts) as the run ends, best-effort: a failure
 * becomes a `metrics` action with status failed and the message, and never changes the verdict,
 * the outcome or the exit code. Nothing is published without a publisher (Docker and Kubernetes
 * stacks) or when the run touched no service; a success adds no action. The command's --deadline
 * bounds it: once passed, nothing is sent (a `skipped` action says so) and a request in flight is
 * abandoned (failed).
 */
export async function publishRunMetrics(
  publisher: MetricsPublisher | undefined,
  recorder: RunRecorder,
  end: RunFinish,
  signal?: AbortSignal,
): Promise<void> {
  if (!publisher) return;
  const data = runMetrics(recorder.finish(end));
  if (data.length === 0) return;
  const action = (status: "failed" | "skipped", why: string) =>
    recorder.action({
      kind: METRICS_ACTION,
      target: publisher.destination,
      status,
      message: `could not publish ${data.length} delivery metric data (the run's outcome is unchanged): ${why}`,
    });
  if (signal?.aborted) {
    action("skipped", "the command's deadline had passed");
    return;
  }
  try {
    await raceSignal(signal, publisher.publish(data));
  } catch (err) {
    action("failed", errorMessage(err));
  }
}
