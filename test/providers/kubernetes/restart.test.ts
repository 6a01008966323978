import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { V1Deployment } from "@kubernetes/client-node";
import type { KubernetesManifest } from "../../../contract/manifest";
import { KubernetesRuntime, kubernetesClients, RESTARTED_AT } from "../../../validators/providers/kubernetes";
import { type FakeKubeApi, startFakeKubeApi } from "../../support/kubeApi";
import { deployment, NS, pod, replicaSet, template } from "./fixtures";

let api: FakeKubeApi;
beforeEach(async () => {
  api = await startFakeKubeApi();
});
afterEach(async () => {
  await api.close();
});

const m: KubernetesManifest = {
  schemaVersion: 1,
  runtime: "kubernetes",
  project: "delivery",
  stack: "staging",
  kubernetes: { namespace: NS, context: "staging" },
  prometheus: { url: "http://127.0.0.1:1", traffic: "istio" },
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
      image: "registry.example.com/delivery/api",
      imageTag: "v2",
      url: "",
      healthPath: "/health",
      smokePaths: [],
      dependsOn: [],
    },
  ],
};
const at = () => new Date("2026-12-05T06:00:00.000Z");
const runtime = () => new KubernetesRuntime(m, kubernetesClients({ kubeConfig: api.kubeConfig, context: "staging" }));

/** v2 at revision 2, rolled out. */
function released() {
  api.put("deployments", deployment("v2", 2));
  api.put("replicasets", replicaSet("v2", 2, "7c9d", 2));
  for (const s of ["aaaaa", "bbbbb"]) api.put("pods", pod("7c9d", s));
}

describe("the Kubernetes runtime's restart (kubectl rollout restart)", () => {
  it("sets the pod template's restartedAt annotation by a merge patch, changing nothing else of the template", async () => {
    released();

    const actions = await runtime().restart(["api"], at);

    expect(actions).toEqual([
      {
        kind: "force-new-deployment",
        target: "api",
        status: "ok",
        message: "Deployment api restarted (kubectl.kubernetes.io/restartedAt=2026-12-05T06:00:00.000Z)",
        at: "2026-12-05T06:00:00.000Z",
        details: { namespace: NS, deployment: "api", restartedAt: "2026-12-05T06:00:00.000Z", generation: 5 },
      },
    ]);
    const d = api.get<V1Deployment>("deployments", NS, "api");
    expect(d?.spec?.template).toEqual({
      ...template("v2"),
      metadata: { ...template("v2").metadata, annotations: { [RESTARTED_AT]: "2026-12-05T06:00:00.000Z" } },
    });
    expect(api.requests.filter((r) => r.startsWith("PATCH"))).toEqual([`PATCH /apis/apps/v1/namespaces/${NS}/deployments/api`]);
  });

  it("is a rollout in progress until the controller has rolled the restarted template out: the rollouts wait sees it through", async () => {
    released();
    let patched: V1Deployment | undefined;
    api.onDeploymentPatched = (d) => {
      patched = d;
    };
    // The controller, while deployctl waits: a new ReplicaSet of the same image, rolled out, the generation observed.
    const controller = async () => {
      api.put("replicasets", replicaSet("v2", 3, "8e1f", 2));
      api.put("replicasets", replicaSet("v2", 2, "7c9d", 0));
      const done = deployment("v2", 3);
      done.spec = patched?.spec;
      done.metadata = { ...done.metadata, generation: patched?.metadata?.generation };
      done.status = { ...done.status, observedGeneration: patched?.metadata?.generation };
      api.put("deployments", done);
    };
    const r = runtime();
    const waits: string[] = [];
    await r.restart(["api"], at);

    const { rollouts, waitedSeconds } = await r.rollouts(["api"], {
      waitSeconds: 60,
      pollSeconds: 5,
      sleep: controller,
      onProgress: (message) => waits.push(message),
    });

    expect(waits).toEqual(["waiting for the rollout of Deployment api (0s)"]);
    expect(waitedSeconds).toBe(5);
    expect(rollouts.get("api")?.revision?.state).toBe("COMPLETED");
    expect(rollouts.get("api")?.revision?.runs).toBe("api:v2");
  });

  it("reports a Deployment the API server does not know as a failed action (HTTP 404), never a throw", async () => {
    const actions = await runtime().restart(["api"], at);

    expect(actions.map((a) => [a.status, a.message])).toEqual([
      ["failed", `Kubernetes API at ${api.url}: restarting Deployment ${NS}/api failed (HTTP 404)`],
    ]);
  });
});
