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
 * stacks) or when the run touched no service; a success adds no action.
 */
export async function publishRunMetrics(publisher: MetricsPublisher | undefined, recorder: RunRecorder, end: RunFinish): Promise<void> {
  if (!publisher) return;
  const data = runMetrics(recorder.finish(end));
  if (data.length === 0) return;
  try {
    await publisher.publish(data);
  } catch (err) {
    recorder.action({
      kind: METRICS_ACTION,
      target: publisher.destination,
      status: "failed",
      message: `could not publish ${data.length} delivery metric data (the run's outcome is unchanged): ${errorMessage(err)}`,
    });
  }
}
