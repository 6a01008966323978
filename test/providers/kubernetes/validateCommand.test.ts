import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { V1Deployment } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KubernetesManifest } from "../../../contract/manifest";
import type { ValidationReport } from "../../../contract/report";
import { runValidateCommand, type ValidateFlags } from "../../../validators/cli/commands/validate";
import { defaultCommandDeps, defaultReleaseDeps } from "../../../validators/cli/compose";
import { runRollbackCommand } from "../../../validators/cli/commands/rollback";
import type { CommandDeps } from "../../../validators/cli/options";
import { ConfigMapReleaseStore, kubernetesClients, LeaseStackLock } from "../../../validators/providers/kubernetes";
import { ConfigMapReleaseRegistry } from "../../../validators/release/configMapRegistry";
import { FakeStacks } from "../../release/support";
import { captureIO, type CapturedIO } from "../../support/io";
import { type FakeKubeApi, startFakeKubeApi } from "../../support/kubeApi";
import { type PrometheusServer, startPrometheus } from "../../support/prometheus";
import { deployment, NS, pod, replicaSet } from "./fixtures";

/**
 * `deployctl validate --manifest <a Kubernetes stack>` through the command's action with injected
 * dependencies: the Deployment, ReplicaSets, pods, logs, ConfigMap and Lease on the fake API server,
 * traffic and latency from a real Prometheus (Istio's metrics, backfilled), run records in a temp dir.
 */
const STEP = 15;
const STEPS = 80;
const END = Math.floor(Date.now() / 1000 / STEP) * STEP - 3600;
const START = END - (STEPS - 1) * STEP;
/** The judged window reaches back over the backfilled samples (they end an hour ago). */
const WINDOW = 7200;

function openMetrics(): string {
  const labels = `reporter="destination",destination_workload_namespace="${NS}",destination_workload="api"`;
  const counter = (name: string, l: string, perStep: number) =>
    Array.from({ length: STEPS }, (_, i) => `${name}{${l}} ${i * perStep} ${START + i * STEP}`);
  const buckets: [string, number][] = [
    ["50", 8],
    ["100", 10],
    ["+Inf", 10],
  ];
  return [
    "# TYPE istio_requests counter",
    ...counter("istio_requests_total", `${labels},response_code="200"`, 10),
    "# TYPE istio_request_duration_milliseconds histogram",
    ...buckets.flatMap(([le, n]) => counter("istio_request_duration_milliseconds_bucket", `${labels},le="${le}"`, n)),
    "# EOF",
    "",
  ].join("\n");
}

function manifestFor(prometheusUrl: string): KubernetesManifest {
  return {
    schemaVersion: 1,
    runtime: "kubernetes",
    project: "delivery",
    stack: "staging",
    kubernetes: { namespace: NS, context: "staging" },
    prometheus: { url: prometheusUrl, traffic: "istio" },
    thresholds: {
      errorRateWarningPercent: 1,
      errorRateCriticalPercent: 5,
      minRequests: 50,
      p95LatencyMs: 500,
      p99LatencyMs: 1000,
      // The backfilled samples end an hour ago: the default window reaches them (the validation after a rollback uses it).
      windowSeconds: WINDOW,
    },
    history: { prefix: "staging" },
    services: [
      {
        name: "api",
        deployment: "api",
        image: "registry.example.com/delivery/api",
        imageTag: "v2",
        url: "",
        healthPath: "/health",
        smokePaths: [],
        dependsOn: [],
      },
    ],
  };
}

let prometheus: PrometheusServer;
let api: FakeKubeApi;
let io: CapturedIO;
let stacks: FakeStacks;

beforeAll(async () => {
  prometheus = await startPrometheus(openMetrics());
}, 60_000);
afterAll(async () => {
  await prometheus.stop();
});
beforeEach(async () => {
  api = await startFakeKubeApi();
  io = captureIO({ DELIVERY_ACTOR: "ci@runner" });
  stacks = FakeStacks.withTags({ api: "v2" });
  stacks.outputs.deployment = manifestFor(prometheus.url);
});
afterEach(async () => {
  await api.close();
});

function writeManifest(prometheusUrl = prometheus.url, name = "deployment.json"): string {
  const file = join(io.cwd, name);
  writeFileSync(file, JSON.stringify(manifestFor(prometheusUrl)));
  return file;
}

function deps(sleeps: number[] = []): CommandDeps {
  return {
    ...defaultCommandDeps,
    stacks: () => stacks,
    kubernetes: () => kubernetesClients({ kubeConfig: api.kubeConfig, context: "staging" }),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
}

function flags(more: Partial<ValidateFlags> = {}): ValidateFlags {
  return {
    manifest: writeManifest(),
    output: "json",
    maxAttempts: 1,
    timeout: 5000,
    since: new Date(Date.now() - WINDOW * 1000),
    window: WINDOW,
    wait: 0,
    watch: 0,
    smoke: false,
    confidence: 0.99,
    steps: true,
    rollback: false,
    record: true,
    lockTimeout: 0,
    rollbackWait: 60,
    ...more,
  };
}

async function validate(more: Partial<ValidateFlags> = {}, d: CommandDeps = deps()) {
  const code = await runValidateCommand(flags(more), { io, setExitCode: () => undefined }, d);
  const report = JSON.parse(io.out()) as ValidationReport;
  const checks = Object.fromEntries((report.services[0]?.checks ?? []).map((c) => [c.name, c]));
  return { code, report, checks };
}

/** v1 at revision 1 (scaled down), v2 at revision 2 with two pods: the release under watch. */
function release(status: Parameters<typeof deployment>[2] = {}, newReady = 2) {
  api.put("deployments", deployment("v2", 2, status));
  api.put("replicasets", replicaSet("v1", 1, "6b8f", 0));
  api.put("replicasets", replicaSet("v2", 2, "7c9d", 2, newReady));
  for (const name of ["api-7c9d-aaaaa", "api-7c9d-bbbbb"]) api.logs.set(name, "INFO started\nINFO GET /health 200");
}

function healthyPods() {
  api.put("pods", pod("7c9d", "aaaaa"));
  api.put("pods", pod("7c9d", "bbbbb"));
}

describe("deployctl validate on a Kubernetes stack", () => {
  it("passes a healthy release and records it as last good in the ConfigMap delivery-releases", async () => {
    release();
    healthyPods();

    const { code, report, checks } = await validate();

    expect(code).toBe(0);
    expect(report.verdict).toBe("pass");
    expect(Object.fromEntries(Object.entries(checks).map(([n, c]) => [n, c.status]))).toMatchObject({
      rollout: "pass",
      tasks: "pass",
      errorRate: "pass",
      latency: "pass",
      logs: "pass",
    });
    const cm = api.get<{ data?: Record<string, string> }>("configmaps", NS, "delivery-releases");
    expect(JSON.parse(cm?.data?.api ?? "{}")).toMatchObject({
      stack: "staging",
      service: "api",
      imageTag: "v2",
      taskDefinitionArn: `Deployment ${NS}/api registry.example.com/delivery/api:v2`,
    });
  });

  it("fails a crash loop, naming the pod and CrashLoopBackOff", async () => {
    release({ availableReplicas: 1, reason: "ReplicaSetUpdated" }, 1);
    api.put("pods", pod("7c9d", "aaaaa"));
    api.put(
      "pods",
      pod("7c9d", "ccccc", {
        ready: false,
        restartCount: 4,
        state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=api" } },
      }),
    );

    const { code, checks } = await validate();

    expect(code).toBe(1);
    expect(checks.tasks?.status).toBe("fail");
    expect(checks.tasks?.message).toContain(
      "api-7c9d-ccccc: CrashLoopBackOff (container api): back-off 40s restarting failed container=api",
    );
  });

  it("fails an image that cannot be pulled, naming the pod and ImagePullBackOff", async () => {
    release({ availableReplicas: 0, reason: "ReplicaSetUpdated" }, 0);
    for (const s of ["aaaaa", "bbbbb"])
      api.put(
        "pods",
        pod("7c9d", s, { ready: false, state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "api:v2"' } } }),
      );

    const { code, checks } = await validate();

    expect(code).toBe(1);
    expect(checks.tasks?.message).toContain("api-7c9d-aaaaa: failed to start: ImagePullBackOff (container api)");
    expect(checks.rollout?.observed).toMatchObject({ rolloutState: "IN_PROGRESS", failedTasks: 2 });
  });

  it("fails at once when the Deployment exceeded its progress deadline, without waiting", async () => {
    release({ availableReplicas: 1, reason: "ProgressDeadlineExceeded" }, 1);
    healthyPods();
    const sleeps: number[] = [];

    const { code, checks } = await validate({ wait: 300 }, deps(sleeps));

    expect(code).toBe(1);
    expect(checks.rollout?.status).toBe("fail");
    expect(checks.rollout?.observed).toMatchObject({
      rolloutState: "FAILED",
      rolloutStateReason: 'ReplicaSet "api-7c9d" has timed out progressing.',
    });
    expect(sleeps).toEqual([]);
  });

  it("fails a pod last OOMKilled, naming the pod and the out-of-memory kill", async () => {
    release();
    api.put("pods", pod("7c9d", "aaaaa"));
    api.put("pods", pod("7c9d", "bbbbb", { restartCount: 1, lastState: { terminated: { reason: "OOMKilled", exitCode: 137 } } }));

    const { code, checks } = await validate();

    expect(code).toBe(1);
    expect(checks.tasks?.message).toContain("api-7c9d-bbbbb: OutOfMemory (container api with exit code 137)");
  });

  it("waits while the rollout is in progress, polling the Deployment, then judges the finished rollout", async () => {
    release({ updatedReplicas: 1, availableReplicas: 1, reason: "ReplicaSetUpdated" }, 1);
    healthyPods();
    const sleeps: number[] = [];
    const d = deps(sleeps);
    let polls = 0;
    d.sleep = async (ms) => {
      sleeps.push(ms);
      polls += 1;
      if (polls === 2) api.put("deployments", deployment("v2", 2));
    };

    const { code, checks } = await validate({ wait: 120 }, d);

    expect(code).toBe(0);
    expect(sleeps).toEqual([10_000, 10_000]);
    expect(checks.rollout?.observed).toMatchObject({ rolloutState: "COMPLETED", running: 2, desired: 2 });
    expect(io.err()).toContain("waiting for the rollout of Deployment api");
  });

  it("says Prometheus unreachable is an operational error (exit 4)", async () => {
    release();
    healthyPods();

    const run = runValidateCommand(
      flags({ manifest: writeManifest("http://127.0.0.1:1", "unreachable.json") }),
      { io, setExitCode: () => undefined },
      deps(),
    );

    await expect(run).rejects.toThrow(/Prometheus at http:\/\/127.0.0.1:1 is unreachable/);
  });
});

/** The deployment controller's answer to a rollback patch: the v1 ReplicaSet becomes revision 3 and rolls out. */
function controllerRollsBack(delayMs = 0) {
  api.onDeploymentPatched = async (patched: V1Deployment) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    api.put("replicasets", replicaSet("v1", 3, "6b8f", 2));
    api.put("replicasets", replicaSet("v2", 2, "7c9d", 0));
    const restored = deployment("v1", 3);
    restored.spec = { ...restored.spec, template: patched.spec?.template ?? restored.spec!.template } as V1Deployment["spec"];
    restored.metadata = { ...restored.metadata, generation: patched.metadata?.generation };
    restored.status = { ...restored.status, observedGeneration: patched.metadata?.generation };
    api.put("deployments", restored);
    for (const s of ["ddddd", "eeeee"]) {
      api.put("pods", pod("6b8f", s));
      api.logs.set(`api-6b8f-${s}`, "INFO started");
    }
  };
}

function crashLoop() {
  release({ availableReplicas: 1, reason: "ReplicaSetUpdated" }, 1);
  api.put("pods", pod("7c9d", "aaaaa"));
  api.put("pods", pod("7c9d", "ccccc", { ready: false, restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } } }));
}

async function lastGoodV1() {
  const clients = kubernetesClients({ kubeConfig: api.kubeConfig, context: "staging" });
  await new ConfigMapReleaseRegistry(new ConfigMapReleaseStore(clients, NS), NS).put({
    stack: "staging",
    service: "api",
    imageTag: "v1",
    taskDefinitionArn: `Deployment ${NS}/api registry.example.com/delivery/api:v1`,
    validatedAt: "2026-12-01T10:00:00.000Z",
    runId: "run-v1",
  });
}

describe("deployctl validate --rollback on a Kubernetes stack", () => {
  it("points the Deployment back at the last good revision's template, under the Lease, and validates it again", async () => {
    crashLoop();
    await lastGoodV1();
    controllerRollsBack();
    const d = deps();
    // The stack's output after the rollback's stack update names v1.
    const after = manifestFor(prometheus.url);
    after.services[0]!.imageTag = "v1";
    stacks.outputs.deployment = after;

    const code = await runValidateCommand(flags({ rollback: true }), { io, setExitCode: () => undefined }, d);
    const report = JSON.parse(io.out()) as ValidationReport & { actions: { kind: string; status: string; message: string }[] };

    expect(code).toBe(1);
    const deploymentNow = api.get<V1Deployment>("deployments", NS, "api");
    expect(deploymentNow?.spec?.template.spec?.containers[0]?.image).toBe("registry.example.com/delivery/api:v1");
    expect(deploymentNow?.spec?.template.metadata?.labels?.["pod-template-hash"]).toBeUndefined();
    expect(report.actions.find((a) => a.kind === "rollback-fast-path")).toMatchObject({
      status: "ok",
      message: "Deployment api back to revision 1 (v1), rolled out",
    });
    expect(stacks.changes().map((c) => c.op)).toEqual(["setConfig", "up"]);
    // Taken (created), then released (read, deleted at the version read).
    expect(api.requests.filter((r) => r.includes("/leases")).map((r) => r.split(" ")[0])).toEqual(["POST", "GET", "DELETE"]);
    expect(api.get("leases", NS, "delivery-lock-staging")).toBeUndefined();
    const records = readdirSync(join(io.cwd, ".delivery", "records", "staging")).filter((f) => f.endsWith(".json"));
    expect(records).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(io.cwd, ".delivery", "records", "staging", records[0]!), "utf8")) as {
      outcome: string;
      rollback?: { status: string; services: string[] };
    };
    expect([record.outcome, record.rollback?.status, record.rollback?.services]).toEqual(["rolled-back", "ok", ["api"]]);
  });

  it("does not roll back while another run holds the Lease: exit 5, the Deployment untouched", async () => {
    crashLoop();
    await lastGoodV1();
    const other = new LeaseStackLock(kubernetesClients({ kubeConfig: api.kubeConfig, context: "staging" }), NS);
    const held = await other.tryAcquire({ stack: "staging", who: "alice@laptop", what: "deploy v3", leaseSeconds: 600 });

    const code = await runValidateCommand(flags({ rollback: true }), { io, setExitCode: () => undefined }, deps());

    expect(held.acquired).toBe(true);
    expect(code).toBe(5);
    expect(api.get<V1Deployment>("deployments", NS, "api")?.spec?.template.spec?.containers[0]?.image).toBe(
      "registry.example.com/delivery/api:v2",
    );
  });

  it("two runs racing for the Lease: one rolls back, the other exits 5", async () => {
    crashLoop();
    await lastGoodV1();
    // The winner holds the Lease while the controller takes its time.
    controllerRollsBack(400);
    const after = manifestFor(prometheus.url);
    after.services[0]!.imageTag = "v1";
    stacks.outputs.deployment = after;
    const ioB = captureIO({ DELIVERY_ACTOR: "ci@other" }, io.cwd);

    const codes = await Promise.all([
      runValidateCommand(flags({ rollback: true }), { io, setExitCode: () => undefined }, deps()),
      runValidateCommand(flags({ rollback: true }), { io: ioB, setExitCode: () => undefined }, deps()),
    ]);

    expect([...codes].sort()).toEqual([1, 5]);
    expect(api.requests.filter((r) => r.startsWith("PATCH"))).toHaveLength(1);
  });
});

describe("the other commands on a Kubernetes stack", () => {
  it("deployctl rollback points the Deployment back at the last good release under the Lease (exit 0)", async () => {
    release();
    healthyPods();
    await lastGoodV1();
    controllerRollsBack();
    const after = manifestFor(prometheus.url);
    after.services[0]!.imageTag = "v1";
    stacks.outputs.deployment = after;

    const code = await runRollbackCommand(
      {
        manifest: writeManifest(),
        output: "json",
        maxAttempts: 1,
        timeout: 5000,
        lockTimeout: 0,
        alertWindow: 3600,
        escalateAfter: 3,
        reason: "bad release",
        wait: 60,
        yes: true,
      },
      { io, setExitCode: () => undefined },
      { ...defaultReleaseDeps, ...deps(), sleep: async () => undefined },
    );

    expect(io.err()).not.toContain("unexpected");
    expect(code).toBe(0);
    expect(api.get<V1Deployment>("deployments", NS, "api")?.spec?.template.spec?.containers[0]?.image).toBe(
      "registry.example.com/delivery/api:v1",
    );
    expect(stacks.services[0]?.image.tag).toBe("v1");
    expect(api.get("leases", NS, "delivery-lock-staging")).toBeUndefined();
  });
});
