import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand, StandardUnit } from "@aws-sdk/client-cloudwatch";
import { DELIVERY_NAMESPACE } from "../../../contract/deliveryMetrics";
import { chunk } from "../../core/pool";
import type { DeliveryDatum, MetricsPublisher } from "../metrics";
import { awsCall } from "./call";

/** PutMetricData takes at most 1000 metric data per request (CloudWatch API reference, PutMetricData). */
export const PUT_METRIC_DATA_BATCH = 1000;

/**
 * Publishes delivery metrics with PutMetricData in the `Delivery` namespace, dimensions Stack then
 * Service, 1000 data per request at most. The client is the injected one (its request timeout and
 * retries are deployctl's, providers/aws/clients.ts); a failure is an OperationalError naming the call.
 */
export class CloudWatchMetricsPublisher implements MetricsPublisher {
  readonly destination = `CloudWatch namespace ${DELIVERY_NAMESPACE}`;

  constructor(private readonly cloudwatch: CloudWatchClient) {}

  async publish(data: readonly DeliveryDatum[]): Promise<void> {
    for (const batch of chunk(data.map(toMetricDatum), PUT_METRIC_DATA_BATCH)) {
      await awsCall("CloudWatch PutMetricData", () =>
        this.cloudwatch.send(new PutMetricDataCommand({ Namespace: DELIVERY_NAMESPACE, MetricData: batch })),
      );
    }
  }
}

/** The SDK's datum: a count (or, for RunningRevision, a plain number) at the run's end. */
export function toMetricDatum(d: DeliveryDatum): MetricDatum {
  return {
    MetricName: d.metric,
    Dimensions: [
      { Name: "Stack", Value: d.stack },
      { Name: "Service", Value: d.service },
    ],
    Timestamp: d.at,
    Value: d.value,
    Unit: d.metric === "RunningRevision" ? StandardUnit.None : StandardUnit.Count,
  };
}
