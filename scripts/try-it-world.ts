/**
 * A small world in an AWS emulator for docs/try-it.md: the staging stack of two services (api,
 * web) as a deploy would leave it, and the files deployctl reads. Run it with the emulator's
 * address in AWS_ENDPOINT_URL:
 *
 *   npx tsx scripts/try-it-world.ts try-it
 *
 * In the emulator (region AWS_REGION, default eu-west-1): the ECS cluster delivery-staging; per
 * service a task definition whose image is in ECR staging/delivery/<service> (tag sha-new1111), the
 * ECS service with 2 running tasks, 1000 requests without a 5xx on its target group, a log group
 * with a startup line; the ECR repositories prod/delivery/<service> (empty: promote copies into
 * them); the alert topics. In the folder: staging.json and prod.json (the stacks' `deployment`
 * outputs) and a copy of the project files (Pulumi.yaml, Pulumi.staging.yaml, Pulumi.prod.yaml)
 * for promote to edit. The world is created fresh: run it once per emulator.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import type { EcsManifest, EcsManifestService } from "../contract/manifest";
import { createAwsClients } from "../validators/providers/aws/clients";

const ACCOUNT = "123456789012";
const SERVICES = ["api", "web"] as const;
/** The tag staging runs and validate will prove; prod's stack file still has sha-3f9c2a1. */
export const TRY_IT_TAG = "sha-new1111";

/** A schema-2 image manifest; `seed` makes its digest distinct (the emulator stores no layers). */
function imageManifest(seed: string): string {
  const digest = (what: string) => `sha256:${createHash("sha256").update(`${seed}:${what}`).digest("hex")}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 1469, digest: digest("config") },
    layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: 3370628, digest: digest("layer") }],
  });
}

function manifest(stack: string, region: string, services: EcsManifestService[]): EcsManifest {
  return {
    schemaVersion: 1,
    project: "delivery",
    stack,
    region,
    cluster: `delivery-${stack}`,
    dashboardUrl: `https://console.aws.amazon.com/cloudwatch/home#dashboards:name=delivery-${stack}`,
    alerts: {
      warningTopicArn: `arn:aws:sns:${region}:${ACCOUNT}:delivery-${stack}-warning`,
      criticalTopicArn: `arn:aws:sns:${region}:${ACCOUNT}:delivery-${stack}-critical`,
    },
    thresholds: {
      errorRateWarningPercent: 1,
      errorRateCriticalPercent: 5,
      minRequests: 100,
      p95LatencyMs: 500,
      p99LatencyMs: 1000,
      windowSeconds: 600,
    },
    services,
  };
}

function manifestService(stack: string, name: string, taskDefinitionArn: string): EcsManifestService {
  return {
    name,
    ecsService: `delivery-${stack}-${name}`,
    imageTag: TRY_IT_TAG,
    taskDefinitionArn,
    targetGroup: `targetgroup/delivery-${stack}-${name}/0123456789abcdef`,
    loadBalancer: `app/delivery-${stack}/0123456789abcdef`,
    logGroup: `/delivery/${stack}/${name}`,
    url: "",
    healthPath: "/health",
    smokePaths: [],
    dependsOn: [],
  };
}

export async function buildTryItWorld(folder: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // The AWS SDK's notice that its 2027 releases need Node 22 (see the README); deployctl silences it too.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const endpoint = env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error("Set AWS_ENDPOINT_URL to the emulator's address, e.g. http://127.0.0.1:4566.");
  const region = env.AWS_REGION ?? "eu-west-1";
  const clients = createAwsClients({
    region,
    endpoint,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? "testing", secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "testing" },
    maxAttempts: 2,
  });
  const stack = "staging";
  const cluster = `delivery-${stack}`;
  await clients.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  for (const topic of ["staging-warning", "staging-critical", "prod-warning", "prod-critical"]) {
    await clients.sns.send(new CreateTopicCommand({ Name: `delivery-${topic}` }));
  }
  const services: EcsManifestService[] = [];
  for (const name of SERVICES) {
    for (const s of ["staging", "prod"]) await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: `${s}/delivery/${name}` }));
    await clients.ecr.send(
      new PutImageCommand({ repositoryName: `staging/delivery/${name}`, imageTag: TRY_IT_TAG, imageManifest: imageManifest(name) }),
    );
    const image = `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/staging/delivery/${name}:${TRY_IT_TAG}`;
    const registered = await clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `delivery-${stack}-${name}`,
        containerDefinitions: [{ name, image, cpu: 256, memory: 512, essential: true }],
      }),
    );
    const service = manifestService(stack, name, registered.taskDefinition?.taskDefinitionArn ?? "");
    await clients.ecs.send(
      new CreateServiceCommand({ cluster, serviceName: service.ecsService, taskDefinition: service.taskDefinitionArn, desiredCount: 2 }),
    );
    // ECS starts a service's tasks itself; the emulator does not, so they are started by hand in the service's group.
    await clients.ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: service.taskDefinitionArn,
        count: 2,
        launchType: "FARGATE",
        group: `service:${service.ecsService}`,
        startedBy: "ecs-svc/1",
      }),
    );
    const dimensions = [
      { Name: "LoadBalancer", Value: service.loadBalancer },
      { Name: "TargetGroup", Value: service.targetGroup },
    ];
    await clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: "AWS/ApplicationELB",
        MetricData: [
          { MetricName: "RequestCount", Value: 1000, Unit: "Count", Dimensions: dimensions, Timestamp: new Date() },
          { MetricName: "HTTPCode_Target_5XX_Count", Value: 0, Unit: "Count", Dimensions: dimensions, Timestamp: new Date() },
        ],
      }),
    );
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: service.logGroup }));
    await clients.logs.send(new CreateLogStreamCommand({ logGroupName: service.logGroup, logStreamName: `${name}/${name}/1` }));
    await clients.logs.send(
      new PutLogEventsCommand({
        logGroupName: service.logGroup,
        logStreamName: `${name}/${name}/1`,
        logEvents: [{ message: "INFO started in 2.1 s", timestamp: Date.now() }],
      }),
    );
    services.push(service);
  }
  const out = resolve(folder);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "staging.json"), `${JSON.stringify(manifest("staging", region, services), null, 2)}\n`);
  const prodServices = services.map((s) => ({ ...s, ecsService: s.ecsService.replace("staging", "prod"), imageTag: "sha-3f9c2a1" }));
  writeFileSync(join(out, "prod.json"), `${JSON.stringify(manifest("prod", region, prodServices), null, 2)}\n`);
  const root = join(__dirname, "..");
  for (const file of ["Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"]) copyFileSync(join(root, file), join(out, file));
  process.stdout.write(
    `A staging stack of ${services.length} services (${SERVICES.join(", ")}) on ${TRY_IT_TAG} in ${endpoint}; wrote ${folder}/staging.json, ${folder}/prod.json and the project files.\n`,
  );
}

if (require.main === module) {
  buildTryItWorld(process.argv[2] ?? "try-it").catch((err: unknown) => {
    process.stderr.write(`try-it-world: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
