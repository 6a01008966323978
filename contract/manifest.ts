import { z } from "zod";

/**
 * The `deployment` stack output: what the infrastructure promises the validator.
 * It is a contract: `contract/manifest.schema.json` is generated from this schema
 * (`npm run schema`) and a test keeps the two equal.
 */
export const MANIFEST_SCHEMA_VERSION = 1;

const nonEmpty = z.string().min(1);

export const manifestServiceSchema = z
  .object({
    name: nonEmpty.describe("The service's name in the stack config."),
    ecsService: nonEmpty.describe("The ECS service name."),
    imageTag: nonEmpty.describe("The image tag the stack config deploys."),
    taskDefinitionArn: nonEmpty.describe("The task definition the stack deployed."),
    targetGroup: z
      .string()
      .regex(/^targetgroup\/[^/]+\/[0-9a-z]+$/)
      .describe("The target group's ARN suffix (CloudWatch's TargetGroup dimension)."),
    loadBalancer: z
      .string()
      .regex(/^app\/[^/]+\/[0-9a-z]+$/)
      .describe("The load balancer's ARN suffix (CloudWatch's LoadBalancer dimension)."),
    logGroup: nonEmpty.describe("The service's CloudWatch Logs group."),
    url: z.string().describe("Base URL of the service through the load balancer; empty when it has none."),
    healthPath: z.string().startsWith("/").describe("Path of the health endpoint, relative to url."),
    smokePaths: z.array(z.string().startsWith("/")).describe("Further paths the smoke check GETs."),
    dependsOn: z.array(nonEmpty).describe("Services this one depends on (deploy order)."),
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
        alternateTargetGroup: z
          .string()
          .regex(/^targetgroup\/[^/]+\/[0-9a-z]+$/)
          .describe("The second target group's ARN suffix: the new revision registers in whichever of the two is not serving."),
        verdictParameter: nonEmpty.describe("SSM parameter deployctl publishes each step's verdict to; the lifecycle hook reads it."),
      })
      .strict()
      .optional()
      .describe("Progressive delivery (absent: rolling)."),
  })
  .strict();

export const manifestSchema = z
  .object({
    schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
    project: nonEmpty,
    stack: nonEmpty,
    region: nonEmpty,
    cluster: nonEmpty.describe("The ECS cluster name."),
    dashboardUrl: z.string(),
    alerts: z
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
      .strict(),
    thresholds: z
      .object({
        errorRateWarningPercent: z.number().nonnegative(),
        errorRateCriticalPercent: z.number().positive(),
        minRequests: z.number().int().nonnegative(),
        p95LatencyMs: z.number().positive(),
        p99LatencyMs: z.number().positive(),
        windowSeconds: z.number().int().positive(),
      })
      .strict(),
    history: z
      .object({
        bucket: nonEmpty.optional().describe("S3 bucket for run records; absent for the local tier (records go to a local directory)."),
        prefix: nonEmpty.describe("Key prefix (or sub-directory) of this stack's run records."),
        lockTable: nonEmpty
          .optional()
          .describe("DynamoDB table holding the per-stack change lock; absent for the local tier (a lock file)."),
      })
      .strict()
      .optional()
      .describe("Where deployctl keeps run records and the stack lock."),
    services: z.array(manifestServiceSchema),
  })
  .strict();

export type DeploymentManifest = z.infer<typeof manifestSchema>;
export type ManifestService = z.infer<typeof manifestServiceSchema>;
export type ManifestThresholds = DeploymentManifest["thresholds"];

/** The JSON Schema (draft 2020-12) of the manifest, as committed in contract/manifest.schema.json. */
export function manifestJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(manifestSchema, { target: "draft-2020-12" }),
    $id: "https://delivery.local/schemas/deployment-manifest.json",
    title: "delivery deployment manifest (the `deployment` stack output)",
  };
}
