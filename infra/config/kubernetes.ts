import { z } from "zod";
import { type ConfigProblem, show } from "./errors";
import { KUBERNETES_TRAFFIC, type RuntimeName } from "../../contract/manifest";
import type { Tier } from "../../contract/tiers";
import { KUBERNETES_TIER_RESOURCES } from "../kubernetes/settings";
import type { SecretValue } from "./types";

/** `delivery:kubernetes`: the Kubernetes runtime's keys (`delivery:runtime` is in schema.ts, the runtimes in contract/manifest.ts). */
export type StackRuntime = RuntimeName;

const quantity = (what: string, pattern: RegExp, example: string) =>
  z.string({ error: `expected a Kubernetes ${what} quantity such as ${example}` }).regex(pattern, {
    error: `expected a Kubernetes ${what} quantity such as ${example}`,
  });
const cpuQuantity = quantity("CPU", /^(\d+m|\d+(\.\d+)?)$/, '"250m" or "1"');
const memoryQuantity = quantity("memory", /^\d+(Ki|Mi|Gi|Ti|K|M|G|T)?$/, '"256Mi" or "1Gi"');

/** Per-service settings that only mean something on Kubernetes. */
export const kubernetesServiceSchema = z.strictObject({
  /** @default the tier's (dev 100m, staging 250m, prod 500m) */
  cpu: cpuQuantity.optional(),
  /** @default the tier's (dev 128Mi, staging 256Mi, prod 512Mi) */
  memory: memoryQuantity.optional(),
  /** @default 600 */
  progressDeadlineSeconds: z.number().int().min(30, { error: "must be at least 30 seconds" }).optional(),
  /** Writable directories (emptyDir) under the read-only root filesystem. @default ["/tmp"] */
  writablePaths: z.array(z.string().startsWith("/", { error: "expected an absolute path" })).optional(),
});

export const kubernetesSchema = z.strictObject({
  /** @default "delivery-<stack>" */
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "expected a namespace name: lowercase letters, digits and '-'" })
    .optional(),
  /** The kubeconfig context. @default the current one */
  context: z.string().min(1).optional(),
  /** A whole kubeconfig (a Pulumi secret). @default the ambient kubeconfig (KUBECONFIG, ~/.kube/config) */
  kubeconfig: z.string().min(1).optional(),
  /** @default "istio" */
  traffic: z.enum(KUBERNETES_TRAFFIC, { error: `expected one of ${KUBERNETES_TRAFFIC.join(", ")}` }).optional(),
  /** The Ingress class with traffic ingress-nginx. @default "nginx" */
  ingressClass: z.string().min(1).optional(),
  /** The host routed to the services (Ingress rule or VirtualService host). @default "<stack>.delivery.local" */
  host: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, { error: "expected a host name" })
    .optional(),
  /** The Istio gateway VirtualServices bind to. @default "istio-system/ingressgateway" */
  gateway: z.string().min(1).optional(),
  prometheusUrl: z.url({ protocol: /^https?$/, error: "expected Prometheus' http(s) URL" }),
  /** Service name -> its Kubernetes settings. */
  services: z.record(z.string(), kubernetesServiceSchema).optional(),
  /** Service name -> variable -> a secure value: the service's Secret. */
  secrets: z.record(z.string(), z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string())).optional(),
});

export interface KubernetesServiceSettings {
  cpu: string;
  memory: string;
  progressDeadlineSeconds: number;
  writablePaths: string[];
  /** Variable -> secret value (wrapped in pulumi.secret where used). */
  secrets: Record<string, SecretValue>;
}

export interface KubernetesConfig {
  namespace: string;
  context?: string;
  kubeconfig?: SecretValue;
  traffic: (typeof KUBERNETES_TRAFFIC)[number];
  ingressClass: string;
  host: string;
  gateway: string;
  prometheusUrl: string;
  /** By service name, every service of the stack, with the tier's defaults applied. */
  services: Record<string, KubernetesServiceSettings>;
}

export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

export function defaultNamespace(stack: string): string {
  return `delivery-${stack}`;
}

/**
 * The stack's Kubernetes settings with defaults applied. Pushes a problem for a setting naming an
 * unknown service and for a kubeconfig or secret value given in plain text.
 */
export function resolveKubernetes(
  parsed: z.infer<typeof kubernetesSchema>,
  ctx: { stack: string; tier: Tier; services: readonly string[]; isSecret(path: string): boolean },
  problems: ConfigProblem[],
): KubernetesConfig {
  const root = "delivery:kubernetes";
  const known = new Set(ctx.services);
  for (const section of ["services", "secrets"] as const) {
    for (const name of Object.keys(parsed[section] ?? {})) {
      if (!known.has(name)) {
        problems.push({
          code: "unknown-service",
          path: `${root}.${section}.${name}`,
          message: `names no service; delivery:services lists ${[...known].map((n) => show(n)).join(", ")}.`,
        });
      }
    }
  }
  const secret = (path: string, value: string): SecretValue | undefined => {
    if (ctx.isSecret(path)) return { secret: true, value };
    problems.push({
      code: "plaintext-secret",
      path,
      message: `is a plaintext value; it must be a Pulumi secret. Set it with: pulumi config set --secret --path '${path}' <value>.`,
    });
    return undefined;
  };
  const kubeconfig = parsed.kubeconfig === undefined ? undefined : secret(`${root}.kubeconfig`, parsed.kubeconfig);
  const sizing = KUBERNETES_TIER_RESOURCES[ctx.tier];
  const services: Record<string, KubernetesServiceSettings> = {};
  for (const name of ctx.services) {
    const given = parsed.services?.[name] ?? {};
    const secrets: Record<string, SecretValue> = {};
    for (const [variable, value] of Object.entries(parsed.secrets?.[name] ?? {})) {
      const s = secret(`${root}.secrets.${name}.${variable}`, value);
      if (s) secrets[variable] = s;
    }
    services[name] = {
      cpu: given.cpu ?? sizing.cpu,
      memory: given.memory ?? sizing.memory,
      progressDeadlineSeconds: given.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS,
      writablePaths: given.writablePaths ?? ["/tmp"],
      secrets,
    };
  }
  return {
    namespace: parsed.namespace ?? defaultNamespace(ctx.stack),
    ...(parsed.context ? { context: parsed.context } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    traffic: parsed.traffic ?? "istio",
    ingressClass: parsed.ingressClass ?? "nginx",
    host: parsed.host ?? `${ctx.stack}.delivery.local`,
    gateway: parsed.gateway ?? "istio-system/ingressgateway",
    prometheusUrl: parsed.prometheusUrl,
    services,
  };
}
