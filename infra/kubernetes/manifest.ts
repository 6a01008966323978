import { deployOrder, type EnvironmentConfig } from "../config";
import type { KubernetesConfig } from "../config/kubernetes";
import { MANIFEST_SCHEMA_VERSION, type KubernetesManifest } from "../../contract/manifest";
import { manifestThresholds } from "../components/lib/manifest";
import { routePrefix } from "./exposure";

/** Where the smoke check calls a service: through the route when it has a path, else its in-cluster name. */
export function kubernetesServiceUrl(k8s: Pick<KubernetesConfig, "host" | "namespace">, service: string, path?: string): string {
  if (path === undefined) return `http://${service}.${k8s.namespace}.svc.cluster.local`;
  const prefix = routePrefix(path);
  return `http://${k8s.host}${prefix === "/" ? "" : prefix}`;
}

/** The `deployment` stack output of a Kubernetes stack (contract/manifest.ts kubernetesManifestSchema). */
export function buildKubernetesManifest(config: EnvironmentConfig, k8s: KubernetesConfig): KubernetesManifest {
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    runtime: "kubernetes",
    project: config.project,
    stack: config.stack,
    ...(config.region ? { region: config.region } : {}),
    kubernetes: { namespace: k8s.namespace, ...(k8s.context ? { context: k8s.context } : {}) },
    prometheus: { url: k8s.prometheusUrl, traffic: k8s.traffic },
    thresholds: manifestThresholds(config.alarms),
    history: { prefix: `${config.stack}/` },
    services: deployOrder(config.services).map((svc) => ({
      name: svc.name,
      deployment: svc.name,
      image: svc.image.repository,
      imageTag: svc.image.tag,
      url: kubernetesServiceUrl(k8s, svc.name, svc.path),
      healthPath: svc.healthCheckPath,
      smokePaths: [...svc.smokePaths],
      dependsOn: [...svc.dependsOn],
      ...(svc.logs ? { logs: { ...svc.logs } } : {}),
    })),
  };
}
