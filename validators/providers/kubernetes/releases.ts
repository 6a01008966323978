import type { V1ConfigMap } from "@kubernetes/client-node";
import { OperationalError } from "../../core/errors";
import { call, type KubernetesClients, statusOf } from "./client";

/** The ConfigMap, in the stack's namespace, that keeps each service's last good release. */
export const RELEASES_CONFIGMAP = "delivery-releases";

/**
 * Last good releases on a Kubernetes stack: one key per service in the ConfigMap delivery-releases,
 * its value the release's JSON (the same document as on ECS). Writes are optimistic: a concurrent
 * writer's change (resourceVersion) makes the write start over from the new content.
 */
export class ConfigMapReleaseStore {
  constructor(
    private readonly clients: KubernetesClients,
    private readonly namespace: string,
  ) {}

  /** The service's last good release as stored (parse it with the release schema), or undefined. */
  async get(service: string): Promise<unknown> {
    const cm = await this.read();
    const text = cm?.data?.[service];
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new OperationalError(
        `ConfigMap ${this.namespace}/${RELEASES_CONFIGMAP} key ${service} is not JSON; fix or remove it.`,
        "kubernetes:releases",
        { cause: err },
      );
    }
  }

  /** Stores the service's release, retrying on a concurrent change (409). */
  async put(service: string, release: unknown, attempts = 5): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const cm = await this.read();
      const body: V1ConfigMap = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: RELEASES_CONFIGMAP,
          namespace: this.namespace,
          labels: { "app.kubernetes.io/managed-by": "deployctl" },
          ...(cm?.metadata?.resourceVersion ? { resourceVersion: cm.metadata.resourceVersion } : {}),
        },
        data: { ...(cm?.data ?? {}), [service]: JSON.stringify(release) },
      };
      try {
        if (cm) await this.clients.core.replaceNamespacedConfigMap({ name: RELEASES_CONFIGMAP, namespace: this.namespace, body });
        else await this.clients.core.createNamespacedConfigMap({ namespace: this.namespace, body });
        return;
      } catch (err) {
        if (statusOf(err) === 409 && attempt < attempts) continue;
        throw new OperationalError(
          `Kubernetes API at ${this.clients.server}: writing ${service}'s release to ConfigMap ${this.namespace}/${RELEASES_CONFIGMAP} failed (${statusOf(err) !== undefined ? `HTTP ${statusOf(err)}` : String(err)})`,
          "kubernetes:releases",
          { cause: err },
        );
      }
    }
  }

  private async read(): Promise<V1ConfigMap | undefined> {
    try {
      return await this.clients.core.readNamespacedConfigMap({ name: RELEASES_CONFIGMAP, namespace: this.namespace });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      return call(`reading ConfigMap ${this.namespace}/${RELEASES_CONFIGMAP}`, this.clients.server, () => Promise.reject(err));
    }
  }
}
