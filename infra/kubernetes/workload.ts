import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Tier } from "../../contract/tiers";
import {
  CONTAINER_SECURITY_CONTEXT,
  KUBERNETES_TIER_RESOURCES,
  KUBERNETES_TIERS,
  MIN_READY_SECONDS,
  POD_SECURITY_CONTEXT,
  REVISION_HISTORY_LIMIT,
  ROLLING_UPDATE,
  selectorLabels,
  serviceLabels,
  topologySpread,
  volumeName,
} from "./settings";
import type { MigrationConfig } from "../config/migration";
import { MigrationJob } from "./migrationJob";

/**
 * The args of one service's workload: names, numbers and strings (the namespace may be another
 * resource's output); every optional field says its default, most of them the tier's.
 */
export interface WorkloadArgs {
  namespace: pulumi.Input<string>;
  /** The service's name: the Deployment, Service, ServiceAccount... are named after it. */
  service: string;
  /** The stack: label `app.kubernetes.io/instance`. */
  stack: string;
  /** Sizes, replicas and placement follow the tier (settings.ts). @default "dev" */
  tier?: Tier;
  /** The full image reference without tag, e.g. `registry.example.com/api`. */
  image: pulumi.Input<string>;
  /** The release: the image's tag and label `app.kubernetes.io/version`. */
  imageTag: string;
  /** The container port (named `http`: probes and the Service use the name). */
  port: pulumi.Input<number>;
  /** @default "/health" */
  healthCheckPath?: pulumi.Input<string>;
  /** @default the tier's (dev 100m, staging 250m, prod 500m) */
  cpu?: pulumi.Input<string>;
  /** @default the tier's (dev 128Mi, staging 256Mi, prod 512Mi) */
  memory?: pulumi.Input<string>;
  /** With `autoscaled`, the initial count only. @default the tier's (dev 1, staging 2, prod 3) */
  replicas?: pulumi.Input<number>;
  /**
   * A HorizontalPodAutoscaler owns the Deployment's `spec.replicas`: `replicas` is set when the
   * Deployment is created, and later updates leave the count the autoscaler chose alone
   * (`ignoreChanges: ["spec.replicas"]`, see replicaOptions). @default false
   */
  autoscaled?: boolean;
  /** @default 600 */
  progressDeadlineSeconds?: pulumi.Input<number>;
  /** Writable directories mounted as emptyDir under the read-only root. @default ["/tmp"] */
  writablePaths?: string[];
  /** Plain environment (a ConfigMap). @default {} */
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Secret environment (a Secret); every value is wrapped with pulumi.secret. @default {} */
  secrets?: Record<string, pulumi.Input<string>>;
  /** A migration Job the Deployment waits for (issue 15). @default none */
  migration?: MigrationConfig;
}

/** The defaults of WorkloadArgs that are not the tier's. */
export const WORKLOAD_DEFAULTS = {
  tier: "dev",
  healthCheckPath: "/health",
  progressDeadlineSeconds: 600,
  writablePaths: ["/tmp"],
} as const;

/**
 * The Deployment's resource options for who owns its replica count. With an autoscaler, Pulumi
 * sets the initial count and then ignores `spec.replicas`: otherwise every `pulumi up` would put
 * back the configured count over the one the HPA chose (and, with server-side apply, conflict with
 * the HPA's field manager). Pulumi's Kubernetes provider recommends `ignoreChanges` for a field
 * another controller manages (pulumi/pulumi-kubernetes#2258, "Managing Resources with Server-Side
 * Apply": handle field conflicts); leaving replicas out would start every new Deployment at 1 pod,
 * below the tier's minimum, until the autoscaler's first sync.
 */
export function replicaOptions(autoscaled: boolean): Pick<pulumi.CustomResourceOptions, "ignoreChanges"> {
  return autoscaled ? { ignoreChanges: ["spec.replicas"] } : {};
}

/**
 * What runs one service: its ServiceAccount, ConfigMap and Secret, the Deployment (rolling update
 * that never drops below the desired pods, probes, tier sizing, restricted security context, prod
 * pods spread over nodes and zones) and the ClusterIP Service in front of it.
 */
export class Workload extends pulumi.ComponentResource {
  public readonly deploymentName: pulumi.Output<string>;
  public readonly serviceName: pulumi.Output<string>;
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;
  /** The release's migration Job, when the service has a migration. */
  public readonly migration?: MigrationJob;

  constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:kubernetes:Workload", name, {}, opts);
    const parent = { parent: this };
    const tierName = args.tier ?? WORKLOAD_DEFAULTS.tier;
    const tier = KUBERNETES_TIERS[tierName];
    const labels = serviceLabels(args.service, args.stack, args.imageTag);
    const selector = selectorLabels(args.service, args.stack);
    const meta = (suffix = "") => ({ name: `${args.service}${suffix}`, namespace: args.namespace, labels });
    const writable = args.writablePaths ?? [...WORKLOAD_DEFAULTS.writablePaths];
    const healthPath = args.healthCheckPath ?? WORKLOAD_DEFAULTS.healthCheckPath;

    const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: meta(), automountServiceAccountToken: false }, parent);
    const config = new k8s.core.v1.ConfigMap(`${name}-config`, { metadata: meta("-config"), data: args.environment ?? {} }, parent);
    const secretData = Object.fromEntries(Object.entries(args.secrets ?? {}).map(([k, v]) => [k, pulumi.secret(v)]));
    const secret = new k8s.core.v1.Secret(`${name}-secret`, { metadata: meta("-secret"), type: "Opaque", stringData: secretData }, parent);

    const probe = (failureThreshold: number, periodSeconds: number) => ({
      httpGet: { path: healthPath, port: "http" },
      periodSeconds,
      failureThreshold,
      timeoutSeconds: 2,
    });
    const sizing = KUBERNETES_TIER_RESOURCES[tierName];
    const resources = { cpu: args.cpu ?? sizing.cpu, memory: args.memory ?? sizing.memory };
    if (args.migration)
      this.migration = new MigrationJob(
        `${name}-migration`,
        {
          namespace: args.namespace,
          service: args.service,
          stack: args.stack,
          image: args.image,
          imageTag: args.imageTag,
          migration: args.migration,
          serviceAccountName: account.metadata.name,
          configMapName: config.metadata.name,
          secretName: secret.metadata.name,
          resources,
          writablePaths: writable,
        },
        parent,
      );
    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: meta(),
        spec: {
          replicas: args.replicas ?? tier.replicas,
          selector: { matchLabels: selector },
          strategy: { type: "RollingUpdate", rollingUpdate: { ...ROLLING_UPDATE } },
          minReadySeconds: MIN_READY_SECONDS,
          progressDeadlineSeconds: args.progressDeadlineSeconds ?? WORKLOAD_DEFAULTS.progressDeadlineSeconds,
          revisionHistoryLimit: REVISION_HISTORY_LIMIT,
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: account.metadata.name,
              automountServiceAccountToken: false,
              securityContext: { ...POD_SECURITY_CONTEXT },
              topologySpreadConstraints: topologySpread(tierName, args.service, args.stack),
              containers: [
                {
                  name: args.service,
                  image: pulumi.interpolate`${args.image}:${args.imageTag}`,
                  ports: [{ name: "http", containerPort: args.port, protocol: "TCP" }],
                  envFrom: [{ configMapRef: { name: config.metadata.name } }, { secretRef: { name: secret.metadata.name } }],
                  readinessProbe: probe(3, 5),
                  livenessProbe: { ...probe(3, 10), initialDelaySeconds: 10 },
                  resources: { requests: resources, limits: resources },
                  securityContext: { ...CONTAINER_SECURITY_CONTEXT, capabilities: { drop: ["ALL"] } },
                  volumeMounts: writable.map((path) => ({ name: volumeName(path), mountPath: path })),
                },
              ],
              volumes: writable.map((path) => ({ name: volumeName(path), emptyDir: {} })),
            },
          },
        },
      },
      // The migration completes before the new revision rolls out (pulumi up waits for the Job).
      { parent: this, dependsOn: this.migration ? [this.migration.job] : [], ...replicaOptions(args.autoscaled ?? false) },
    );

    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: meta(),
        spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
      },
      parent,
    );
    this.deploymentName = this.deployment.metadata.name;
    this.serviceName = this.service.metadata.name;
    this.registerOutputs({ deploymentName: this.deploymentName, serviceName: this.serviceName });
  }
}
