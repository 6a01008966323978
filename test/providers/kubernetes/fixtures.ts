/** Objects as the API server returns them, typed with the client's models. */
import type { V1ContainerStatus, V1Deployment, V1Pod, V1PodTemplateSpec, V1ReplicaSet } from "@kubernetes/client-node";

export const NS = "delivery-staging";
const UID = "5f0c1a52-7d1e-4b8e-9c3a-1d2e3f4a5b6c";
const selector = { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "staging" };

export function template(tag: string): V1PodTemplateSpec {
  return {
    metadata: { labels: { ...selector, "app.kubernetes.io/version": tag } },
    spec: {
      containers: [{ name: "api", image: `registry.example.com/delivery/api:${tag}`, ports: [{ name: "http", containerPort: 8080 }] }],
    },
  };
}

/** The Deployment `api` running `tag` at `revision`; status fields overridable. */
export function deployment(
  tag: string,
  revision: number,
  status: Partial<NonNullable<V1Deployment["status"]>> & { reason?: string } = {},
): V1Deployment {
  const { reason = "NewReplicaSetAvailable", ...rest } = status;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "api",
      namespace: NS,
      uid: UID,
      generation: 4,
      labels: selector,
      annotations: { "deployment.kubernetes.io/revision": String(revision) },
    },
    spec: { replicas: 2, selector: { matchLabels: selector }, template: template(tag) },
    status: {
      observedGeneration: 4,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      conditions: [
        { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
        {
          type: "Progressing",
          status: reason === "ProgressDeadlineExceeded" ? "False" : "True",
          reason,
          message:
            reason === "ProgressDeadlineExceeded" ? 'ReplicaSet "api-7c9d" has timed out progressing.' : `ReplicaSet "api" is progressing.`,
        },
      ],
      ...rest,
    },
  };
}

export function replicaSet(tag: string, revision: number, hash: string, replicas: number, ready = replicas): V1ReplicaSet {
  const t = template(tag);
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `api-${hash}`,
      namespace: NS,
      labels: { ...t.metadata?.labels, "pod-template-hash": hash },
      annotations: { "deployment.kubernetes.io/revision": String(revision) },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "api", uid: UID, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas,
      selector: { matchLabels: { ...selector, "pod-template-hash": hash } },
      template: { ...t, metadata: { labels: { ...t.metadata?.labels, "pod-template-hash": hash } } },
    },
    status: { replicas, readyReplicas: ready, availableReplicas: ready },
  };
}

export function pod(hash: string, suffix: string, container: Partial<V1ContainerStatus> = {}): V1Pod {
  const ready = container.ready ?? true;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `api-${hash}-${suffix}`,
      namespace: NS,
      labels: { ...selector, "pod-template-hash": hash },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `api-${hash}`, uid: `rs-${hash}`, controller: true }],
    },
    spec: { containers: [{ name: "api", image: "registry.example.com/delivery/api" }] },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      containerStatuses: [
        {
          name: "api",
          image: "registry.example.com/delivery/api",
          imageID: "",
          ready,
          restartCount: 0,
          started: ready,
          state: ready ? { running: { startedAt: new Date("2026-12-04T17:00:00Z") } } : {},
          ...container,
        },
      ],
    },
  };
}
