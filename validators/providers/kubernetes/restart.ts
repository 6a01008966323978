import { PatchStrategy, setHeaderOptions, type V1Deployment } from "@kubernetes/client-node";
import { call, type KubernetesClients } from "./client";

/** The pod template annotation `kubectl rollout restart` sets. */
export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

export interface RestartResult {
  deployment: string;
  /** The annotation's value: when the restart was asked. */
  restartedAt: string;
  /** The Deployment's generation after the patch (the controller rolls it out as a new ReplicaSet). */
  generation: number | null;
}

/**
 * A new rollout of the same revision, as `kubectl rollout restart deployment/<name>` does it: the pod
 * template's `kubectl.kubernetes.io/restartedAt` annotation is set to now (a merge patch), so the
 * template changes, the deployment controller creates a ReplicaSet with the same containers and
 * replaces every pod. Nothing else of the template changes.
 */
export async function restartDeployment(clients: KubernetesClients, namespace: string, name: string, at: Date): Promise<RestartResult> {
  const restartedAt = at.toISOString();
  const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } };
  const d: V1Deployment = await call(`restarting Deployment ${namespace}/${name}`, clients.server, () =>
    clients.apps.patchNamespacedDeployment({ name, namespace, body }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch)),
  );
  return { deployment: name, restartedAt, generation: d.metadata?.generation ?? null };
}
