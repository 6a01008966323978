import type { Tier } from "../../contract/tiers";

/**
 * Per-tier sizing and placement of a service on Kubernetes: plain functions, tested without Pulumi.
 * The components read these; a stack's config overrides CPU and memory (delivery:kubernetes.services).
 */
export interface KubernetesTierSettings {
  replicas: number;
  /** HorizontalPodAutoscaler bounds, or undefined for none (dev). */
  autoscaling?: { min: number; max: number; cpuTargetPercent: number };
  /** A PodDisruptionBudget keeping this many pods available during voluntary disruptions. */
  minAvailable?: number;
  /** Spread pods across nodes and zones (topologySpreadConstraints). */
  spread: boolean;
}

export const KUBERNETES_TIERS: Record<Tier, KubernetesTierSettings> = {
  local: { replicas: 1, spread: false },
  dev: { replicas: 1, spread: false },
  staging: { replicas: 2, autoscaling: { min: 2, max: 5, cpuTargetPercent: 70 }, spread: false },
  prod: { replicas: 3, autoscaling: { min: 3, max: 20, cpuTargetPercent: 70 }, minAvailable: 2, spread: true },
};

/** What a container asks for and may use, per tier (requests = limits: a predictable QoS). */
export const KUBERNETES_TIER_RESOURCES: Record<Tier, { cpu: string; memory: string }> = {
  local: { cpu: "100m", memory: "128Mi" },
  dev: { cpu: "100m", memory: "128Mi" },
  staging: { cpu: "250m", memory: "256Mi" },
  prod: { cpu: "500m", memory: "512Mi" },
};

/** The rolling update every Deployment uses: a new pod first, no old pod removed before it is ready. */
export const ROLLING_UPDATE = { maxUnavailable: 0, maxSurge: 1 } as const;
export const MIN_READY_SECONDS = 10;
export const REVISION_HISTORY_LIMIT = 10;

/** The recommended labels (app.kubernetes.io/*); the selector omits the version, which changes per release. */
export function serviceLabels(service: string, stack: string, version: string): Record<string, string> {
  return { ...selectorLabels(service, stack), "app.kubernetes.io/version": version, "app.kubernetes.io/managed-by": "pulumi" };
}

export function selectorLabels(service: string, stack: string): Record<string, string> {
  return { "app.kubernetes.io/name": service, "app.kubernetes.io/instance": stack };
}

/** A volume name for a writable path: `/tmp` -> `tmp`, `/var/cache/nginx` -> `var-cache-nginx`. */
export function volumeName(path: string): string {
  const name = path
    .replace(/^\/+|\/+$/g, "")
    .replace(/[^a-z0-9]+/gi, "-")
    .toLowerCase();
  return (name || "root").slice(0, 63);
}

/** Prod pods spread over nodes (hard) and zones (soft: a zone may be down). */
export function topologySpread(tier: Tier, service: string, stack: string) {
  if (!KUBERNETES_TIERS[tier].spread) return undefined;
  const labelSelector = { matchLabels: selectorLabels(service, stack) };
  return [
    { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector },
    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector },
  ];
}

/** The restricted Pod Security Standard, for the pod and its container. */
export const POD_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 10001,
  runAsGroup: 10001,
  fsGroup: 10001,
  seccompProfile: { type: "RuntimeDefault" },
} as const;

export const CONTAINER_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
} as const;

export type KubernetesTraffic = "istio" | "ingress-nginx";
