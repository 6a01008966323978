import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { V1Deployment } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KubernetesManifest } from "../../../contract/manifest";
import { runDeployCommand, type DeployFlags } from "../../../validators/cli/commands/deploy";
import { defaultReleaseDeps, type ReleaseCommandDeps } from "../../../validators/cli/compose";
import { ConfigMapReleaseStore, kubernetesClients } from "../../../validators/providers/kubernetes";
import { ConfigMapReleaseRegistry } from "../../../validators/release/configMapRegistry";
import type { RunRecord } from "../../../validators/records/types";
import type { UpResult } from "../../../validators/providers/pulumi/stacks";
import { FakeStacks } from "../../release/support";
import { captureIO, type CapturedIO } from "../../support/io";
import { type FakeKubeApi, startFakeKubeApi } from "../../support/kubeApi";
import { type PrometheusServer, startPrometheus } from "../../support/prometheus";
import { deployment, NS, pod, replicaSet } from "./fixtures";

/**
 * `deployctl deploy` on a Kubernetes stack through the command's action: the same workflow as ECS
 * (set the tag, update the stack, validate, record or roll back) with the Deployment, ReplicaSets,
 * pods, ConfigMap delivery-releases and the Lease on the local API fake, a real Prometheus answering
 * the stack's query overrides (constant traffic: the judged window starts at the stack update, so no
 * backfilled sample could be in it), and a FakeStacks whose `up` plays the cluster's part.
 */
let prometheus: PrometheusServer;
let api: FakeKubeApi;
let io: CapturedIO;
let stacks: FakeStacks;

function manifestFor(tag: string): KubernetesManifest {
  return {
    schemaVersion: 1,
    runtime: "kubernetes",
    project: "delivery",
    stack: "staging",
    kubernetes: { namespace: NS, context: "staging" },
    prometheus: {
      url: prometheus.url,
      traffic: "istio",
      queries: { requests: "vector(1000)", errors: "vector(0)", latencyP95: "vector(40)", latencyP99: "vector(80)" },
    },
    thresholds: {
      errorRateWarningPercent: 1,
      errorRateCriticalPercent: 5,
      minRequests: 50,
      p95LatencyMs: 500,
      p99LatencyMs: 1000,
      windowSeconds: 600,
    },
    history: { prefix: "staging" },
    services: [
      {
        name: "api",
        deployment: "api",
        image: "registry.example.com/delivery/api",
        imageTag: tag,
        url: "",
        healthPath: "/health",
        smokePaths: [],
        dependsOn: [],
      },
    ],
  };
}

beforeAll(async () => {
  prometheus = await startPrometheus("# TYPE up gauge\nup 1 1700000000\n# EOF\n");
}, 60_000);
afterAll(async () => {
  await prometheus.stop();
});
beforeEach(async () => {
  api = await startFakeKubeApi();
  io = captureIO({ DELIVERY_ACTOR: "ci@runner" });
  // v1 runs at revision 1 (two ready pods); the stack config names v1.
  api.put("deployments", deployment("v1", 1));
  api.put("replicasets", replicaSet("v1", 1, "6b8f", 2));
  for (const s of ["aaaaa", "bbbbb"]) {
    api.put("pods", pod("6b8f", s));
    api.logs.set(`api-6b8f-${s}`, "INFO started");
  }
  stacks = FakeStacks.withTags({ api: "v1" });
  // The stack's `deployment` output follows its config, as after `pulumi up`.
  stacks.getOutput = async () => manifestFor(stacks.services[0]?.image.tag ?? "");
});
afterEach(async () => {
  await api.close();
});

/** What `pulumi up` does on the cluster when the config names v2: revision 2, its pods healthy or crash-looping. */
function upRollsOut(v2Pods: "healthy" | "crash-loop"): void {
  const up = stacks.up.bind(stacks);
  stacks.up = async (stack, options): Promise<UpResult> => {
    const result = await up(stack, options);
    if (stacks.services[0]?.image.tag !== "v2") return result;
    const crashing = v2Pods === "crash-loop";
    api.put("deployments", deployment("v2", 2, crashing ? { availableReplicas: 1, reason: "ReplicaSetUpdated" } : {}));
    api.put("replicasets", replicaSet("v1", 1, "6b8f", 0));
    api.put("replicasets", replicaSet("v2", 2, "7c9d", 2, crashing ? 1 : 2));
    api.put("pods", pod("7c9d", "ccccc"));
    api.put(
      "pods",
      pod("7c9d", "ddddd", crashing ? { ready: false, restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } } } : {}),
    );
    for (const s of ["ccccc", "ddddd"]) api.logs.set(`api-7c9d-${s}`, "INFO started");
    return result;
  };
}

/** The deployment controller's answer to the rollback's patch: v1's ReplicaSet becomes revision 3 and rolls out. */
function controllerRollsBack(): void {
  api.onDeploymentPatched = async (patched: V1Deployment) => {
    api.put("replicasets", replicaSet("v1", 3, "6b8f", 2));
    api.put("replicasets", replicaSet("v2", 2, "7c9d", 0));
    const restored = deployment("v1", 3);
    restored.spec = { ...restored.spec, template: patched.spec?.template ?? restored.spec!.template } as V1Deployment["spec"];
    restored.metadata = { ...restored.metadata, generation: patched.metadata?.generation };
    restored.status = { ...restored.status, observedGeneration: patched.metadata?.generation };
    api.put("deployments", restored);
  };
}

function registry(): ConfigMapReleaseRegistry {
  return new ConfigMapReleaseRegistry(
    new ConfigMapReleaseStore(kubernetesClients({ kubeConfig: api.kubeConfig, context: "staging" }), NS),
    NS,
  );
}

async function deploy(tag: string): Promise<{ code: number; record: RunRecord }> {
  const flags: DeployFlags = {
    stack: "staging",
    tag,
    wait: 60,
    retries: 0,
    yes: true,
    output: "json",
    maxAttempts: 1,
    timeout: 5000,
    lockTimeout: 0,
    alertWindow: 3600,
    escalateAfter: 3,
  };
  const deps: ReleaseCommandDeps = {
    ...defaultReleaseDeps,
    stacks: () => stacks,
    kubernetes: () => kubernetesClients({ kubeConfig: api.kubeConfig, context: "staging" }),
    sleep: async () => undefined,
  };
  const code = await runDeployCommand(flags, { io, setExitCode: () => undefined }, deps);
  expect(io.err()).not.toContain("unexpected");
  return { code, record: JSON.parse(io.out()) as RunRecord };
}

describe("deployctl deploy on a Kubernetes stack", () => {
  it("sets the tag, updates the stack, validates the new Deployment and records it as last good, under the Lease", async () => {
    upRollsOut("healthy");

    const { code, record } = await deploy("v2");

    expect([code, record.outcome, record.verdict]).toEqual([0, "released", "pass"]);
    expect(stacks.changes()).toEqual([
      { op: "setConfig", stack: "staging", values: [{ path: "delivery:services[0].image.tag", value: "v2" }] },
      { op: "up", stack: "staging", message: `deployctl deploy api v2 (run ${record.runId})` },
    ]);
    expect(record.validations.at(-1)?.services[0]?.checks.map((c) => [c.name, c.status])).toEqual([
      ["rollout", "pass"],
      ["tasks", "pass"],
      ["errorRate", "pass"],
      ["latency", "pass"],
      ["smoke", "skipped"],
      ["logs", "pass"],
    ]);
    expect(await registry().get("staging", "api")).toMatchObject({
      imageTag: "v2",
      taskDefinitionArn: `Deployment ${NS}/api registry.example.com/delivery/api:v2`,
    });
    expect(api.requests.filter((r) => r.includes("/leases")).map((r) => r.split(" ")[0])).toEqual(["POST", "GET", "DELETE"]);
    const saved = JSON.parse(readFileSync(join(io.cwd, ".delivery", "records", "staging", `${record.runId}.json`), "utf8")) as RunRecord;
    expect(saved.outcome).toBe("released");
  });

  it("rolls a crash-looping release back: the Deployment to v1's revision, then the stack config back to v1 and a stack update", async () => {
    await registry().put({
      stack: "staging",
      service: "api",
      imageTag: "v1",
      taskDefinitionArn: `Deployment ${NS}/api registry.example.com/delivery/api:v1`,
      validatedAt: "2026-12-01T10:00:00.000Z",
      runId: "run-v1",
    });
    upRollsOut("crash-loop");
    controllerRollsBack();

    const { code, record } = await deploy("v2");

    expect([code, record.outcome, record.verdict]).toEqual([1, "rolled-back", "fail"]);
    expect(record.validations[0]?.services[0]?.checks.find((c) => c.name === "tasks")?.message).toContain(
      "api-7c9d-ddddd: CrashLoopBackOff",
    );
    expect(record.actions.find((a) => a.kind === "rollback-fast-path")).toMatchObject({
      status: "ok",
      message: "Deployment api back to revision 1 (v1), rolled out",
    });
    expect(stacks.changes().map((c) => [c.op, c.op === "setConfig" ? c.values?.[0]?.value : undefined])).toEqual([
      ["setConfig", "v2"],
      ["up", undefined],
      ["setConfig", "v1"],
      ["up", undefined],
    ]);
    expect(api.get<V1Deployment>("deployments", NS, "api")?.spec?.template.spec?.containers[0]?.image).toBe(
      "registry.example.com/delivery/api:v1",
    );
    expect(record.validations.at(-1)?.verdict).toBe("pass");
    expect(api.get("leases", NS, "delivery-lock-staging")).toBeUndefined();
  });
});
