import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  type ServiceDeployment,
  StopServiceDeploymentCommand,
  type StopServiceDeploymentCommandInput,
} from "@aws-sdk/client-ecs";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { decide, type PublishedValue } from "../../infra/hook/canaryHook.js";
import { publishedValueSchema } from "../../contract/verdict";
import { hookDetails } from "../../infra/components/lib/progressive";
import type { ProgressiveDeploymentConfig } from "../../infra/config";
import type { EcsManifestService } from "../../contract/manifest";
import { floorMinute } from "../../validators/providers/aws/metrics";

/** What the target groups report at a traffic share: requests, 5xx and p99 (seconds) per minute. */
export type Traffic = (share: number) => {
  canary: { requests: number; errors5xx: number; p99: number };
  baseline: { requests: number; errors5xx: number; p99: number };
};

const REGION = "eu-west-1";
const ARN = "arn:aws:ecs:eu-west-1:123456789012";

/**
 * A progressive ECS deployment simulated step by step, driven by the real lifecycle hook logic
 * (infra/hook/canaryHook.js `decide`): every DescribeServiceDeployments is one hook invocation
 * (ECS asks again every 30 s while the hook answers IN_PROGRESS); a SUCCEEDED moves traffic one
 * linear step on, FAILED or StopServiceDeployment(ROLLBACK) rolls back. CloudWatch answers the
 * traffic's figures at the current share; SSM keeps what deployctl publishes, and the hook reads it.
 */
export class SimulatedDeployment {
  readonly ecs = new ECSClient({ region: REGION, credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  readonly cloudwatch = new CloudWatchClient({ region: REGION, credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  readonly ssm = new SSMClient({ region: REGION, credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  share = 0;
  status = "IN_PROGRESS";
  stage = "PRE_SCALE_UP";
  readonly published: PublishedValue[] = [];
  readonly stops: { at: Date; input: StopServiceDeploymentCommandInput }[] = [];
  readonly hookAnswers: { share: number; status: string }[] = [];
  private details: Record<string, unknown>;
  private bakeUntil?: number;

  constructor(
    readonly service: EcsManifestService,
    deployment: ProgressiveDeploymentConfig,
    private readonly ecsStep: number,
    private readonly traffic: Traffic,
    private readonly now: () => Date,
  ) {
    this.details = {
      ...hookDetails({ stack: "staging", service: service.name, verdictParameter: service.deployment?.verdictParameter ?? "", deployment }),
    };
    const bakeMinutes = deployment.bakeMinutes;
    const ecs = mockClient(this.ecs);
    const revision = (id: string) => `${ARN}:service-revision/delivery-staging/${service.ecsService}/${id}`;
    const deploymentArn = `${ARN}:service-deployment/delivery-staging/${service.ecsService}/d1`;
    const describe = (): ServiceDeployment => ({
      serviceDeploymentArn: deploymentArn,
      status: this.status as ServiceDeployment["status"],
      lifecycleStage: this.stage as ServiceDeployment["lifecycleStage"],
      createdAt: this.now(),
      startedAt: this.now(),
      targetServiceRevision: { arn: revision("new"), requestedProductionTrafficWeight: this.share },
      sourceServiceRevisions: [{ arn: revision("old"), requestedProductionTrafficWeight: 100 - this.share }],
    });
    ecs.on(ListServiceDeploymentsCommand).callsFake(() => ({
      serviceDeployments: [
        { serviceDeploymentArn: deploymentArn, status: this.status as ServiceDeployment["status"], createdAt: this.now() },
      ],
    }));
    ecs.on(DescribeServiceDeploymentsCommand).callsFake(() => {
      this.tick(revision("new"), revision("old"), bakeMinutes);
      return { serviceDeployments: [describe()] };
    });
    ecs.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns: string[] }) => ({
      serviceRevisions: input.serviceRevisionArns.map((arn) => ({
        serviceRevisionArn: arn,
        taskDefinition: arn.endsWith("/new") ? service.taskDefinitionArn : service.taskDefinitionArn.replace(/:\d+$/, ":1"),
        loadBalancers: [
          {
            targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:123456789012:${arn.endsWith("/new") ? service.deployment?.alternateTargetGroup : service.targetGroup}`,
          },
        ],
      })),
    }));
    ecs.on(StopServiceDeploymentCommand).callsFake((input: StopServiceDeploymentCommandInput) => {
      this.stops.push({ at: this.now(), input });
      this.status = "ROLLBACK_IN_PROGRESS";
      return { serviceDeploymentArn: input.serviceDeploymentArn };
    });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    mockClient(this.ssm)
      .on(PutParameterCommand)
      .callsFake((input: { Value: string }) => {
        this.published.push(publishedValueSchema.parse(JSON.parse(input.Value)));
        return { Version: this.published.length };
      });
    mockClient(this.cloudwatch)
      .on(GetMetricDataCommand)
      .callsFake((input: GetMetricDataCommandInput) => this.metrics(input));
  }

  /** One hook invocation (and what ECS does with its answer), or the rollback / bake moving on. */
  private tick(target: string, baseline: string, bakeMinutes: number): void {
    if (this.status === "ROLLBACK_IN_PROGRESS") {
      this.status = "ROLLBACK_SUCCESSFUL";
      this.share = 0;
      return;
    }
    if (this.status !== "IN_PROGRESS") return;
    if (this.bakeUntil !== undefined) {
      if (this.now().getTime() >= this.bakeUntil) this.status = "SUCCESSFUL";
      return;
    }
    if (this.share === 0) {
      this.share = this.ecsStep;
      this.stage = "PRODUCTION_TRAFFIC_SHIFT";
    }
    const event = {
      serviceArn: `${ARN}:service/delivery-staging/${this.service.ecsService}`,
      targetServiceRevisionArn: target,
      productionTrafficWeights: { [target]: this.share, [baseline]: 100 - this.share },
    };
    const answer = decide({
      event,
      details: this.details,
      verdict: this.published.at(-1),
      rollingBack: false,
      nowMs: this.now().getTime(),
    });
    this.hookAnswers.push({ share: this.share, status: answer.hookStatus });
    if (answer.hookDetails) this.details = answer.hookDetails;
    if (answer.hookStatus === "FAILED") this.status = "ROLLBACK_IN_PROGRESS";
    else if (answer.hookStatus === "SUCCEEDED" && this.share < 100) this.share = Math.min(100, this.share + this.ecsStep);
    else if (answer.hookStatus === "SUCCEEDED") {
      this.stage = "BAKE_TIME";
      this.bakeUntil = this.now().getTime() + bakeMinutes * 60_000;
    }
  }

  private metrics(input: GetMetricDataCommandInput) {
    const figures = this.traffic(this.share);
    const at = floorMinute(this.now());
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
        const group = q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === "TargetGroup")?.Value;
        const side =
          group === this.service.targetGroup
            ? figures.baseline
            : group === this.service.deployment?.alternateTargetGroup
              ? figures.canary
              : undefined;
        const metric = q.MetricStat?.Metric?.MetricName;
        const stat = q.MetricStat?.Stat;
        const value = !side
          ? undefined
          : metric === "RequestCount" || (metric === "TargetResponseTime" && stat === "SampleCount")
            ? side.requests
            : metric === "HTTPCode_Target_5XX_Count"
              ? side.errors5xx
              : metric === "TargetResponseTime"
                ? side.p99
                : undefined;
        return {
          Id: q.Id,
          StatusCode: "Complete" as const,
          Timestamps: value === undefined ? [] : [at],
          Values: value === undefined ? [] : [value],
        };
      }),
    };
  }
}
