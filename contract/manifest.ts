import { z } from "zod";
import { SAFE_NAME } from "./names";

/**
 * The `deployment` stack output: what the infrastructure promises the validator.
 * It is a contract: `contract/manifest.schema.json` is generated from this schema
 * (`npm run schema`) and a test keeps the two equal.
 */
export const MANIFEST_SCHEMA_VERSION = 1;

const nonEmpty = z.string().min(1);
/** CloudWatch's TargetGroup dimension: the target group ARN's suffix. */
const targetGroupSuffix = z.string().regex(/^targetgroup\/[^/]+\/[0-9a-z]+$/, {
  error:
    "it must be a target group's ARN suffix: targetgroup/, its name, /, its id in lowercase letters and digits (e.g. targetgroup/delivery-api/0123456789abcdef)",
});
/** A stack or service name: it becomes a path segment (records, lock, stack file), so only SAFE_NAME. */
const safeName = z.string().regex(SAFE_NAME);

const thresholdsSchema = z
  .object({
    errorRateWarningPercent: z.number().nonnegative(),
    errorRateFailPercent: z
      .number()
      .positive()
      .max(100)
      .optional()
      .describe("A release whose 5xx rate is surely above this percentage fails validation. @default 1"),
    errorRateCriticalPercent: z.number().positive(),
    minRequests: z.number().int().nonnegative(),
    p95LatencyMs: z.number().positive(),
    p99LatencyMs: z.number().positive(),
    windowSeconds: z.number().int().positive(),
  })
  .strict();

const alertsSchema = z
  .object({
    warningTopicArn: nonEmpty,
    criticalTopicArn: nonEmpty,
    slackWebhookUrlParameter: nonEmpty
      .optional()
      .describe("SSM SecureString parameter holding the Slack webhook URL (never the URL itself)."),
    pagerDutyRoutingKeyParameter: nonEmpty
      .optional()
      .describe("SSM SecureString parameter holding the PagerDuty routing key (never the key itself)."),
  })
  .strict();

/** The logs check's rules for one service; the CLI's flags override them. */
export const serviceLogsSchema = z
  .object({
    tailLines: z
      .number()
      .int()
      .positive()
      .max(10_000)
      .optional()
      .describe("Only the last this many lines of each task's log stream since the deploy began are judged. @default 100"),
    maxWarnings: z.number().int().nonnegative().optional().describe("WARN lines allowed in those lines; one more fails. @default 2"),
    startupMarker: nonEmpty.optional().describe("A line containing this must appear since the deploy began (the service started)."),
  })
  .strict()
  .optional()
  .describe("The logs check's rules (absent: the defaults, no startup marker).");

const historySchema = z
  .object({
    bucket: nonEmpty.optional().describe("S3 bucket for run records; absent for the local tier (records go to a local directory)."),
    prefix: nonEmpty.describe("Key prefix (or sub-directory) of this stack's run records."),
    lockTable: nonEmpty.optional().describe("DynamoDB table holding the per-stack change lock; absent for the local tier (a lock file)."),
  })
  .strict()
  .optional()
  .describe("Where deployctl keeps run records and the stack lock.");

/** A service's database migration on ECS: what `deployctl deploy` needs to run it as a one-off task before the service. */
export const ecsMigrationSchema = z
  .object({
    taskDefinitionFamily: nonEmpty.describe(
      "The migration's task definition family (deployctl registers a revision of it with the image to deploy).",
    ),
    taskDefinitionArn: nonEmpty.describe("The migration's task definition as the stack registered it."),
    containerName: nonEmpty.describe("The container whose command is overridden with the migration's command."),
    repositoryUrl: nonEmpty.describe("The image repository the migration runs from, at the tag being deployed."),
    image: nonEmpty.optional().describe("A full image reference that replaces repositoryUrl:tag (migration.image in the config)."),
    subnets: z.array(nonEmpty).min(1).describe("The service's subnets (awsvpc)."),
    securityGroups: z.array(nonEmpty).min(1).describe("The service's security group(s)."),
    logGroup: nonEmpty.describe("The migration's own CloudWatch Logs group."),
    logStreamPrefix: nonEmpty.describe("The awslogs stream prefix: a task's stream is <prefix>/<container>/<task id>."),
    timeoutSeconds: z.number().int().positive().max(3600).describe("The run is stopped and failed after this long."),
    command: z.array(nonEmpty).min(1).max(32).describe("The migration's command."),
    down: z.array(nonEmpty).min(1).max(32).optional().describe("The down-migration's command: run only by rollback --with-migrations."),
  })
  .strict();

export const ecsManifestServiceSchema = z
  .object({
    name: safeName.describe("The service's name in the stack config."),
    ecsService: nonEmpty.describe("The ECS service name."),
    imageTag: nonEmpty.describe("The image tag the stack config deploys."),
    taskDefinitionArn: nonEmpty.describe("The task definition the stack deployed."),
    targetGroup: targetGroupSuffix.describe("The target group's ARN suffix (CloudWatch's TargetGroup dimension)."),
    loadBalancer: z
      .string()
      .regex(/^app\/[^/]+\/[0-9a-z]+$/, {
        error:
          "it must be an application load balancer's ARN suffix: app/, its name, /, its id in lowercase letters and digits (e.g. app/delivery-staging/0123456789abcdef)",
      })
      .describe("The load balancer's ARN suffix (CloudWatch's LoadBalancer dimension)."),
    logGroup: nonEmpty.describe("The service's CloudWatch Logs group."),
    url: z.string().describe("Base URL of the service through the load balancer; empty when it has none."),
    healthPath: z.string().startsWith("/").describe("Path of the health endpoint, relative to url."),
    smokePaths: z.array(z.string().startsWith("/")).describe("Further paths the smoke check GETs."),
    dependsOn: z.array(nonEmpty).describe("Services this one depends on (deploy order)."),
    logs: serviceLogsSchema,
    deployment: z
      .object({
        strategy: z.enum(["canary", "linear", "blueGreen"]).describe("ECS's native progressive strategy the service deploys with."),
        steps: z
          .array(z.number().positive().max(100))
          .min(1)
          .describe("Production traffic percentages the new revision is observed at, ending at 100."),
        stepMinutes: z.number().int().positive().describe("Observation per step, in minutes."),
        bakeMinutes: z.number().int().nonnegative().describe("Minutes the old revision keeps running after 100%."),
        maxExtensionMinutes: z
          .number()
          .int()
          .nonnegative()
          .describe("How much longer an inconclusive step is observed before the release is abandoned."),
        alternateTargetGroup: targetGroupSuffix.describe(
          "The second target group's ARN suffix: the new revision registers in whichever of the two is not serving.",
        ),
        verdictParameter: nonEmpty.describe("SSM parameter deployctl publishes each step's verdict to; the lifecycle hook reads it."),
      })
      .strict()
      .optional()
      .describe("Progressive delivery (absent: rolling)."),
    migration: ecsMigrationSchema.optional().describe("A database migration deploy runs before the service (absent: none)."),
  })
  .strict();

export const ecsManifestSchema = z
  .object({
    schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
    runtime: z.literal("ecs").optional().describe("The runtime the stack runs on; absent means ecs."),
    project: nonEmpty,
    stack: safeName,
    region: nonEmpty,
    cluster: nonEmpty.describe("The ECS cluster name."),
    dashboardUrl: z.string(),
    alerts: alertsSchema,
    thresholds: thresholdsSchema,
    history: historySchema,
    services: z.array(ecsManifestServiceSchema),
  })
  .strict();

/** What every runtime's service entry has: what runs and where the smoke check calls it. */
const commonServiceFields = {
  name: safeName.describe("The service's name in the stack config."),
  image: nonEmpty.describe("The image repository (without tag)."),
  imageTag: nonEmpty.describe("The image tag the stack config deploys."),
  url: z.string().describe("Base URL of the service; empty when it has none."),
  healthPath: z.string().startsWith("/").describe("Path of the health endpoint, relative to url."),
  smokePaths: z.array(z.string().startsWith("/")).describe("Further paths the smoke check GETs."),
  dependsOn: z.array(nonEmpty).describe("Services this one depends on (deploy order)."),
  logs: serviceLogsSchema,
};

export const dockerManifestServiceSchema = z
  .object({
    ...commonServiceFields,
    replicas: z.number().int().positive().describe("How many containers of the service run."),
  })
  .strict();

/** A stack on a Docker engine (local and dev): containers labelled delivery.stack and delivery.service. */
export const dockerManifestSchema = z
  .object({
    schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
    runtime: z.literal("docker"),
    project: nonEmpty,
    stack: safeName,
    region: nonEmpty.optional().describe("AWS region of the alert topics, when the stack has alerts."),
    docker: z.object({ host: nonEmpty.describe("The engine: unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host.") }).strict(),
    dashboardUrl: z.string().optional(),
    alerts: alertsSchema.optional(),
    thresholds: thresholdsSchema,
    history: historySchema,
    services: z.array(dockerManifestServiceSchema),
  })
  .strict();

export const KUBERNETES_TRAFFIC = ["istio", "ingress-nginx"] as const;

export const kubernetesManifestServiceSchema = z
  .object({
    ...commonServiceFields,
    deployment: nonEmpty.describe("The Deployment's name in the namespace."),
  })
  .strict();

/** A stack on a Kubernetes cluster (staging and prod): Deployments in one namespace, metrics from Prometheus. */
export const kubernetesManifestSchema = z
  .object({
    schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
    runtime: z.literal("kubernetes"),
    project: nonEmpty,
    stack: safeName,
    region: nonEmpty.optional().describe("AWS region of the alert topics, when the stack has alerts."),
    kubernetes: z
      .object({
        namespace: nonEmpty,
        context: nonEmpty.optional().describe("The kubeconfig context; absent: the current one."),
      })
      .strict(),
    prometheus: z
      .object({
        url: nonEmpty.describe("Prometheus' base URL (its HTTP API is under /api/v1)."),
        traffic: z.enum(KUBERNETES_TRAFFIC).describe("Whose metrics count requests: Istio's or ingress-nginx's."),
        queries: z
          .object({
            requests: nonEmpty.optional(),
            errors: nonEmpty.optional(),
            latencyP95: nonEmpty.optional(),
            latencyP99: nonEmpty.optional(),
          })
          .strict()
          .optional()
          .describe("PromQL overrides; {namespace}, {service}, {deployment} and {window} are filled in."),
      })
      .strict(),
    dashboardUrl: z.string().optional(),
    alerts: alertsSchema.optional(),
    thresholds: thresholdsSchema,
    history: historySchema,
    services: z.array(kubernetesManifestServiceSchema),
  })
  .strict();

/** The 5xx percentage above which a release fails when the manifest does not say (the platform's rule). */
export const DEFAULT_ERROR_RATE_FAIL_PERCENT = 1;

/** The manifest's fail threshold for the 5xx rate, its default applied. */
export function errorRateFailPercent(thresholds: { errorRateFailPercent?: number }): number {
  return thresholds.errorRateFailPercent ?? DEFAULT_ERROR_RATE_FAIL_PERCENT;
}

export const RUNTIMES = ["ecs", "docker", "kubernetes"] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/** Every manifest; `runtime` tells them apart (absent: ecs, so every ECS manifest of before stays valid). */
export const manifestSchema = z.union([ecsManifestSchema, dockerManifestSchema, kubernetesManifestSchema]);

/** The schema for one runtime: parse with it once `runtime` is known, for messages about that runtime's fields. */
export function manifestSchemaFor(runtime: RuntimeName) {
  return runtime === "docker" ? dockerManifestSchema : runtime === "kubernetes" ? kubernetesManifestSchema : ecsManifestSchema;
}

export type EcsManifest = z.infer<typeof ecsManifestSchema>;
export type EcsManifestService = z.infer<typeof ecsManifestServiceSchema>;
export type EcsMigration = z.infer<typeof ecsMigrationSchema>;
export type DockerManifest = z.infer<typeof dockerManifestSchema>;
export type DockerManifestService = z.infer<typeof dockerManifestServiceSchema>;
export type KubernetesManifest = z.infer<typeof kubernetesManifestSchema>;
export type KubernetesManifestService = z.infer<typeof kubernetesManifestServiceSchema>;
export type DeploymentManifest = EcsManifest | DockerManifest | KubernetesManifest;
export type ManifestThresholds = DeploymentManifest["thresholds"];

/** The manifest's runtime (absent means ecs). */
export function runtimeOf(manifest: { runtime?: RuntimeName }): RuntimeName {
  return manifest.runtime ?? "ecs";
}

/** The JSON Schema (draft 2020-12) of the manifest, as committed in contract/manifest.schema.json. */
export function manifestJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(manifestSchema, { target: "draft-2020-12" }),
    $id: "https://delivery.local/schemas/deployment-manifest.json",
    title: "delivery deployment manifest (the `deployment` stack output)",
  };
}
