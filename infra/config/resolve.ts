import { resolvePromotion } from "./promotion";
import { checkEnvTemplate, resolveEnvTemplate } from "./envTemplate";
import type { z } from "zod";
import { type ConfigProblem, ConfigError, closest, show } from "./errors";
import {
  alarmsSchema,
  rollingSchema,
  DELIVERY_KEYS,
  deliveryKeySchemas,
  loadBalancerSchema,
  networkSchema,
  notificationsSchema,
  tagsSchema,
} from "./schema";
import { resolvePipeline } from "./pipeline";
import { resolveServices } from "./services";
import { isTier, TIER_DEFAULTS, TIERS, type Tier } from "../../contract/tiers";
import { type KubernetesConfig, kubernetesSchema, resolveKubernetes, type StackRuntime } from "./kubernetes";
import type {
  AlarmsConfig,
  EnvironmentConfig,
  NetworkConfig,
  NotificationsConfig,
  RawStackConfig,
  SecretValue,
  ServiceConfig,
} from "./types";
import { zodProblems } from "./zodProblems";
import { dockerNetworkName, dockerSchema } from "./docker";

/** What a secure value read from a stack file (and not decrypted) stands as. Never shown. */
export const SECRET_PLACEHOLDER = "[secret]";

export const DEFAULT_ALARMS: AlarmsConfig = {
  errorRateWarningPercent: 1,
  errorRateCriticalPercent: 5,
  errorRateFailPercent: 1,
  minRequests: 100,
  p95LatencyMs: 500,
  p99LatencyMs: 1000,
  cpuPercent: 80,
  memoryPercent: 80,
  windowSeconds: 300,
};

/** The AWS services the program uses: the local tier's `aws:endpoints` must point each at the emulator. */
export const EMULATED_SERVICES = [
  "appautoscaling",
  "cloudwatch",
  "codebuild",
  "codepipeline",
  "dynamodb",
  "ec2",
  "ecr",
  "ecs",
  "elbv2",
  "events",
  "iam",
  "kms",
  "logs",
  "s3",
  "sns",
  "ssm",
  "sts",
] as const;

/**
 * Parses a stack's raw config into an EnvironmentConfig, once. Throws a ConfigError listing every
 * problem (file, key path, value seen, what is allowed) when anything is wrong.
 */
export function parseEnvironmentConfig(raw: RawStackConfig): EnvironmentConfig {
  const problems: ConfigProblem[] = [];
  const value = (key: string) => raw.values[`delivery:${key}`];

  for (const full of Object.keys(raw.values)) {
    if (!full.startsWith("delivery:")) continue;
    const key = full.slice("delivery:".length);
    if ((DELIVERY_KEYS as string[]).includes(key)) continue;
    const guess = closest(key, DELIVERY_KEYS);
    problems.push({
      code: "unknown-key",
      path: full,
      message: `is not a known key${guess ? `; did you mean 'delivery:${guess}'?` : ""} Known keys: ${DELIVERY_KEYS.map((k) => `delivery:${k}`).join(", ")}.`,
    });
  }

  const tierValue = value("tier");
  let tier = isTier(tierValue) ? tierValue : undefined;
  if (tierValue === undefined) {
    problems.push({ code: "missing", path: "delivery:tier", message: `is missing; set it to one of ${TIERS.join(", ")}.` });
  } else if (!tier) {
    problems.push({ code: "unknown-tier", path: "delivery:tier", message: `is ${show(tierValue)}; expected one of ${TIERS.join(", ")}.` });
  }
  tier ??= "dev"; // keep checking the rest with some defaults
  const defaults = TIER_DEFAULTS[tier];

  const parse: Parse = (key, schema, options) => {
    const v = options && "value" in options ? options.value : value(key);
    if (v === undefined) return undefined;
    const result = schema.safeParse(v, { reportInput: true });
    if (result.success) return result.data;
    problems.push(...zodProblems(`delivery:${key}`, result.error, schema).map((p) => (options?.mask?.(p.path) ? maskProblem(p) : p)));
    return undefined;
  };

  const servicesRaw = value("services");
  const servicesList = parse("services", deliveryKeySchemas.services);
  if (servicesRaw === undefined) {
    problems.push({ code: "missing", path: "delivery:services", message: "is missing; list at least one service (name, image, port)." });
  }
  const runtime = parse("runtime", deliveryKeySchemas.runtime) ?? "ecs";
  const docker = runtime === "docker";
  const services = servicesList ? resolveServices(servicesList, tier, defaults, problems, { runtime, stack: raw.stack }) : [];
  const dockerConfig = parse("docker", dockerSchema);
  if (docker) checkDockerStack(raw, problems);
  else if (dockerConfig !== undefined)
    problems.push({
      code: "runtime",
      path: "delivery:docker",
      message: `is set, but this stack's runtime is ${runtime}; it applies to the Docker runtime only (set delivery:runtime: docker, or remove it).`,
    });

  const alarms = { ...DEFAULT_ALARMS, ...(parse("alarms", alarmsSchema) ?? {}) };
  if (alarms.errorRateWarningPercent >= alarms.errorRateCriticalPercent) {
    problems.push({
      code: "threshold-order",
      path: "delivery:alarms.errorRateWarningPercent",
      message: `is ${alarms.errorRateWarningPercent}, not below errorRateCriticalPercent ${alarms.errorRateCriticalPercent}; the warning threshold must be lower than the critical one.`,
    });
  }
  if (alarms.p95LatencyMs > alarms.p99LatencyMs) {
    problems.push({
      code: "threshold-order",
      path: "delivery:alarms.p95LatencyMs",
      message: `is ${alarms.p95LatencyMs}, above p99LatencyMs ${alarms.p99LatencyMs}; the p95 threshold must not exceed the p99 one.`,
    });
  }

  const rolling = { ...defaults.rolling, ...(parse("rolling", rollingSchema) ?? {}) };
  if (rolling.maxSurge === 0 && rolling.maxUnavailable === 0) {
    problems.push({
      code: "invalid",
      path: "delivery:rolling",
      message:
        "has maxSurge 0 and maxUnavailable 0; a rolling update could then neither start a new task nor stop an old one: raise one of them.",
    });
  }
  for (const s of services) {
    if (rolling.maxUnavailable >= s.desiredCount) {
      problems.push({
        code: "invalid",
        path: "delivery:rolling.maxUnavailable",
        message: `is ${rolling.maxUnavailable}, not below service ${s.name}'s desiredCount ${s.desiredCount}; a rolling update must keep at least one task serving.`,
      });
    }
  }

  const notifications = resolveNotifications(raw, problems, parse);
  if (runtime === "kubernetes") refuseAwsOnlyNotifications(notifications, problems);
  const network = resolveNetwork(parse("network", networkSchema), problems);
  const lb = parse("loadBalancer", loadBalancerSchema) ?? {};
  const logRetentionDays = parse("logRetentionDays", deliveryKeySchemas.logRetentionDays) ?? defaults.logRetentionDays;
  const tags = parse("tags", tagsSchema) ?? {};
  const promotionRaw = parse("promotion", deliveryKeySchemas.promotion);
  const envTemplateRaw = parse("envTemplate", deliveryKeySchemas.envTemplate);
  const envTemplate = envTemplateRaw ? resolveEnvTemplate(envTemplateRaw) : undefined;
  if (envTemplate && Array.isArray(servicesRaw)) {
    const kubernetesRaw = raw.values["delivery:kubernetes"];
    const kubernetesSecrets =
      typeof kubernetesRaw === "object" && kubernetesRaw !== null ? (kubernetesRaw as Record<string, unknown>).secrets : undefined;
    checkEnvTemplate(envTemplate, servicesRaw, { runtime, isSecret: raw.isSecret, kubernetesSecrets }, problems);
  }
  // A Docker stack runs no AWS pipeline (checkDockerStack reports one that is enabled); the CodePipeline deploys to ECS,
  // so a Kubernetes stack has none either.
  const pipeline = docker || runtime === "kubernetes" ? undefined : resolvePipeline(value("pipeline"), tier, defaults, problems);
  const kubernetes = resolveKubernetesKey(raw, runtime, tier, services, problems, parse);

  // Docker and Kubernetes stacks need no AWS region (their alerts, when any, name one).
  const region = raw.values["aws:region"] ?? (docker || runtime === "kubernetes" ? "" : undefined);
  if (typeof region !== "string" || (region === "" && runtime === "ecs")) {
    problems.push({
      code: "missing",
      path: "aws:region",
      message: `is ${show(region)}; set the AWS region, e.g. pulumi config set aws:region us-east-1.`,
    });
  }
  if (tier === "local" && !docker) checkEmulator(raw, problems);

  if (problems.length > 0) throw new ConfigError(raw.file, problems);
  return {
    project: raw.project,
    stack: raw.stack,
    file: raw.file,
    tier,
    runtime,
    ...(docker
      ? {
          docker: {
            ...(dockerConfig?.host ? { host: dockerConfig.host } : {}),
            network: dockerNetworkName(raw.stack, dockerConfig?.network),
          },
        }
      : {}),
    region: region as string,
    services,
    alarms,
    rolling,
    notifications,
    network,
    loadBalancer: {
      certificateArn: lb.certificateArn,
      sslPolicy: lb.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06",
      idleTimeoutSeconds: lb.idleTimeoutSeconds ?? 60,
      accessLogs: lb.accessLogs ?? tier === "prod",
    },
    logRetentionDays,
    deletionProtection: defaults.deletionProtection,
    tags: { environment: raw.stack, "managed-by": "pulumi", project: raw.project, ...tags },
    pipeline,
    ...(kubernetes ? { kubernetes } : {}),
    ...(promotionRaw ? { promotion: resolvePromotion(promotionRaw, tier) } : {}),
    ...(envTemplate ? { envTemplate } : {}),
  };
}

/** `delivery:kubernetes`: required with runtime kubernetes, refused with another runtime. */
function resolveKubernetesKey(
  raw: RawStackConfig,
  runtime: StackRuntime,
  tier: Tier,
  services: readonly ServiceConfig[],
  problems: ConfigProblem[],
  parse: Parse,
): KubernetesConfig | undefined {
  const given = raw.values["delivery:kubernetes"];
  if (runtime !== "kubernetes") {
    if (given !== undefined) {
      problems.push({
        code: "invalid",
        path: "delivery:kubernetes",
        message: `is set, but delivery:runtime is ${show(runtime)}; set delivery:runtime: kubernetes or remove it.`,
      });
    }
    return undefined;
  }
  if (given === undefined) {
    problems.push({
      code: "missing",
      path: "delivery:kubernetes",
      message: "is missing; a Kubernetes stack needs at least { prometheusUrl } (namespace, context, traffic... are optional).",
    });
    return undefined;
  }
  const masked = (path: string) => path === "delivery:kubernetes.kubeconfig" || path.startsWith("delivery:kubernetes.secrets.");
  const parsed = parse("kubernetes", kubernetesSchema, { mask: masked });
  if (!parsed) return undefined;
  const names = services.map((s) => s.name);
  return resolveKubernetes(parsed, { stack: raw.stack, tier, services: names, isSecret: raw.isSecret }, problems);
}

/** Parses one `delivery:` key (or the given value for it), pushing its problems; undefined when absent or invalid. */
type Parse = <S extends z.ZodType>(
  key: string,
  schema: S,
  options?: { value?: unknown; mask?: (path: string) => boolean },
) => z.infer<S> | undefined;

function resolveNotifications(raw: RawStackConfig, problems: ConfigProblem[], parse: Parse): NotificationsConfig {
  const secretKeys = ["slackWebhookUrl", "pagerDutyRoutingKey", "pagerDutyIntegrationUrl"] as const;
  const rawValue = raw.values["delivery:notifications"];
  const given = typeof rawValue === "object" && rawValue !== null ? (rawValue as Record<string, unknown>) : {};
  // A secure value read from a stack file is not decrypted: check that it is a secret, not its format.
  const placeholders = new Set(secretKeys.filter((k) => given[k] === SECRET_PLACEHOLDER));
  const checkable =
    typeof rawValue === "object" && rawValue !== null
      ? Object.fromEntries(Object.entries(given).filter(([k]) => !placeholders.has(k as (typeof secretKeys)[number])))
      : rawValue;
  const masked = (path: string) => secretKeys.some((k) => path === `delivery:notifications.${k}`);
  const parsed = rawValue === undefined ? undefined : parse("notifications", notificationsSchema, { value: checkable, mask: masked });
  const out: NotificationsConfig = { emails: parsed?.emails ?? [], ...(parsed?.slack ? { slack: parsed.slack } : {}) };
  for (const key of secretKeys) {
    const v = given[key];
    if (typeof v !== "string") continue;
    const path = `delivery:notifications.${key}`;
    if (!raw.isSecret(path)) {
      problems.push({
        code: "plaintext-secret",
        path,
        message: `is a plaintext value; it must be a Pulumi secret. Set it with: pulumi config set --secret --path '${path}' <value>.`,
      });
      continue;
    }
    const secret: SecretValue = { secret: true, value: v };
    out[key] = secret;
  }
  return out;
}

/** Chatbot and the PagerDuty subscription hang off the SNS alert topics, which only an ECS stack has. */
function refuseAwsOnlyNotifications(notifications: NotificationsConfig, problems: ConfigProblem[]): void {
  for (const key of ["slack", "pagerDutyIntegrationUrl"] as const) {
    if (notifications[key] === undefined) continue;
    problems.push({
      code: "runtime",
      path: `delivery:notifications.${key}`,
      message: `is set, but this stack's runtime is kubernetes; it subscribes to the SNS alert topics, which only an ECS stack creates. Remove it (deployctl's own alerts use slackWebhookUrl and pagerDutyRoutingKey).`,
    });
  }
}

function maskProblem(p: ConfigProblem): ConfigProblem {
  return { ...p, message: p.message.replace(/^is (".*?"|\S+);/, "is [secret];") };
}

function resolveNetwork(net: z.infer<typeof networkSchema> | undefined, problems: ConfigProblem[]): NetworkConfig {
  if (!net || net.vpcId === undefined) {
    if (net?.publicSubnetIds || net?.privateSubnetIds) {
      problems.push({
        code: "invalid",
        path: "delivery:network.vpcId",
        message: "is missing; publicSubnetIds and privateSubnetIds need the vpcId they belong to (or remove them to create a VPC).",
      });
    }
    return { kind: "create", cidrBlock: net?.cidrBlock ?? "10.0.0.0/16", availabilityZoneCount: 2 };
  }
  if (net.cidrBlock) {
    problems.push({
      code: "invalid",
      path: "delivery:network.cidrBlock",
      message: `is ${show(net.cidrBlock)}; it only applies when the stack creates its VPC, not with vpcId.`,
    });
  }
  for (const key of ["publicSubnetIds", "privateSubnetIds"] as const) {
    const ids = net[key];
    if (!ids || ids.length < 2) {
      problems.push({
        code: "invalid",
        path: `delivery:network.${key}`,
        message: `is ${show(ids)}; with vpcId, list at least two subnets in different availability zones.`,
      });
    }
  }
  return { kind: "existing", vpcId: net.vpcId, publicSubnetIds: net.publicSubnetIds ?? [], privateSubnetIds: net.privateSubnetIds ?? [] };
}

function checkEmulator(raw: RawStackConfig, problems: ConfigProblem[]): void {
  const endpoints = raw.values["aws:endpoints"];
  const configured = new Set<string>();
  if (Array.isArray(endpoints)) {
    for (const e of endpoints) if (typeof e === "object" && e !== null) Object.keys(e).forEach((k) => configured.add(k));
  }
  const missing = EMULATED_SERVICES.filter((s) => !configured.has(s));
  if (missing.length > 0) {
    problems.push({
      code: "emulator",
      path: "aws:endpoints",
      message: `${endpoints === undefined ? "is missing" : `has no endpoint for ${missing.join(", ")}`}; the local tier sends every AWS service it uses to the emulator: list ${EMULATED_SERVICES.join(", ")}.`,
    });
  }
  for (const flag of ["aws:skipCredentialsValidation", "aws:skipRequestingAccountId"]) {
    const v = raw.values[flag];
    if (v !== true && v !== "true") {
      problems.push({
        code: "emulator",
        path: flag,
        message: `is ${show(v)}; the local tier needs it set to true (the emulator has no real credentials).`,
      });
    }
  }
}

/** What a Docker stack does not have: AWS networking, a load balancer, alert topics, a CodePipeline. */
function checkDockerStack(raw: RawStackConfig, problems: ConfigProblem[]): void {
  const why: Record<string, string> = {
    network: "a Docker stack has no VPC; its containers share the network delivery:docker.network",
    loadBalancer: "a Docker stack has no load balancer; each service's first container is published on its hostPort",
  };
  for (const [key, reason] of Object.entries(why)) {
    if (raw.values[`delivery:${key}`] !== undefined)
      problems.push({ code: "runtime", path: `delivery:${key}`, message: `is set; ${reason}. Remove it (or use delivery:runtime: ecs).` });
  }
  const notifications = raw.values["delivery:notifications"];
  const given = typeof notifications === "object" && notifications !== null ? (notifications as Record<string, unknown>) : {};
  const listed = Object.entries(given).filter(([, v]) => !(Array.isArray(v) && v.length === 0));
  if (listed.length > 0)
    problems.push({
      code: "runtime",
      path: "delivery:notifications",
      message: `lists ${listed.map(([k]) => k).join(", ")}; a Docker stack creates no alert topics. Remove them (or use delivery:runtime: ecs).`,
    });
  const pipeline = raw.values["delivery:pipeline"];
  const enabled = typeof pipeline === "object" && pipeline !== null ? (pipeline as Record<string, unknown>).enabled : undefined;
  if (pipeline !== undefined && enabled !== false)
    problems.push({
      code: "runtime",
      path: "delivery:pipeline",
      message:
        "is set; the delivery pipeline runs on AWS CodePipeline, which a Docker stack does not use. Remove it or set enabled: false.",
    });
}
