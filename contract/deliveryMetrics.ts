/**
 * The custom CloudWatch metrics deployctl publishes at the end of every run on an ECS stack, and
 * the dashboard (infra/components/lib/dashboard.ts) plots: one namespace, two dimensions, five
 * metrics. Shared here because the program and deployctl must spell them the same way.
 */

/** The CloudWatch namespace; the pipeline's roles may put metric data in this one only (cloudwatch:namespace). */
export const DELIVERY_NAMESPACE = "Delivery";

/** Every datum carries both dimensions, in this order: the stack, then the service. */
export const DELIVERY_DIMENSIONS = ["Stack", "Service"] as const;

/**
 * - `Deployments`: 1 when `deploy` updated the service to the new tag in this run, else 0.
 * - `Rollbacks`: 1 when the run rolled the service back (validate --rollback, deploy's rollback,
 *   `rollback`), whether that rollback then succeeded or not (the run's outcome says), else 0.
 * - `ValidationsFailed` / `ValidationsPassed`: how many of the run's validations judged the service
 *   fail / pass (a retry or the validation after a rollback counts too). An inconclusive verdict
 *   counts in neither: it is never a pass, and not a failure the service was proven to have.
 * - `RunningRevision`: the revision number N of the task definition (`...:task-definition/family:N`)
 *   the run leaves the service on; absent when the run does not know it.
 */
export const DELIVERY_METRICS = ["Deployments", "Rollbacks", "ValidationsFailed", "ValidationsPassed", "RunningRevision"] as const;
export type DeliveryMetricName = (typeof DELIVERY_METRICS)[number];
