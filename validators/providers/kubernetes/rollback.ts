import { PatchStrategy, setHeaderOptions, type V1Deployment } from "@kubernetes/client-node";
import { OperationalError } from "../../core/errors";
import { call, type KubernetesClients } from "./client";
import { ownedReplicaSets, tagOf } from "./rollout";

const REVISION = "deployment.kubernetes.io/revision";

export interface RollbackResult {
  deployment: string;
  /** The revision whose template the Deployment now has. */
  toRevision: number;
  fromRevision?: number;
  /** Image tags of the restored template's containers. */
  imageTags: string[];
}

/**
 * The fast rollback, as `kubectl rollout undo --to-revision` does it: the Deployment's pod template
 * is replaced with the given revision's ReplicaSet template (its pod-template-hash label removed);
 * the deployment controller then rolls out that ReplicaSet again. Without a revision: the newest
 * revision before the current one.
 */
export async function rollbackDeployment(
  clients: KubernetesClients,
  namespace: string,
  name: string,
  toRevision?: number,
): Promise<RollbackResult> {
  const d: V1Deployment = await call(`reading Deployment ${namespace}/${name}`, clients.server, () =>
    clients.apps.readNamespacedDeployment({ name, namespace }),
  );
  const current = Number(d.metadata?.annotations?.[REVISION] ?? NaN);
  const owned = await ownedReplicaSets(clients, namespace, d);
  const revisions = owned
    .map((rs) => ({ rs, revision: Number(rs.metadata?.annotations?.[REVISION] ?? NaN) }))
    .filter((r) => Number.isInteger(r.revision));
  const target =
    toRevision !== undefined
      ? revisions.find((r) => r.revision === toRevision)
      : revisions.filter((r) => !(r.revision >= current)).sort((a, b) => b.revision - a.revision)[0];
  if (!target?.rs.spec?.template) {
    const known = revisions.map((r) => r.revision).sort((a, b) => a - b);
    throw new OperationalError(
      `Deployment ${namespace}/${name} has no ${toRevision !== undefined ? `revision ${toRevision}` : "revision before the current one"} to roll back to (revisions kept: ${known.join(", ") || "none"}).`,
      "kubernetes:rollback",
    );
  }
  const template = structuredClone(target.rs.spec.template);
  if (template.metadata?.labels) delete template.metadata.labels["pod-template-hash"];
  await call(`patching Deployment ${namespace}/${name} back to revision ${target.revision}`, clients.server, () =>
    clients.apps.patchNamespacedDeployment(
      { name, namespace, body: [{ op: "replace", path: "/spec/template", value: template }] },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    ),
  );
  return {
    deployment: name,
    toRevision: target.revision,
    ...(Number.isInteger(current) ? { fromRevision: current } : {}),
    imageTags: (template.spec?.containers ?? []).map((c) => tagOf(c.image ?? "")),
  };
}
