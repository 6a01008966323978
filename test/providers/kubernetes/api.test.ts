import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { V1Deployment, V1Lease } from "@kubernetes/client-node";
import { OperationalError } from "../../../validators/core/errors";
import {
  ConfigMapReleaseStore,
  kubernetesClients,
  type KubernetesClients,
  LeaseStackLock,
  observeDeployment,
  observePods,
  podLogLines,
  rollbackDeployment,
} from "../../../validators/providers/kubernetes";
import { type FakeKubeApi, startFakeKubeApi } from "../../support/kubeApi";
import { deployment, NS, pod, replicaSet, template } from "./fixtures";

let api: FakeKubeApi;
let clients: KubernetesClients;

beforeEach(async () => {
  api = await startFakeKubeApi();
  clients = kubernetesClients({ kubeConfig: api.kubeConfig, context: "staging" });
});

afterEach(async () => {
  await api.close();
});

/** v1 at revision 1 (scaled down), v2 at revision 2: the release under watch. */
function release(status: Parameters<typeof deployment>[2] = {}, newReady = 2) {
  api.put("deployments", deployment("v2", 2, status));
  api.put("replicasets", replicaSet("v1", 1, "6b8f", 0));
  api.put("replicasets", replicaSet("v2", 2, "7c9d", 2, newReady));
}

describe("the rollout, from the API server", () => {
  it("observes a healthy rollout: generation caught up, all replicas updated and available, the new ReplicaSet on v2", async () => {
    release();
    api.put("pods", pod("7c9d", "aaaaa"));
    api.put("pods", pod("7c9d", "bbbbb"));
    api.put("pods", pod("6b8f", "old00")); // an old pod: not the new ReplicaSet's

    const d = await observeDeployment(clients, NS, "api");
    const pods = await observePods(clients, NS, d.newReplicaSet ?? { name: "", podTemplateHash: "" });

    expect([
      d.observedGeneration,
      d.generation,
      d.replicas,
      d.updatedReplicas,
      d.availableReplicas,
      d.progressing?.reason,
      d.revision,
    ]).toEqual([4, 4, 2, 2, 2, "NewReplicaSetAvailable", 2]);
    expect([d.newReplicaSet?.name, d.newReplicaSet?.imageTags, d.replicaSets.map((r) => `${r.name}@${r.revision}`)]).toEqual([
      "api-7c9d",
      ["v2"],
      ["api-7c9d@2", "api-6b8f@1"],
    ]);
    expect(pods.map((p) => [p.name, p.ready, p.restarts, p.problems])).toEqual([
      ["api-7c9d-aaaaa", true, 0, []],
      ["api-7c9d-bbbbb", true, 0, []],
    ]);
  });

  it("names the pod and CrashLoopBackOff, with its restarts, in a crash loop", async () => {
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

    const pods = await observePods(clients, NS, { name: "api-7c9d", podTemplateHash: "7c9d" });

    expect(pods[1]).toEqual({
      name: "api-7c9d-ccccc",
      phase: "Running",
      ready: false,
      restarts: 4,
      problems: [
        { container: "api", reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=api", state: "waiting" },
      ],
    });
  });

  it.each(["ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError"])("names %s on a pod that cannot start", async (reason) => {
    release({ availableReplicas: 0 }, 0);
    api.put("pods", pod("7c9d", "ddddd", { ready: false, state: { waiting: { reason, message: "details" } } }));

    const [p] = await observePods(clients, NS, { name: "api-7c9d", podTemplateHash: "7c9d" });

    expect(p.problems).toEqual([{ container: "api", reason, message: "details", state: "waiting" }]);
  });

  it("names a last termination OOMKilled", async () => {
    release();
    api.put(
      "pods",
      pod("7c9d", "eeeee", {
        restartCount: 1,
        lastState: { terminated: { reason: "OOMKilled", exitCode: 137, finishedAt: new Date("2026-12-04T17:01:00Z") } },
      }),
    );

    const [p] = await observePods(clients, NS, { name: "api-7c9d", podTemplateHash: "7c9d" });

    expect([p.ready, p.restarts, p.problems]).toEqual([
      true,
      1,
      [{ container: "api", reason: "OOMKilled", message: "exit code 137", state: "lastTerminated" }],
    ]);
  });

  it("reads ProgressDeadlineExceeded from the Progressing condition", async () => {
    release({ availableReplicas: 1, updatedReplicas: 1, reason: "ProgressDeadlineExceeded" }, 0);

    const d = await observeDeployment(clients, NS, "api");

    expect(d.progressing).toEqual({
      status: "False",
      reason: "ProgressDeadlineExceeded",
      message: 'ReplicaSet "api-7c9d" has timed out progressing.',
    });
  });

  it("sees a rollout in progress, then complete once the controller has caught up", async () => {
    release({ observedGeneration: 3, updatedReplicas: 1, availableReplicas: 1, reason: "ReplicaSetUpdated" }, 1);
    const during = await observeDeployment(clients, NS, "api");
    release();
    const after = await observeDeployment(clients, NS, "api");

    expect([
      during.observedGeneration,
      during.updatedReplicas,
      during.progressing?.reason,
      after.observedGeneration,
      after.availableReplicas,
      after.progressing?.reason,
    ]).toEqual([3, 1, "ReplicaSetUpdated", 4, 2, "NewReplicaSetAvailable"]);
  });

  it("finds no new ReplicaSet while the controller has not made one for the Deployment's template", async () => {
    api.put("deployments", deployment("v3", 2, { observedGeneration: 3 }));
    api.put("replicasets", replicaSet("v2", 2, "7c9d", 2));

    const d = await observeDeployment(clients, NS, "api");

    expect([d.newReplicaSet, d.replicaSets.length]).toEqual([undefined, 1]);
  });

  it("fails operationally, naming the call, when the Deployment does not exist", async () => {
    const err = await observeDeployment(clients, NS, "ghost").catch((e: unknown) => e);

    expect([err instanceof OperationalError, (err as Error).message]).toEqual([
      true,
      `Kubernetes API at ${api.url}: reading Deployment ${NS}/ghost failed (HTTP 404)`,
    ]);
  });

  it("uses the manifest's context and refuses one the kubeconfig lacks", () => {
    expect(() => kubernetesClients({ kubeConfig: api.kubeConfig, context: "prod" })).toThrow(
      'the kubeconfig has no context "prod" (the manifest\'s kubernetes.context); it has: staging, other.',
    );
  });
});

describe("pod logs", () => {
  it("reads the last lines, asking for tailLines and the seconds since sinceTime", async () => {
    api.logs.set("api-7c9d-aaaaa", ["starting", "WARN slow start", "ERROR boom", "listening on 8080", ""].join("\n"));
    const now = new Date("2026-12-04T17:10:00Z");

    const lines = await podLogLines(
      clients,
      { namespace: NS, pod: "api-7c9d-aaaaa", tailLines: 3, sinceTime: new Date("2026-12-04T17:05:00.500Z") },
      () => now,
    );

    expect([lines, api.requests.at(-1)]).toEqual([
      ["ERROR boom", "listening on 8080"],
      `GET /api/v1/namespaces/${NS}/pods/api-7c9d-aaaaa/log?sinceSeconds=300&tailLines=3`,
    ]);
  });
});

describe("the fast rollback", () => {
  it("puts revision 1's pod template back on the Deployment (kubectl rollout undo), without its pod-template-hash", async () => {
    release();

    const result = await rollbackDeployment(clients, NS, "api");

    const d = api.get<V1Deployment>("deployments", NS, "api");
    expect([result, d?.spec?.template, d?.metadata?.generation]).toEqual([
      { deployment: "api", toRevision: 1, fromRevision: 2, imageTags: ["v1"] },
      template("v1"),
      5,
    ]);
  });

  it("goes to a given revision, and says which revisions exist when it is gone", async () => {
    release();

    const err = await rollbackDeployment(clients, NS, "api", 7).catch((e: unknown) => e);

    expect([err instanceof OperationalError, (err as Error).message]).toEqual([
      true,
      `Deployment ${NS}/api has no revision 7 to roll back to (revisions kept: 1, 2).`,
    ]);
  });
});

describe("last good releases in the ConfigMap delivery-releases", () => {
  it("creates the ConfigMap, keeps one key per service, and reads back the same JSON", async () => {
    const store = new ConfigMapReleaseStore(clients, NS);
    const apiRelease = { stack: "staging", service: "api", imageTag: "v2", validatedAt: "2026-12-04T17:00:00.000Z", runId: "r1" };

    await store.put("api", apiRelease);
    await store.put("web", { ...apiRelease, service: "web", imageTag: "w7" });

    expect([await store.get("api"), await store.get("web"), await store.get("worker")]).toEqual([
      apiRelease,
      { ...apiRelease, service: "web", imageTag: "w7" },
      undefined,
    ]);
  });
});

describe("the stack lock as a Lease", () => {
  const request = { stack: "staging", who: "ci@runner", what: "deploy v2", leaseSeconds: 1800 };

  it("writes MicroTime with six fractional digits, which the API server requires", async () => {
    const lock = new LeaseStackLock(clients, NS, () => new Date("2026-12-04T17:00:00.123Z"));

    const got = await lock.tryAcquire(request);

    const lease = api.get<V1Lease>("leases", NS, "delivery-lock-staging");
    expect([got.acquired, (lease?.spec as Record<string, unknown>).acquireTime, lease?.spec?.leaseDurationSeconds]).toEqual([
      true,
      "2026-12-04T17:00:00.123000Z",
      1800,
    ]);
  });

  it("lets exactly one of two runs racing for it win; the other is told who holds it", async () => {
    const a = new LeaseStackLock(clients, NS);
    const b = new LeaseStackLock(kubernetesClients({ kubeConfig: api.kubeConfig }), NS);

    const results = await Promise.all([a.tryAcquire(request), b.tryAcquire({ ...request, who: "alice@laptop", what: "rollback" })]);

    const winners = results.filter((r) => r.acquired);
    const loser = results.find((r) => !r.acquired);
    expect([winners.length, loser && !loser.acquired ? loser.holder?.who : undefined]).toEqual([
      1,
      winners[0].acquired ? winners[0].handle.info.who : "",
    ]);
  });

  it("lets only one of two runs take over an expired lease (409 on the stale resourceVersion)", async () => {
    let now = new Date("2026-12-04T17:00:00Z");
    const clock = () => now;
    const first = await new LeaseStackLock(clients, NS, clock).tryAcquire({ ...request, leaseSeconds: 60 });
    now = new Date("2026-12-04T17:05:00Z");

    const results = await Promise.all([
      new LeaseStackLock(clients, NS, clock).tryAcquire({ ...request, who: "a@x" }),
      new LeaseStackLock(clients, NS, clock).tryAcquire({ ...request, who: "b@y" }),
    ]);

    const lease = api.get<V1Lease>("leases", NS, "delivery-lock-staging");
    expect([first.acquired, results.filter((r) => r.acquired).length, lease?.spec?.leaseTransitions]).toEqual([true, 1, 1]);
  });

  it("renews and releases only while this run holds it", async () => {
    const lock = new LeaseStackLock(clients, NS);
    const got = await lock.tryAcquire(request);
    if (!got.acquired) throw new Error("expected the lock");

    await got.handle.renew();
    const released = await got.handle.release();
    const again = await new LeaseStackLock(clients, NS).tryAcquire({ ...request, who: "next@run" });

    expect([released, again.acquired, await got.handle.release()]).toEqual([true, true, false]);
  });
});
