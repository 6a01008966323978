import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ECSClient } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { type AwsClients, createAwsClients } from "../../validators/providers/aws/clients";
import { compareBaselines } from "../../validators/canary/compare";
import { MOTO_CREDENTIALS, useMoto } from "../support/moto";
import type { MockedAws } from "../validator/support/mocks";
import { REGION, testManifest } from "../validator/support/manifest";
import { arrangeDeployment, arrangeTasks, canaryService, inProgress } from "./support";

/**
 * The same canary scenarios with the metrics in moto (PutMetricData, then the analysis' real
 * GetMetricData requests). moto answers counts but fails percentile requests with HTTP 500, so
 * p99 is unknown here: a healthy canary is inconclusive (never pass for lack of data), a worse
 * one still fails on its 5xx, and a low-traffic one is inconclusive. ECS's deployment APIs are
 * not in moto: they are mocked.
 */
let clients: AwsClients;
const api = canaryService("api");
const NEW_TG = "targetgroup/api-tg-alt/fedcba9876543210";
const OLD_TG = "targetgroup/api-tg/0123456789abcdef";

const moto = useMoto();
beforeEach(async () => {
  clients = {
    ...createAwsClients({ region: REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1, requestTimeoutMs: 5000 }),
    ecs: new ECSClient({ region: REGION, credentials: MOTO_CREDENTIALS }),
  };
  const aws = { ecs: mockClient(clients.ecs) } as unknown as MockedAws;
  arrangeDeployment(
    aws,
    api,
    inProgress(api, 5, { startedAt: new Date(Date.now() - 15 * 60_000), createdAt: new Date(Date.now() - 15 * 60_000) }),
  );
  arrangeTasks(aws);
});

async function put(targetGroup: string, requests: number, errors5xx: number): Promise<void> {
  const dims = [
    { Name: "LoadBalancer", Value: api.loadBalancer },
    { Name: "TargetGroup", Value: targetGroup },
  ];
  const at = new Date(Date.now() - 2 * 60_000);
  await clients.cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: "AWS/ApplicationELB",
      MetricData: [
        { MetricName: "RequestCount", Value: requests, Dimensions: dims, Timestamp: at, Unit: "Count" },
        { MetricName: "HTTPCode_Target_5XX_Count", Value: errors5xx, Dimensions: dims, Timestamp: at, Unit: "Count" },
        { MetricName: "TargetResponseTime", Value: 0.2, Dimensions: dims, Timestamp: at, Unit: "Seconds" },
      ],
    }),
  );
}

const analyse = async () =>
  (
    await compareBaselines(
      { manifest: testManifest([api]), services: [api], windowSeconds: 600, end: new Date(), confidence: 0.99 },
      clients,
    )
  ).get("api");

describe("canary analysis with moto metrics", () => {
  it("keeps a healthy canary inconclusive: its 5xx pass, but moto cannot tell its p99", async () => {
    await put(NEW_TG, 1_000, 1);
    await put(OLD_TG, 19_000, 19);
    const result = await analyse();
    expect([result?.status, result?.observed.criteria]).toEqual([
      "inconclusive",
      { errorRate: "pass", latency: "inconclusive", crashes: "pass" },
    ]);
    expect(result?.observed).toMatchObject({
      canary: { requests: 1_000, errors5xx: 1, p99Ms: null },
      baseline: { requests: 19_000, errors5xx: 19 },
    });
  });

  it("fails a worse canary on its 5xx, whatever its p99", async () => {
    await put(NEW_TG, 1_000, 45);
    await put(OLD_TG, 19_000, 19);
    const result = await analyse();
    expect([result?.status, result?.observed.criteria]).toEqual(["fail", { errorRate: "fail", latency: "inconclusive", crashes: "pass" }]);
    expect(result?.message.split("\n")[0]).toBe(
      "new revision (targetgroup/api-tg-alt/fedcba9876543210, 5% of traffic): 45 5xx of 1000 requests (4.5%), p99 unknown, 0 crashes",
    );
  });

  it("keeps a low-traffic canary inconclusive", async () => {
    await put(NEW_TG, 15, 0);
    await put(OLD_TG, 300, 0);
    const result = await analyse();
    expect([result?.status, result?.observed.criteria]).toEqual([
      "inconclusive",
      { errorRate: "inconclusive", latency: "inconclusive", crashes: "pass" },
    ]);
  });
});
