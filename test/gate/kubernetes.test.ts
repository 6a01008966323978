import { createServer, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KubernetesManifest } from "../../contract/manifest";
import type { GateCheckName, GateReport } from "../../contract/report";
import { runGateCommand } from "../../validators/cli/commands/gate";
import { defaultCommandDeps } from "../../validators/cli/compose";
import type { CommandDeps } from "../../validators/cli/options";
import { kubernetesClients } from "../../validators/providers/kubernetes";
import { registryTagExists } from "../../validators/providers/oci/registry";
import { freePort } from "../../fixtures/ports";
import { captureIO, type CapturedIO } from "../support/io";
import { type FakeKubeApi, startFakeKubeApi } from "../support/kubeApi";
import { type PrometheusServer, startPrometheus } from "../support/prometheus";
import { deployment, NS } from "../providers/kubernetes/fixtures";

/**
 * `deployctl gate --manifest <a Kubernetes stack>`: the Deployment and the ConfigMap
 * delivery-releases on the fake API server, firing alerts from a real Prometheus (ALERTS series
 * backfilled), the image's registry a small local OCI distribution endpoint.
 */
const INCIDENT_NS = "delivery-incident";
const NOW = Math.floor(Date.now() / 1000);

/** ALERTS series as Prometheus' rule manager writes them, up to a few seconds ago (the instant query looks back 5 minutes). */
function openMetrics(): string {
  const series = (labels: string) => Array.from({ length: 10 }, (_, i) => `ALERTS{${labels}} 1 ${NOW - 120 + i * 10}`);
  return [
    "# TYPE ALERTS gauge",
    ...series(`alertname="PodRestarting",alertstate="firing",namespace="${INCIDENT_NS}",severity="critical"`),
    ...series(`alertname="HighLatency",alertstate="pending",namespace="${INCIDENT_NS}",severity="warning"`),
    ...series(`alertname="ErrorRateHigh",alertstate="firing",namespace="delivery-prod",severity="critical"`),
    "# EOF",
    "",
  ].join("\n");
}

let prometheus: PrometheusServer;
let registry: { server: Server; host: string; requests: string[] };
let api: FakeKubeApi;
let io: CapturedIO;

beforeAll(async () => {
  prometheus = await startPrometheus(openMetrics());
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const status = req.url === "/v2/delivery/api/manifests/v2" ? 200 : req.url?.startsWith("/v2/private/") ? 401 : 404;
    res.writeHead(status, status === 401 ? { "www-authenticate": 'Bearer realm="https://auth.example/token"' } : {});
    res.end();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  registry = { server, host: `127.0.0.1:${port}`, requests };
}, 60_000);
afterAll(async () => {
  await prometheus.stop();
  await new Promise((resolve) => registry.server.close(resolve));
});
beforeEach(async () => {
  api = await startFakeKubeApi();
  io = captureIO();
  registry.requests.length = 0;
});
afterEach(async () => {
  await api.close();
});

function manifest(more: { namespace?: string; image?: string } = {}): KubernetesManifest {
  return {
    schemaVersion: 1,
    runtime: "kubernetes",
    project: "delivery",
    stack: "staging",
    kubernetes: { namespace: more.namespace ?? NS, context: "staging" },
    prometheus: { url: prometheus.url, traffic: "istio" },
    thresholds: {
      errorRateWarningPercent: 1,
      errorRateCriticalPercent: 5,
      minRequests: 50,
      p95LatencyMs: 500,
      p99LatencyMs: 1000,
      windowSeconds: 300,
    },
    history: { prefix: "staging" },
    services: [
      {
        name: "api",
        deployment: "api",
        image: more.image ?? `${registry.host}/delivery/api`,
        imageTag: "v1",
        url: "",
        healthPath: "/health",
        smokePaths: [],
        dependsOn: [],
      },
    ],
  };
}

const deps = (): CommandDeps => ({
  ...defaultCommandDeps,
  kubernetes: () => kubernetesClients({ kubeConfig: api.kubeConfig, context: "staging" }),
});

async function gate(m: KubernetesManifest, ...more: { tag?: string; skip?: GateCheckName[] }[]) {
  const file = join(io.cwd, "deployment.json");
  writeFileSync(file, JSON.stringify(m));
  const code = await runGateCommand(
    { manifest: file, output: "json", maxAttempts: 1, timeout: 5000, tag: "v2", ...Object.assign({}, ...more) },
    { io, setExitCode: () => undefined },
    deps(),
  );
  const report = JSON.parse(io.out()) as GateReport;
  const checks = Object.fromEntries(report.services[0].checks.map((c) => [c.name, c]));
  return { code, report, checks };
}

function recordLastGood(): void {
  const release = {
    stack: "staging",
    service: "api",
    imageTag: "v1",
    taskDefinitionArn: `Deployment ${NS}/api registry.example.com/delivery/api:v1`,
    validatedAt: "2026-12-04T10:00:00.000Z",
    runId: "run-1",
  };
  api.put("configmaps", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "delivery-releases", namespace: NS },
    data: { api: JSON.stringify(release) },
  });
}

describe("deployctl gate on a Kubernetes stack", () => {
  it("passes: the tag in the registry, no alert firing in the namespace, the Deployment rolled out, a last good release in the ConfigMap", async () => {
    api.put("deployments", deployment("v1", 3));
    recordLastGood();

    const { code, report, checks } = await gate(manifest());

    expect(code).toBe(0);
    expect(report.verdict).toBe("pass");
    expect(checks.image.message).toBe(`Tag v2 exists in ${registry.host}/delivery/api.`);
    expect(registry.requests).toEqual(["HEAD /v2/delivery/api/manifests/v2"]);
    expect(checks.alarms.message).toBe(`No alert of namespace ${NS} is firing.`);
    expect(checks.alarms.observed).toEqual({
      namespace: NS,
      query: `ALERTS{alertstate="firing", namespace="${NS}"}`,
      inAlarm: [],
      alarms: [],
    });
    expect(checks.rollout.message).toBe(
      "No rollout in progress for Deployment api (registry.example.com/delivery/api:v1, 2 of 2 running).",
    );
    expect(checks.lastGood).toMatchObject({
      status: "pass",
      message: "Last good release: image v1, validated 2026-12-04T10:00:00.000Z.",
      observed: { parameter: `ConfigMap ${NS}/delivery-releases key api`, found: true, imageTag: "v1", runId: "run-1" },
    });
  });

  it("fails while alerts fire in the stack's namespace, naming them (pending alerts and other namespaces do not count)", async () => {
    const { code, checks } = await gate(manifest({ namespace: INCIDENT_NS }), { skip: ["rollout", "lastGood"] });

    expect(code).toBe(1);
    expect(checks.alarms).toMatchObject({
      status: "fail",
      message: "1 alert of the stack firing (PodRestarting): resolve the incident before deploying.",
      observed: { inAlarm: ["PodRestarting"], alarms: [{ name: "PodRestarting", reason: "severity=critical", since: null }] },
    });
  });

  it("fails while the Deployment is still rolling out", async () => {
    api.put("deployments", deployment("v1", 3, { updatedReplicas: 1, availableReplicas: 1, replicas: 3, reason: "ReplicaSetUpdated" }));
    recordLastGood();

    const { code, checks } = await gate(manifest());

    expect(code).toBe(1);
    expect(checks.rollout).toMatchObject({
      status: "fail",
      message: "Revision 3 of Deployment api is still IN_PROGRESS (1 of 2 running): wait for it to finish.",
      observed: { updatedReplicas: 1, replicas: 3, progressing: "ReplicaSetUpdated" },
    });
  });

  it("warns on a Deployment past its progress deadline, and on a first deploy (no Deployment, no ConfigMap)", async () => {
    api.put("deployments", deployment("v1", 3, { reason: "ProgressDeadlineExceeded" }));

    const failed = await gate(manifest());
    expect([failed.checks.rollout.status, failed.checks.rollout.message]).toEqual([
      "warn",
      'The last rollout of Deployment api FAILED (ReplicaSet "api-7c9d" has timed out progressing.).',
    ]);
    expect([failed.checks.lastGood.status, failed.checks.lastGood.message]).toEqual([
      "warn",
      `No last good release at ConfigMap ${NS}/delivery-releases key api: nothing to roll back to (expected on a first deploy).`,
    ]);

    await api.close();
    api = await startFakeKubeApi();
    io = captureIO();
    const first = await gate(manifest());
    expect([first.code, first.checks.rollout.status, first.checks.rollout.message]).toEqual([
      0,
      "warn",
      `Deployment api in namespace ${NS} does not exist yet (first deploy?).`,
    ]);
  });

  it("fails when the registry answers 404 for the tag, naming image:tag", async () => {
    api.put("deployments", deployment("v1", 3));

    const { code, checks } = await gate(manifest(), { tag: "v9" });

    expect(code).toBe(1);
    expect(checks.image).toMatchObject({
      status: "fail",
      message: `Tag v9 is missing from ${registry.host}/delivery/api: the registry ${registry.host} answered 404 for ${registry.host}/delivery/api:v9.`,
      observed: { repository: `${registry.host}/delivery/api`, tag: "v9", exists: false },
    });
  });

  it("warns, never passes, when the registry wants credentials", async () => {
    api.put("deployments", deployment("v1", 3));

    const { code, checks } = await gate(manifest({ image: `${registry.host}/private/api` }));

    expect(code).toBe(0);
    expect(checks.image).toMatchObject({
      status: "warn",
      message: `The registry ${registry.host} answered 401 for ${registry.host}/private/api:v2: it wants credentials deployctl does not send: cannot check that tag v2 exists.`,
      observed: { image: `${registry.host}/private/api:v2`, status: 401 },
    });
  });
});

describe("the OCI registry check", () => {
  it("warns naming the registry when nothing listens", async () => {
    const port = await freePort();

    const answer = await registryTagExists(`127.0.0.1:${port}/delivery/api`, "v2");

    expect(answer).toMatchObject({
      state: "unknown",
      reason: `The registry 127.0.0.1:${port} of 127.0.0.1:${port}/delivery/api:v2 is unreachable (ECONNREFUSED)`,
    });
  });

  it("gives up at its timeout", async () => {
    const hanging = (_url: string, init: { signal: AbortSignal }) =>
      new Promise<{ status: number }>((_, reject) => init.signal.addEventListener("abort", () => reject(new Error("aborted"))));

    const answer = await registryTagExists("registry.example.com/team/api", "v2", { fetch: hanging, timeoutMs: 50 });

    expect(answer).toEqual({
      state: "unknown",
      image: "registry.example.com/team/api:v2",
      reason: "The registry registry.example.com of registry.example.com/team/api:v2 is unreachable (no answer within 50 ms)",
      details: { url: "https://registry.example.com/v2/team/api/manifests/v2" },
    });
  });

  it.each([
    ["nginx", "https://registry-1.docker.io/v2/library/nginx/manifests/v2"],
    ["docker.io/team/api", "https://registry-1.docker.io/v2/team/api/manifests/v2"],
    ["localhost:5000/api", "http://localhost:5000/v2/api/manifests/v2"],
    ["ghcr.io/org/app", "https://ghcr.io/v2/org/app/manifests/v2"],
  ])("asks the registry of %s at %s", async (image, url) => {
    const asked: string[] = [];
    await registryTagExists(image, "v2", {
      fetch: async (u) => {
        asked.push(u);
        return { status: 200 };
      },
    });
    expect(asked).toEqual([url]);
  });
});
