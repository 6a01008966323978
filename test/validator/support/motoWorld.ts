import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { type AwsClients, createAwsClients } from "../../../validators/providers/aws/clients";
import type { EcsManifestService } from "../../../contract/manifest";
import { beforeEach } from "vitest";
import { MOTO_CREDENTIALS, type MotoServer, useMoto } from "../../support/moto";
import { ACCOUNT, REGION, testService } from "./manifest";

export const CLUSTER = "delivery-staging";

/**
 * Builds what a deployed stack looks like inside moto: a cluster, services with their task
 * definitions, tasks started with RunTask in the service's group, ALB metrics and log events.
 */
export class MotoWorld {
  readonly clients: AwsClients;

  constructor(
    readonly endpoint: string,
    maxAttempts = 2,
  ) {
    this.clients = createAwsClients({ region: REGION, endpoint, credentials: MOTO_CREDENTIALS, maxAttempts, requestTimeoutMs: 5000 });
  }

  async cluster(): Promise<void> {
    await this.clients.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  }

  /** Registers a task definition and creates the service; returns its manifest entry (with the real ARN). */
  async service(name: string, options: { desired?: number; image?: string; url?: string } = {}): Promise<EcsManifestService> {
    const image = options.image ?? `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}:v2`;
    const registered = await this.clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        containerDefinitions: [{ name: "app", image, cpu: 256, memory: 512, essential: true }],
      }),
    );
    const arn = registered.taskDefinition?.taskDefinitionArn ?? "";
    const manifestService = testService(name, { taskDefinitionArn: arn, url: options.url ?? "" });
    await this.clients.ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: manifestService.ecsService,
        taskDefinition: arn,
        desiredCount: options.desired ?? 3,
      }),
    );
    return manifestService;
  }

  /** Starts `count` tasks in the service's group (what ECS does for a service); returns their ARNs. */
  async runTasks(s: EcsManifestService, count: number): Promise<string[]> {
    const ran = await this.clients.ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: s.taskDefinitionArn,
        count,
        launchType: "FARGATE",
        group: `service:${s.ecsService}`,
        startedBy: "ecs-svc/1",
      }),
    );
    return (ran.tasks ?? []).map((t) => t.taskArn ?? "");
  }

  async stopTask(taskArn: string, reason: string): Promise<void> {
    await this.clients.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn, reason }));
  }

  /** ALB metrics of the service's target group, one datapoint each at `at` (default now). */
  async metrics(
    s: EcsManifestService,
    figures: { requests?: number; errors5xx?: number; responseTime?: number },
    at = new Date(),
  ): Promise<void> {
    const dims = [
      { Name: "LoadBalancer", Value: s.loadBalancer },
      { Name: "TargetGroup", Value: s.targetGroup },
    ];
    const data = [
      figures.requests !== undefined && { MetricName: "RequestCount", Value: figures.requests },
      figures.errors5xx !== undefined && { MetricName: "HTTPCode_Target_5XX_Count", Value: figures.errors5xx },
      figures.responseTime !== undefined && { MetricName: "TargetResponseTime", Value: figures.responseTime },
    ].filter((d): d is { MetricName: string; Value: number } => Boolean(d));
    if (data.length === 0) return;
    await this.clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: "AWS/ApplicationELB",
        MetricData: data.map((d) => ({ ...d, Dimensions: dims, Timestamp: at, Unit: "Count" })),
      }),
    );
  }

  /** Creates the service's log group (once) and writes `lines` as events, now. */
  async logs(s: EcsManifestService, lines: string[]): Promise<void> {
    await this.clients.logs.send(new CreateLogGroupCommand({ logGroupName: s.logGroup })).catch(() => undefined);
    await this.clients.logs.send(new CreateLogStreamCommand({ logGroupName: s.logGroup, logStreamName: "app/1" })).catch(() => undefined);
    if (lines.length === 0) return;
    const now = Date.now();
    await this.clients.logs.send(
      new PutLogEventsCommand({
        logGroupName: s.logGroup,
        logStreamName: "app/1",
        logEvents: lines.map((message, i) => ({ message, timestamp: now + i })),
      }),
    );
  }

  /** A healthy service: created, its desired tasks running, 1000 requests without 5xx, an empty log group. */
  async healthy(name: string, options: { desired?: number; url?: string } = {}): Promise<EcsManifestService> {
    const s = await this.service(name, options);
    await this.runTasks(s, options.desired ?? 3);
    await this.metrics(s, { requests: 1000, errors5xx: 0, responseTime: 0.05 });
    await this.logs(s, ["INFO started in 2.1 s"]);
    return s;
  }
}

/**
 * The hooks every validator test on moto registers: one moto_server for the file (services report
 * `running` running tasks, so rollouts of that many complete), reset before each test, task states
 * frozen unless told otherwise, and a fresh world with its cluster. `use` receives them each time.
 */
export function useMotoWorld(
  use: (moto: MotoServer, world: MotoWorld) => void,
  options: { running?: number; freezeTasks?: boolean } = {},
): void {
  const moto = useMoto({ MOTO_ECS_SERVICE_RUNNING: String(options.running ?? 3) }, { freezeEcsTasks: options.freezeTasks ?? true });
  beforeEach(async () => {
    const world = new MotoWorld(moto.endpoint);
    await world.cluster();
    use(moto.server, world);
  });
}
