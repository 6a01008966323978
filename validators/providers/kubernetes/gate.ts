import type { V1Deployment } from "@kubernetes/client-node";
import type { KubernetesManifest } from "../../../contract/manifest";
import type { AlertsObservation, GateObserver, GateRolloutObservation, ImageObservation } from "../gateObservations";
import { type RegistryOptions, registryTagExists } from "../oci/registry";
import type { RolloutState } from "../runtime";
import { call, type KubernetesClients, statusOf } from "./client";
import { type FetchLike, PrometheusMetrics } from "./prometheus";

export interface KubernetesGateOptions {
  /** Prometheus' fetch. @default globalThis.fetch */
  fetch?: FetchLike;
  /** The registries' fetch and timeout (the image check). */
  registry?: RegistryOptions;
  /** When the alerts are read. @default now */
  now?: () => Date;
}

/**
 * The gate's observations of a Kubernetes stack: the new tag in each service's image registry (the
 * OCI distribution API), the alerts firing in the stack's namespace (Prometheus' `ALERTS`), and
 * each Deployment's rollout (observedGeneration, updatedReplicas, the Progressing condition).
 */
export class KubernetesGateObserver implements GateObserver {
  readonly name = "kubernetes" as const;
  private readonly namespace: string;

  constructor(
    private readonly manifest: KubernetesManifest,
    private readonly clients: KubernetesClients,
    private readonly options: KubernetesGateOptions = {},
  ) {
    this.namespace = manifest.kubernetes.namespace;
  }

  private selected(names: readonly string[]) {
    return this.manifest.services.filter((s) => names.includes(s.name));
  }

  async images(services: readonly string[], tag: string): Promise<Map<string, ImageObservation>> {
    const selected = this.selected(services);
    const answers = await Promise.all(selected.map((s) => registryTagExists(s.image, tag, this.options.registry)));
    return new Map(selected.map((s, i) => [s.name, answers[i] as ImageObservation]));
  }

  async alerts(): Promise<AlertsObservation> {
    const query = `ALERTS{alertstate="firing", namespace="${this.namespace}"}`;
    const prometheus = new PrometheusMetrics({
      url: this.manifest.prometheus.url,
      traffic: this.manifest.prometheus.traffic,
      fetch: this.options.fetch,
    });
    const series = await prometheus.series(query, this.options.now?.());
    const firing = series
      .map((labels) => {
        const { alertname = "(unnamed)", alertstate: _state, __name__: _name, namespace: _ns, ...rest } = labels;
        const reason = Object.entries(rest)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${v}`)
          .join(", ");
        return { name: alertname, reason, since: null };
      })
      .sort((a, b) => a.name.localeCompare(b.name) || a.reason.localeCompare(b.reason));
    return {
      kind: "alerts",
      words: { alert: "alert", state: "firing", scope: `of namespace ${this.namespace}` },
      asked: { namespace: this.namespace, query },
      firing,
    };
  }

  async rollouts(services: readonly string[]): Promise<Map<string, GateRolloutObservation>> {
    const selected = this.selected(services);
    const found = await Promise.all(selected.map((s) => this.deployment(s.deployment)));
    return new Map(selected.map((s, i) => [s.name, kubernetesGateRollout(s.deployment, this.namespace, found[i])]));
  }

  private async deployment(name: string): Promise<V1Deployment | undefined> {
    try {
      return await this.clients.apps.readNamespacedDeployment({ name, namespace: this.namespace });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      return call(`reading Deployment ${this.namespace}/${name}`, this.clients.server, () => Promise.reject(err));
    }
  }
}

/**
 * A Deployment as the gate sees it. In progress while the controller has not observed the newest
 * generation, fewer replicas than desired are updated, old replicas remain, or the
 * Progressing condition says anything but NewReplicaSetAvailable; FAILED on ProgressDeadlineExceeded.
 */
export function kubernetesGateRollout(name: string, namespace: string, d: V1Deployment | undefined): GateRolloutObservation {
  const base = { name: `Deployment ${name}`, fullName: `Deployment ${name} in namespace ${namespace}`, revisionWord: "Revision" };
  if (!d)
    return { ...base, found: false, revision: null, stateReason: null, runs: "(none)", running: 0, desired: 0, facts: { found: false } };
  const status = d.status ?? {};
  const progressing = status.conditions?.find((c) => c.type === "Progressing");
  const desired = d.spec?.replicas ?? 1;
  const facts = {
    deployment: name,
    revision: d.metadata?.annotations?.["deployment.kubernetes.io/revision"] ?? null,
    generation: d.metadata?.generation ?? 0,
    observedGeneration: status.observedGeneration ?? 0,
    replicas: status.replicas ?? 0,
    updatedReplicas: status.updatedReplicas ?? 0,
    availableReplicas: status.availableReplicas ?? 0,
    desired,
    progressing: progressing?.reason ?? null,
  };
  let state: RolloutState = "COMPLETED";
  if (progressing?.reason === "ProgressDeadlineExceeded") state = "FAILED";
  else if (
    facts.observedGeneration < facts.generation ||
    facts.updatedReplicas < desired ||
    facts.replicas > facts.updatedReplicas ||
    (progressing !== undefined && progressing.reason !== "NewReplicaSetAvailable")
  )
    state = "IN_PROGRESS";
  return {
    ...base,
    found: true,
    state,
    revision: facts.revision,
    stateReason: progressing?.message ?? progressing?.reason ?? null,
    runs: (d.spec?.template.spec?.containers ?? []).map((c) => c.image ?? "?").join(", ") || "(no containers)",
    running: facts.availableReplicas,
    desired,
    facts,
  };
}
