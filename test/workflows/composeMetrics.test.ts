import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DeploymentManifest, DockerManifest, KubernetesManifest } from "../../contract/manifest";
import { buildReleaseRuntime, defaultReleaseDeps } from "../../validators/cli/compose";
import { createAwsClients } from "../../validators/providers/aws/clients";
import { CloudWatchMetricsPublisher } from "../../validators/providers/aws/deliveryMetrics";
import { kubernetesClients } from "../../validators/providers/kubernetes";
import { FakeStacks, manifest, service } from "../release/support";
import { captureIO } from "../support/io";
import { type FakeKubeApi, startFakeKubeApi } from "../support/kubeApi";
import { MOTO_CREDENTIALS } from "../support/moto";

const thresholds = {
  errorRateWarningPercent: 1,
  errorRateCriticalPercent: 5,
  minRequests: 50,
  p95LatencyMs: 500,
  p99LatencyMs: 1000,
  windowSeconds: 600,
};
const app = { name: "api", imageTag: "v1", url: "", healthPath: "/health", smokePaths: [], dependsOn: [] };
const docker: DockerManifest = {
  schemaVersion: 1,
  runtime: "docker",
  project: "delivery",
  stack: "local",
  docker: { host: "unix:///var/run/docker.sock" },
  thresholds,
  history: { prefix: "local" },
  services: [{ ...app, image: "delivery/api", replicas: 1 }],
};
const kubernetes: KubernetesManifest = {
  schemaVersion: 1,
  runtime: "kubernetes",
  project: "delivery",
  stack: "staging",
  kubernetes: { namespace: "shop", context: "staging" },
  prometheus: { url: "http://127.0.0.1:9", traffic: "istio" },
  thresholds,
  history: { prefix: "staging" },
  services: [{ ...app, deployment: "api", image: "registry.example.com/delivery/api" }],
};

let dir: string;
let api: FakeKubeApi;
beforeAll(async () => {
  api = await startFakeKubeApi();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "compose-metrics-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function publisherFor(m: DeploymentManifest) {
  const runtime = await buildReleaseRuntime({
    manifest: m,
    clients: createAwsClients({ region: "eu-west-1", endpoint: "http://127.0.0.1:9", credentials: MOTO_CREDENTIALS }),
    stacks: new FakeStacks([]),
    io: captureIO({}, dir),
    flags: { recordsDir: join(dir, "records") },
    deps: { ...defaultReleaseDeps, kubernetes: () => kubernetesClients({ kubeConfig: api.kubeConfig, context: "staging" }) },
  });
  return runtime.release.metrics;
}

describe("where each runtime's delivery metrics go (cli/compose.ts)", () => {
  it("an ECS stack publishes to CloudWatch", async () => {
    expect(await publisherFor(manifest([service("api")]))).toBeInstanceOf(CloudWatchMetricsPublisher);
  });

  it.each([
    ["Docker", docker],
    ["Kubernetes", kubernetes],
  ])("a %s stack has no CloudWatch: nothing is published", async (_, m) => {
    expect(await publisherFor(m)).toBeUndefined();
  });
});
