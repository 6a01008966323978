import { join } from "node:path";
import type { EnvironmentConfig } from "../../../infra/config";
import { renderKubernetesEnvironment, type RenderedResource, type RenderedStack } from "../../../infra/synth/render";
import type { KubernetesManifest } from "../../../contract/manifest";
import { environmentConfig, PROJECT_DIR, resourcesOf, serviceEntry } from "../../support/pulumi";

export const EXAMPLE_DIR = join(PROJECT_DIR, "examples", "kubernetes");

/** Kubernetes resource type tokens the tests look for. */
export const K = {
  configMap: "kubernetes:core/v1:ConfigMap",
  deployment: "kubernetes:apps/v1:Deployment",
  hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  namespace: "kubernetes:core/v1:Namespace",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  prometheusRule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
  provider: "pulumi:providers:kubernetes",
  secret: "kubernetes:core/v1:Secret",
  service: "kubernetes:core/v1:Service",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  virtualService: "kubernetes:networking.istio.io/v1beta1:VirtualService",
} as const;

/** A parsed Kubernetes stack config: api (routed at /api/*) and worker (no path), overridable. */
export function kubeConfig(
  tier: string,
  kubernetes: Record<string, unknown> = {},
  options: { secretPaths?: string[]; services?: Record<string, unknown>[] } = {},
): EnvironmentConfig {
  return environmentConfig(
    {
      tier,
      runtime: "kubernetes",
      kubernetes: { prometheusUrl: "http://prometheus.monitoring:9090", ...kubernetes },
      services: options.services ?? [
        serviceEntry("api", { path: "/api/*", healthCheckPath: "/health", environment: { LOG_LEVEL: "info" } }),
        serviceEntry("worker", { port: 9000, healthCheckPath: "/healthz", dependsOn: ["api"] }),
      ],
    },
    { stack: tier, secretPaths: options.secretPaths },
  );
}

export function renderKube(config: EnvironmentConfig): Promise<RenderedStack<KubernetesManifest>> {
  return renderKubernetesEnvironment(config);
}

/** A Kubernetes object's input by metadata.name (the Kubernetes name, not the Pulumi one). */
export function object(rendered: RenderedStack<KubernetesManifest>, type: string, name: string): RenderedResource {
  const found = resourcesOf(rendered, type).filter((r) => (r.inputs.metadata as { name?: string } | undefined)?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0];
}

/** A nested input by dotted path (`spec.template.spec`), typed by the caller. */
export function at<T = unknown>(resource: RenderedResource, path: string): T {
  let value: unknown = resource.inputs;
  for (const key of path.split(".")) value = (value as Record<string, unknown> | undefined)?.[key];
  return value as T;
}
