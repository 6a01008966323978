import { z } from "zod";
import { RUNTIMES } from "../../contract/manifest";
import { dockerSchema, dockerServiceFields } from "./docker";
import { migrationSchema } from "./migration";
import { promotionSchema } from "./promotion";
import { envTemplateSchema } from "../../contract/envTemplate";

/**
 * The shape of each `delivery:` config key, as written in Pulumi.<stack>.yaml. Defaults that depend
 * on the tier are applied later (resolve.ts); cross-field rules live there too. Messages here are the
 * "what is allowed" half of a problem: the loader prefixes the file, key path and value seen.
 */
const positiveInt = (what: string) =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected a whole number (${what})` })
    .positive({
      error: `must be a positive whole number (${what})`,
    });

/**
 * The most tasks one ECS service may run: the "Tasks per service" quota (L-4637F321), 5,000 by
 * default. desiredCount and the autoscaling min and max are bounded by it (Application Auto Scaling
 * would otherwise be asked to scale an ECS service past what ECS accepts).
 */
export const MAX_TASKS_PER_SERVICE = 5000;

const taskCount = () =>
  z
    .number({ error: "expected a whole number of tasks" })
    .int({ error: `must be a whole number of tasks from 1 to ${MAX_TASKS_PER_SERVICE}` })
    .min(1, { error: `must be a whole number of tasks from 1 to ${MAX_TASKS_PER_SERVICE}` })
    .max(MAX_TASKS_PER_SERVICE, {
      error: `must be a whole number of tasks from 1 to ${MAX_TASKS_PER_SERVICE} (ECS's tasks-per-service quota)`,
    });

const dnsName = z.string({ error: "expected a DNS-safe name" }).regex(/^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$/, {
  error: "expected a DNS-safe name: 1 to 24 lowercase letters, digits or '-', starting with a letter",
});

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected an environment variable name" });

/** A registry host with its port, as an image reference may start (`localhost:5000/`, `10.0.0.7:5000/`). */
const REGISTRY_WITH_PORT_SOURCE = "[a-z0-9]+(?:[.-][a-z0-9]+)*:[0-9]{1,5}/";
export const REGISTRY_WITH_PORT = new RegExp(`^${REGISTRY_WITH_PORT_SOURCE}`);
/** An ECR repository name, which is also the path of an image reference: `delivery/api`. */
const REPOSITORY_PATH_SOURCE = "[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*";

export const imageSchema = z.strictObject({
  /** ECS: the ECR repository name. Docker and Kubernetes: the image reference without its tag, maybe with a registry `host:port/`. */
  repository: z
    .string({ error: "expected an image repository" })
    .max(256, { error: "must be at most 256 characters (ECR's limit)" })
    .regex(new RegExp(`^(?:${REGISTRY_WITH_PORT_SOURCE})?${REPOSITORY_PATH_SOURCE}$`), {
      error:
        "expected an image repository: lowercase letters, digits, '.', '_', '-' and '/' (on Docker and Kubernetes it may start with a registry's host:port/, as in localhost:5000/delivery/api)",
    }),
  tag: z
    .string({ error: "expected an image tag" })
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { error: "expected an image tag: letters, digits, '_', '.', '-'" }),
});

export const autoscalingSchema = z.strictObject({
  min: taskCount(),
  max: taskCount(),
  /** @default 60 */
  cpuTargetPercent: z.number().gt(0, { error: "must be between 1 and 100" }).lte(100, { error: "must be between 1 and 100" }).optional(),
});

/** How a service's new releases reach its traffic (issue 8). */
export const DEPLOYMENT_STRATEGIES = ["rolling", "canary", "linear", "blueGreen"] as const;

const minutes = (min: number) =>
  z
    .number({ error: "expected a whole number of minutes" })
    .int({ error: "expected a whole number of minutes" })
    .min(min, { error: `must be from ${min} to 1440 minutes (ECS's limit)` })
    .max(1440, { error: `must be from ${min} to 1440 minutes (ECS's limit)` });

const percent = z
  .number({ error: "expected a percentage of production traffic" })
  .int({ error: "expected a whole percentage from 1 to 100" })
  .min(1, { error: "expected a whole percentage from 1 to 100" })
  .max(100, { error: "expected a whole percentage from 1 to 100" });

export const deploymentSchema = z.strictObject({
  /** @default the tier's (rolling for local, dev and staging; canary for prod) */
  strategy: z.enum(DEPLOYMENT_STRATEGIES, { error: `expected one of ${DEPLOYMENT_STRATEGIES.join(", ")}` }).optional(),
  canary: z
    .strictObject({
      /** Production traffic percentages, each observed stepMinutes. @default [5, 25, 50, 100] */
      steps: z.array(percent, { error: "expected a list of percentages ending at 100, e.g. [5, 25, 50, 100]" }).optional(),
      /** @default 10 */
      stepMinutes: minutes(1).optional(),
      /** Minutes the old revision keeps running after 100% (switching back is instant meanwhile). @default 10 */
      bakeMinutes: minutes(0).optional(),
    })
    .optional(),
  linear: z
    .strictObject({
      /** Traffic shifted per step. @default 25 */
      stepPercent: z
        .number({ error: "expected a percentage of production traffic" })
        .min(3, { error: "must be a multiple of 0.1 from 3 to 100 (ECS's linear step)" })
        .max(100, { error: "must be a multiple of 0.1 from 3 to 100 (ECS's linear step)" })
        .refine((v) => Math.abs(v * 10 - Math.round(v * 10)) < 1e-9, {
          error: "must be a multiple of 0.1 from 3 to 100 (ECS's linear step)",
        })
        .optional(),
      /** @default 10 */
      stepMinutes: minutes(1).optional(),
      /** @default 10 */
      bakeMinutes: minutes(0).optional(),
    })
    .optional(),
  blueGreen: z
    .strictObject({
      /** Minutes the new revision is observed at 100% before the deployment goes on. @default 10 */
      observeMinutes: minutes(1).optional(),
      /** Minutes the old revision keeps running after the switch (switching back is instant meanwhile). @default 30 */
      bakeMinutes: minutes(0).optional(),
    })
    .optional(),
  /** An inconclusive step is observed up to this much longer; then the release is not promoted. @default 20 */
  maxExtensionMinutes: minutes(0).optional(),
});

/** The logs check's rules for a service (`delivery:services[i].logs`); the validator's defaults apply to what is left out. */
export const serviceLogsSchema = z.strictObject({
  /** Only the last this many lines of each task's log stream since the deploy began are judged. @default 100 */
  tailLines: z
    .number({ error: "expected a whole number of lines" })
    .int({ error: "expected a whole number of lines" })
    .min(1, { error: "must be from 1 to 10000 lines (one CloudWatch Logs page)" })
    .max(10_000, { error: "must be from 1 to 10000 lines (one CloudWatch Logs page)" })
    .optional(),
  /** WARN lines allowed among them; one more fails the release. @default 2 */
  maxWarnings: z
    .number({ error: "expected a whole number of lines" })
    .int({ error: "expected a whole number of lines" })
    .min(0, { error: "must be 0 or more lines" })
    .optional(),
  /** A line containing this must appear since the deploy began (the service started). @default none */
  startupMarker: z.string({ error: "expected the text of the service's startup line" }).min(1, { error: "must not be empty" }).optional(),
});

export const serviceSchema = z.strictObject({
  name: dnsName,
  image: imageSchema,
  port: z.number({ error: "expected a port number" }).int().min(1, { error: "must be a port from 1 to 65535" }).max(65535, {
    error: "must be a port from 1 to 65535",
  }),
  /** @default "/health" */
  healthCheckPath: z.string().startsWith("/", { error: "expected a path starting with '/'" }).optional(),
  /** @default the tier's (dev/staging 256, prod 512) */
  cpu: positiveInt("Fargate CPU units").optional(),
  /** @default the tier's (dev/staging 512, prod 1024) */
  memory: positiveInt("MiB").optional(),
  /** @default the tier's (dev 1, staging 2, prod 3) */
  desiredCount: taskCount().optional(),
  /** @default the tier's (staging 2-5, prod 3-20, none below) */
  autoscaling: z.union([autoscalingSchema, z.literal(false)], { error: "expected {min, max, cpuTargetPercent} or false" }).optional(),
  dependsOn: z.array(z.string({ error: "expected a service name" })).optional(),
  environment: z.record(envVarName, z.string({ error: "expected a string value (quote numbers)" })).optional(),
  /** Environment variable name -> Secrets Manager secret or SSM parameter (name or ARN). Never a value. */
  secrets: z
    .union([z.record(envVarName, z.string().min(1)), z.array(z.string().min(1))], {
      error: "expected a map of VARIABLE: parameter-or-secret name, or a list of names",
    })
    .optional(),
  /** Path routing rule on the ALB, for example `/api/*`. */
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9_\-./*?]*$/, { error: "expected a path pattern starting with '/'" })
    .optional(),
  /** Host routing rule on the ALB, for example `api.example.com`. */
  host: z
    .string()
    .regex(/^[A-Za-z0-9*?.-]+$/, { error: "expected a host name" })
    .optional(),
  /** The logs check's rules (tailLines 100, maxWarnings 2, no startup marker by default). */
  logs: serviceLogsSchema.optional(),
  /** Further paths the smoke check GETs after the health path. @default [] */
  smokePaths: z.array(z.string().startsWith("/", { error: "expected a path starting with '/'" })).optional(),
  /** Mount the container's root filesystem read-only. @default false */
  readonlyRootFilesystem: z.boolean().optional(),
  /** How new releases reach traffic: rolling, or progressive (canary, linear, blueGreen). */
  deployment: deploymentSchema.optional(),
  /** A database migration run before each new revision (infra/config/migration.ts). @default none */
  migration: migrationSchema.optional(),
  /** Docker runtime only: replicas, hostPort, writablePaths, build (infra/config/docker.ts). */
  ...dockerServiceFields,
});

export const alarmsSchema = z.strictObject({
  errorRateWarningPercent: z
    .number()
    .gt(0, { error: "must be a percentage above 0" })
    .lte(100, { error: "must be at most 100" })
    .optional(),
  /** A release whose 5xx rate is surely above this fails validation (not an alarm threshold). @default 1 */
  errorRateFailPercent: z.number().gt(0, { error: "must be a percentage above 0" }).lte(100, { error: "must be at most 100" }).optional(),
  errorRateCriticalPercent: z
    .number()
    .gt(0, { error: "must be a percentage above 0" })
    .lte(100, { error: "must be at most 100" })
    .optional(),
  minRequests: z.number().int({ error: "expected a whole number" }).nonnegative({ error: "must be 0 or more" }).optional(),
  p95LatencyMs: z.number().positive({ error: "must be a positive number of milliseconds" }).optional(),
  p99LatencyMs: z.number().positive({ error: "must be a positive number of milliseconds" }).optional(),
  cpuPercent: z.number().gt(0, { error: "must be a percentage above 0" }).lte(100, { error: "must be at most 100" }).optional(),
  memoryPercent: z.number().gt(0, { error: "must be a percentage above 0" }).lte(100, { error: "must be at most 100" }).optional(),
  windowSeconds: z
    .number()
    .int({ error: "expected a whole number of seconds" })
    .min(60, { error: "must be at least 60 seconds" })
    .refine((v) => v % 60 === 0, { error: "must be a multiple of 60 seconds (CloudWatch periods)" })
    .optional(),
});

const wholeCount = (what: string) =>
  z
    .number({ error: `expected a whole number of ${what}` })
    .int({ error: `expected a whole number of ${what}` })
    .min(0, { error: `must be 0 or more ${what}` })
    .max(100, { error: `must be at most 100 ${what}` });

/** A rolling update's bounds; each defaults to the tier's (maxSurge 1, maxUnavailable 0, minReadySeconds 10). */
export const rollingSchema = z.strictObject({
  maxSurge: wholeCount("tasks").optional(),
  maxUnavailable: wholeCount("tasks").optional(),
  minReadySeconds: z
    .number({ error: "expected a whole number of seconds" })
    .int({ error: "expected a whole number of seconds" })
    .min(0, { error: "must be from 0 to 150 seconds (10 health checks 15 s apart, the load balancer's limit)" })
    .max(150, { error: "must be from 0 to 150 seconds (10 health checks 15 s apart, the load balancer's limit)" })
    .optional(),
});

const SLACK_WORKSPACE_ID = "expected a Slack workspace (team) ID: T followed by uppercase letters and digits, e.g. T07EA123LEP";
const SLACK_CHANNEL_ID =
  "expected a Slack channel ID: C (public) or G (private) followed by uppercase letters and digits, e.g. C07EZ1ABC23";

export const notificationsSchema = z.strictObject({
  emails: z.array(z.email({ error: "expected an email address" })).optional(),
  slackWebhookUrl: z.url({ protocol: /^https?$/, error: "expected an https URL (as a Pulumi secret)" }).optional(),
  pagerDutyRoutingKey: z.string().min(1, { error: "expected a routing key (as a Pulumi secret)" }).optional(),
  /** AWS Chatbot posts both alert topics to this Slack channel (the workspace must be authorised in the Chatbot console once). */
  slack: z
    .strictObject({
      workspaceId: z.string({ error: SLACK_WORKSPACE_ID }).regex(/^T[A-Z0-9]+$/, { error: SLACK_WORKSPACE_ID }),
      channelId: z.string({ error: SLACK_CHANNEL_ID }).regex(/^[CG][A-Z0-9]+$/, { error: SLACK_CHANNEL_ID }),
    })
    .optional(),
  /** PagerDuty's Amazon CloudWatch integration URL, subscribed (HTTPS) to the critical topic. A Pulumi secret. */
  pagerDutyIntegrationUrl: z
    .url({
      protocol: /^https$/,
      error: "expected an https URL (as a Pulumi secret), e.g. https://events.pagerduty.com/integration/<key>/enqueue",
    })
    .optional(),
});

export const networkSchema = z.strictObject({
  /** @default "10.0.0.0/16" when the stack creates its VPC */
  cidrBlock: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-4])$/, { error: "expected an IPv4 CIDR from /16 to /24" })
    .optional(),
  vpcId: z
    .string()
    .regex(/^vpc-[0-9a-f]+$/, { error: "expected a VPC id (vpc-...)" })
    .optional(),
  publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, { error: "expected a subnet id (subnet-...)" })).optional(),
  privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, { error: "expected a subnet id (subnet-...)" })).optional(),
});

export const loadBalancerSchema = z.strictObject({
  /** ACM certificate: adds an HTTPS listener and turns HTTP into a redirect. */
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, {
      error: "expected an ACM certificate ARN",
    })
    .optional(),
  /** @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
  sslPolicy: z.string().min(1).optional(),
  /** @default 60 */
  idleTimeoutSeconds: z.number().int().min(1).max(4000, { error: "must be from 1 to 4000 seconds" }).optional(),
  /** Write access logs to a bucket the stack creates. @default true in prod */
  accessLogs: z.boolean().optional(),
});

export const tagsSchema = z.record(
  z.string().regex(/^[\w .:/=+\-@]{1,128}$/, { error: "expected a tag key" }),
  z.string().max(256, { error: "must be at most 256 characters" }),
);

/** Every `delivery:` key and its schema. A key not listed here is reported as unknown. */
export const deliveryKeySchemas = {
  tier: z.string({ error: "expected one of local, dev, staging, prod" }),
  services: z.array(z.unknown(), { error: "expected a list of services" }).min(1, { error: "must list at least one service" }),
  alarms: alarmsSchema,
  rolling: rollingSchema,
  notifications: notificationsSchema,
  network: networkSchema,
  loadBalancer: loadBalancerSchema,
  /** @default the tier's (local 1, dev 14, staging 90, prod 365) */
  logRetentionDays: z
    .number()
    .int()
    .refine((v) => LOG_RETENTION_DAYS.includes(v), {
      error: () => `expected one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`,
    }),
  tags: tagsSchema,
  pipeline: z.unknown(), // checked by pipeline.ts
  /** Where the services run. @default "ecs" */
  runtime: z.enum(RUNTIMES, { error: `expected one of ${RUNTIMES.join(", ")}` }),
  /** Docker runtime: the engine and the network (infra/config/docker.ts). */
  docker: dockerSchema,
  /** Kubernetes runtime (infra/config/kubernetes.ts checks it). */
  kubernetes: z.unknown(),
  /** Promotions into this stack: the stabilisation window (infra/config/promotion.ts). */
  promotion: promotionSchema,
  /** The structure every service's environment must have: required and secret keys (infra/config/envTemplate.ts). */
  envTemplate: envTemplateSchema,
} as const;

export type DeliveryKey = keyof typeof deliveryKeySchemas;
export const DELIVERY_KEYS = Object.keys(deliveryKeySchemas) as DeliveryKey[];

export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export type RawService = z.infer<typeof serviceSchema>;
export type RawDeployment = z.infer<typeof deploymentSchema>;
export type RawAlarms = z.infer<typeof alarmsSchema>;
export type RawNotifications = z.infer<typeof notificationsSchema>;
export type RawNetwork = z.infer<typeof networkSchema>;
export type RawLoadBalancer = z.infer<typeof loadBalancerSchema>;
