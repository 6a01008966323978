import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type MetricDataQuery,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsClients, createAwsClients } from "../../../validators/providers/aws/clients";
import { CloudWatchMetricsPublisher, PUT_METRIC_DATA_BATCH } from "../../../validators/providers/aws/deliveryMetrics";
import type { DeliveryDatum } from "../../../validators/providers/metrics";
import { OperationalError } from "../../../validators/core/errors";
import { MOTO_CREDENTIALS, useMoto } from "../../support/moto";

// A minute ago, on the minute: inside the window GetMetricData reads below.
const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
const datum = (metric: DeliveryDatum["metric"], service: string, value: number): DeliveryDatum => ({
  metric,
  stack: "staging",
  service,
  value,
  at,
});

describe("the CloudWatch delivery metrics publisher, on moto", () => {
  const moto = useMoto();
  let clients: AwsClients;
  beforeAll(() => {
    clients = createAwsClients({ region: "eu-west-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(() => clients?.cloudwatch.destroy());

  const query = (id: string, metric: string, service: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "Delivery",
        MetricName: metric,
        Dimensions: [
          { Name: "Stack", Value: "staging" },
          { Name: "Service", Value: service },
        ],
      },
      Period: 60,
      Stat: "Sum",
    },
  });

  it("puts each datum in the Delivery namespace with the Stack and Service dimensions and its value", async () => {
    await new CloudWatchMetricsPublisher(clients.cloudwatch).publish([
      datum("Deployments", "api", 1),
      datum("Rollbacks", "api", 0),
      datum("ValidationsFailed", "api", 0),
      datum("ValidationsPassed", "api", 2),
      datum("RunningRevision", "api", 7),
      datum("Deployments", "web", 0),
      datum("Rollbacks", "web", 1),
    ]);

    const out = await clients.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(at.getTime() - 300_000),
        EndTime: new Date(at.getTime() + 300_000),
        MetricDataQueries: [
          query("apiDeployments", "Deployments", "api"),
          query("apiRollbacks", "Rollbacks", "api"),
          query("apiFailed", "ValidationsFailed", "api"),
          query("apiPassed", "ValidationsPassed", "api"),
          query("apiRevision", "RunningRevision", "api"),
          query("webDeployments", "Deployments", "web"),
          query("webRollbacks", "Rollbacks", "web"),
        ],
      }),
    );
    expect(Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id, r.Values]))).toEqual({
      apiDeployments: [1],
      apiRollbacks: [0],
      apiFailed: [0],
      apiPassed: [2],
      apiRevision: [7],
      webDeployments: [0],
      webRollbacks: [1],
    });
    const listed = await clients.cloudwatch.send(new ListMetricsCommand({ Namespace: "Delivery" }));
    expect((listed.Metrics ?? []).map((m) => [m.MetricName, ...(m.Dimensions ?? []).flatMap((d) => [d.Name, d.Value])]).sort()).toEqual([
      ["Deployments", "Stack", "staging", "Service", "api"],
      ["Deployments", "Stack", "staging", "Service", "web"],
      ["Rollbacks", "Stack", "staging", "Service", "api"],
      ["Rollbacks", "Stack", "staging", "Service", "web"],
      ["RunningRevision", "Stack", "staging", "Service", "api"],
      ["ValidationsFailed", "Stack", "staging", "Service", "api"],
      ["ValidationsPassed", "Stack", "staging", "Service", "api"],
    ]);
  });
});

describe("the CloudWatch delivery metrics publisher, with precise answers", () => {
  const cloudwatch = new CloudWatchClient({ region: "eu-west-1", credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
  const cw = mockClient(cloudwatch);

  it("sends at most 1000 data per PutMetricData request", async () => {
    cw.reset();
    cw.on(PutMetricDataCommand).resolves({});
    const data = Array.from({ length: PUT_METRIC_DATA_BATCH + 1 }, (_, i) => datum("Deployments", `svc${i}`, 1));

    await new CloudWatchMetricsPublisher(cloudwatch).publish(data);

    const calls = cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
    expect(PUT_METRIC_DATA_BATCH).toBe(1000);
    expect(calls.map((c) => [c.Namespace, c.MetricData?.length])).toEqual([
      ["Delivery", 1000],
      ["Delivery", 1],
    ]);
    expect(calls[1]?.MetricData).toEqual([
      {
        MetricName: "Deployments",
        Dimensions: [
          { Name: "Stack", Value: "staging" },
          { Name: "Service", Value: "svc1000" },
        ],
        Timestamp: at,
        Value: 1,
        Unit: "Count",
      },
    ]);
  });

  it("throws an operational error naming PutMetricData when CloudWatch throttles beyond the retries", async () => {
    cw.reset();
    cw.on(PutMetricDataCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }));

    const failed = await new CloudWatchMetricsPublisher(cloudwatch).publish([datum("Deployments", "api", 1)]).catch((e: unknown) => e);

    expect(failed).toBeInstanceOf(OperationalError);
    expect((failed as Error).message).toBe("CloudWatch PutMetricData failed (throttled beyond retries): Throttling: Rate exceeded");
  });
});
