/**
 * Where a run's delivery metrics go (contract/deliveryMetrics.ts): one small interface, so the
 * workflows never know the backend. ECS stacks publish to CloudWatch
 * (providers/aws/deliveryMetrics.ts); Docker and Kubernetes stacks have none (cli/compose.ts
 * passes no publisher and nothing is published).
 */
import type { DeliveryMetricName } from "../../contract/deliveryMetrics";

/** One value of one metric for one service of one stack, at the run's end. */
export interface DeliveryDatum {
  metric: DeliveryMetricName;
  stack: string;
  service: string;
  value: number;
  at: Date;
}

export interface MetricsPublisher {
  /** Human description for messages, e.g. `CloudWatch namespace Delivery`. */
  readonly destination: string;
  /** Publishes every datum (in as few requests as the backend allows); throws when any request failed. */
  publish(data: readonly DeliveryDatum[]): Promise<void>;
}
