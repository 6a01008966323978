import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentConfig } from "../config";
import type { KubernetesConfig } from "../config/kubernetes";
import type { KubernetesManifest } from "../../contract/manifest";
import { grafanaDashboard } from "./dashboardModel";
import { Exposure } from "./exposure";
import { buildKubernetesManifest } from "./manifest";
import { Observability } from "./observability";
import { alertRules } from "./rules";
import { Scaling } from "./scaling";
import { KUBERNETES_TIERS } from "./settings";
import { Workload } from "./workload";

export interface KubernetesEnvironmentArgs {
  /** The stack's config, parsed once (infra/config), with runtime kubernetes. */
  config: EnvironmentConfig;
}

/**
 * One environment on a Kubernetes cluster: a provider (kubeconfig, context or the ambient
 * kubeconfig), the namespace (restricted Pod Security) with a default-deny NetworkPolicy, per
 * service a Workload, its Scaling and its Exposure, the stack's PrometheusRule and Grafana
 * dashboard, and the `deployment` manifest.
 */
export class KubernetesEnvironment extends pulumi.ComponentResource {
  public readonly provider: k8s.Provider;
  public readonly namespace: k8s.core.v1.Namespace;
  public readonly workloads: Record<string, Workload> = {};
  public readonly observability: Observability;
  public readonly deployment: pulumi.Output<KubernetesManifest>;

  constructor(name: string, args: KubernetesEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:kubernetes:Environment", name, {}, opts);
    const config = args.config;
    const cluster = requireKubernetes(config);
    const tier = KUBERNETES_TIERS[config.tier];
    this.provider = new k8s.Provider(
      `${name}-provider`,
      {
        ...(cluster.kubeconfig ? { kubeconfig: pulumi.secret(cluster.kubeconfig.value) } : {}),
        ...(cluster.context ? { context: cluster.context } : {}),
        namespace: cluster.namespace,
      },
      { parent: this },
    );
    const parent = { parent: this, provider: this.provider };
    const labels = { "app.kubernetes.io/instance": config.stack, "app.kubernetes.io/managed-by": "pulumi" };
    this.namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: cluster.namespace,
          labels: {
            ...labels,
            "pod-security.kubernetes.io/enforce": "restricted",
            ...(cluster.traffic === "istio" ? { "istio-injection": "enabled" } : {}),
          },
        },
      },
      parent,
    );
    const namespace = this.namespace.metadata.name;
    new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny`,
      { metadata: { name: "default-deny-ingress", namespace, labels }, spec: { podSelector: {}, policyTypes: ["Ingress"] } },
      parent,
    );

    for (const svc of config.services) {
      const settings = cluster.services[svc.name];
      const child = `${name}-${svc.name}`;
      const workload = new Workload(
        child,
        {
          namespace,
          service: svc.name,
          stack: config.stack,
          tier: config.tier,
          image: svc.image.repository,
          imageTag: svc.image.tag,
          port: svc.port,
          healthCheckPath: svc.healthCheckPath,
          cpu: settings?.cpu,
          memory: settings?.memory,
          replicas: tier.replicas,
          // The tier's HPA owns the count after the first deploy (workload.ts replicaOptions).
          autoscaled: tier.autoscaling !== undefined,
          progressDeadlineSeconds: settings?.progressDeadlineSeconds,
          writablePaths: settings?.writablePaths,
          environment: svc.environment,
          secrets: Object.fromEntries(Object.entries(settings?.secrets ?? {}).map(([k, v]) => [k, v.value])),
          migration: svc.migration,
        },
        parent,
      );
      this.workloads[svc.name] = workload;
      new Scaling(
        child,
        {
          namespace,
          service: svc.name,
          stack: config.stack,
          deploymentName: workload.deploymentName,
          autoscaling: tier.autoscaling,
          minAvailable: tier.minAvailable,
        },
        parent,
      );
      new Exposure(
        child,
        {
          namespace,
          service: svc.name,
          stack: config.stack,
          serviceName: workload.serviceName,
          port: svc.port,
          traffic: cluster.traffic,
          path: svc.path,
          host: cluster.host,
          ingressClass: cluster.ingressClass,
          gateway: cluster.gateway,
        },
        parent,
      );
    }

    const services = config.services.map((s) => ({ name: s.name, deployment: s.name }));
    this.observability = new Observability(
      name,
      {
        namespace,
        stack: config.stack,
        rules: alertRules({
          stack: config.stack,
          namespace: cluster.namespace,
          traffic: cluster.traffic,
          services,
          thresholds: config.alarms,
        }),
        dashboard: grafanaDashboard({
          project: config.project,
          stack: config.stack,
          namespace: cluster.namespace,
          traffic: cluster.traffic,
        }),
      },
      parent,
    );

    // Known once every Deployment is declared: the manifest names what the stack deployed.
    const manifest = buildKubernetesManifest(config, cluster);
    this.deployment = pulumi.all(Object.values(this.workloads).map((w) => w.deploymentName)).apply(() => manifest);
    this.registerOutputs({ deployment: this.deployment });
  }
}

function requireKubernetes(config: EnvironmentConfig): KubernetesConfig {
  if (config.runtime !== "kubernetes" || !config.kubernetes)
    throw new Error(`${config.file}: delivery:runtime is ${config.runtime}; the Kubernetes environment needs runtime kubernetes.`);
  return config.kubernetes;
}

/** Builds the Kubernetes environment for a parsed stack config: named `<project>-<stack>`. */
export function buildKubernetesEnvironment(config: EnvironmentConfig, opts?: pulumi.ComponentResourceOptions): KubernetesEnvironment {
  return new KubernetesEnvironment(`${config.project}-${config.stack}`, { config }, opts);
}
