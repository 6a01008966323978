import type { V1Deployment, V1Pod, V1PodTemplateSpec, V1ReplicaSet } from "@kubernetes/client-node";
import { call, type KubernetesClients } from "./client";

/**
 * What the API server says of a Deployment's rollout, krane-style: the Deployment, its ReplicaSets
 * (the new one by pod-template-hash), and the new ReplicaSet's pods with the reasons they are not
 * running. Plain observations; the checks judge them.
 */
export interface DeploymentObservation {
  name: string;
  generation: number;
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  readyReplicas: number;
  /** The Progressing condition: NewReplicaSetAvailable, ReplicaSetUpdated, ProgressDeadlineExceeded... */
  progressing?: { status: string; reason?: string; message?: string };
  /** deployment.kubernetes.io/revision of the Deployment. */
  revision?: number;
  /** The ReplicaSet whose pod template matches the Deployment's (absent until the controller made it). */
  newReplicaSet?: ReplicaSetObservation;
  /** Every ReplicaSet the Deployment owns, newest revision first. */
  replicaSets: ReplicaSetObservation[];
}

export interface ReplicaSetObservation {
  name: string;
  revision?: number;
  podTemplateHash?: string;
  /** Image tag per container, in order. */
  imageTags: string[];
  replicas: number;
  readyReplicas: number;
  /** ISO time the ReplicaSet was created: when the rollout of its template began. */
  createdAt?: string;
}

export const FAILING_WAIT_REASONS = ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError"] as const;

export interface PodObservation {
  name: string;
  phase?: string;
  ready: boolean;
  /** Restarts of all its containers. */
  restarts: number;
  /** Why a container is not running: waiting reasons and a last termination's (OOMKilled). */
  problems: { container: string; reason: string; message?: string; state: "waiting" | "lastTerminated" }[];
}

const REVISION = "deployment.kubernetes.io/revision";

export async function observeDeployment(clients: KubernetesClients, namespace: string, name: string): Promise<DeploymentObservation> {
  const d = await call(`reading Deployment ${namespace}/${name}`, clients.server, () =>
    clients.apps.readNamespacedDeployment({ name, namespace }),
  );
  const owned = await ownedReplicaSets(clients, namespace, d);
  const templateHash = newReplicaSetHash(d, owned);
  const replicaSets = owned.map(replicaSetObservation).sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
  const progressing = d.status?.conditions?.find((c) => c.type === "Progressing");
  return {
    name,
    generation: d.metadata?.generation ?? 0,
    observedGeneration: d.status?.observedGeneration ?? 0,
    replicas: d.spec?.replicas ?? 1,
    updatedReplicas: d.status?.updatedReplicas ?? 0,
    availableReplicas: d.status?.availableReplicas ?? 0,
    readyReplicas: d.status?.readyReplicas ?? 0,
    ...(progressing ? { progressing: { status: progressing.status, reason: progressing.reason, message: progressing.message } } : {}),
    revision: numberOf(d.metadata?.annotations?.[REVISION]),
    newReplicaSet: replicaSets.find((rs) => templateHash !== undefined && rs.podTemplateHash === templateHash),
    replicaSets,
  };
}

/** The ReplicaSets in the namespace whose controller owner reference is this Deployment. */
export async function ownedReplicaSets(clients: KubernetesClients, namespace: string, d: V1Deployment): Promise<V1ReplicaSet[]> {
  const selector = Object.entries(d.spec?.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const list = await call(`listing ReplicaSets of ${namespace}/${d.metadata?.name}`, clients.server, () =>
    clients.apps.listNamespacedReplicaSet({ namespace, labelSelector: selector }),
  );
  return list.items.filter((rs) =>
    rs.metadata?.ownerReferences?.some((o) => o.kind === "Deployment" && o.uid === d.metadata?.uid && o.controller),
  );
}

/**
 * The new ReplicaSet's pod-template-hash: the ReplicaSet whose template equals the Deployment's
 * (labels aside), as the deployment controller decides; ties go to the highest revision.
 */
function newReplicaSetHash(d: V1Deployment, owned: V1ReplicaSet[]): string | undefined {
  const want = templateKey(d.spec?.template);
  const match = owned
    .filter((rs) => templateKey(rs.spec?.template) === want)
    .sort((a, b) => (numberOf(b.metadata?.annotations?.[REVISION]) ?? 0) - (numberOf(a.metadata?.annotations?.[REVISION]) ?? 0))[0];
  return match?.metadata?.labels?.["pod-template-hash"];
}

function templateKey(template: V1PodTemplateSpec | undefined): string {
  if (!template) return "";
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels["pod-template-hash"];
  return JSON.stringify({ labels, spec: template.spec });
}

function replicaSetObservation(rs: V1ReplicaSet): ReplicaSetObservation {
  return {
    name: rs.metadata?.name ?? "",
    revision: numberOf(rs.metadata?.annotations?.[REVISION]),
    podTemplateHash: rs.metadata?.labels?.["pod-template-hash"],
    imageTags: (rs.spec?.template?.spec?.containers ?? []).map((c) => tagOf(c.image ?? "")),
    replicas: rs.status?.replicas ?? 0,
    readyReplicas: rs.status?.readyReplicas ?? 0,
    ...(rs.metadata?.creationTimestamp ? { createdAt: new Date(rs.metadata.creationTimestamp).toISOString() } : {}),
  };
}

/** The pods of one ReplicaSet (by its pod-template-hash), each with its readiness, restarts and problems. */
export async function observePods(
  clients: KubernetesClients,
  namespace: string,
  replicaSet: Pick<ReplicaSetObservation, "name" | "podTemplateHash">,
): Promise<PodObservation[]> {
  const list = await call(`listing pods of ReplicaSet ${namespace}/${replicaSet.name}`, clients.server, () =>
    clients.core.listNamespacedPod({ namespace, labelSelector: `pod-template-hash=${replicaSet.podTemplateHash ?? ""}` }),
  );
  return list.items
    .filter((p) => p.metadata?.ownerReferences?.some((o) => o.kind === "ReplicaSet" && o.name === replicaSet.name) ?? false)
    .map(podObservation)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function podObservation(pod: V1Pod): PodObservation {
  const statuses = pod.status?.containerStatuses ?? [];
  const problems: PodObservation["problems"] = [];
  for (const s of statuses) {
    const waiting = s.state?.waiting;
    if (waiting?.reason && waiting.reason !== "ContainerCreating" && waiting.reason !== "PodInitializing")
      problems.push({ container: s.name, reason: waiting.reason, message: waiting.message, state: "waiting" });
    const last = s.lastState?.terminated;
    if (last?.reason === "OOMKilled" || (last?.reason === "Error" && last.exitCode !== 0))
      problems.push({ container: s.name, reason: last.reason, message: `exit code ${last.exitCode}`, state: "lastTerminated" });
  }
  return {
    name: pod.metadata?.name ?? "",
    phase: pod.status?.phase,
    ready: pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    restarts: statuses.reduce((sum, s) => sum + s.restartCount, 0),
    problems,
  };
}

export function tagOf(image: string): string {
  const at = image.indexOf("@");
  if (at >= 0) return image.slice(at + 1);
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? image.slice(colon + 1) : "latest";
}

function numberOf(text: string | undefined): number | undefined {
  const n = text === undefined ? NaN : Number(text);
  return Number.isInteger(n) ? n : undefined;
}
