import { GetMetricDataCommand, type GetMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  type ServiceDeployment,
  type Task,
} from "@aws-sdk/client-ecs";
import type { EcsManifestService } from "../../contract/manifest";
import type { MockedAws } from "../validator/support/mocks";
import { ACCOUNT, REGION, testService } from "../validator/support/manifest";

/** A progressive (canary 5/25/50/100) manifest service: its first group is the baseline's, -alt the new revision's. */
export function canaryService(name = "api", overrides: Partial<EcsManifestService> = {}): EcsManifestService {
  return testService(name, {
    deployment: {
      strategy: "canary",
      steps: [5, 25, 50, 100],
      stepMinutes: 10,
      bakeMinutes: 10,
      maxExtensionMinutes: 20,
      alternateTargetGroup: `targetgroup/${name}-tg-alt/fedcba9876543210`,
      verdictParameter: `/delivery/staging/${name}/canary-verdict`,
    },
    ...overrides,
  });
}

export const revisionArn = (service: string, id: string) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/delivery-staging/${service}/${id}`;
export const deploymentArn = (service: string, id = "d1") =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/delivery-staging/${service}/${id}`;
const tgArn = (suffix: string) => `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:${suffix}`;

/** An in-progress deployment of `s` from revision "old" (task definition :1, first group) to "new" (:2, -alt group) at `share`%. */
export function inProgress(s: EcsManifestService, share: number, overrides: Partial<ServiceDeployment> = {}): ServiceDeployment {
  return {
    serviceDeploymentArn: deploymentArn(s.ecsService),
    status: "IN_PROGRESS",
    lifecycleStage: "PRODUCTION_TRAFFIC_SHIFT",
    createdAt: new Date("2025-03-01T11:50:00Z"),
    startedAt: new Date("2025-03-01T11:50:00Z"),
    targetServiceRevision: { arn: revisionArn(s.ecsService, "new"), requestedProductionTrafficWeight: share },
    sourceServiceRevisions: [{ arn: revisionArn(s.ecsService, "old"), requestedProductionTrafficWeight: 100 - share }],
    ...overrides,
  };
}

/** Arranges ListServiceDeployments, DescribeServiceDeployments and DescribeServiceRevisions for one service's deployment. */
export function arrangeDeployment(aws: MockedAws, s: EcsManifestService, deployment: ServiceDeployment): void {
  aws.ecs.on(ListServiceDeploymentsCommand, { service: s.ecsService }).resolves({
    serviceDeployments: [
      { serviceDeploymentArn: deployment.serviceDeploymentArn, status: deployment.status, createdAt: deployment.createdAt },
    ],
  });
  aws.ecs
    .on(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [deployment.serviceDeploymentArn ?? ""] })
    .resolves({ serviceDeployments: [deployment] });
  aws.ecs.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns: string[] }) => ({
    serviceRevisions: input.serviceRevisionArns.map((arn) => {
      const isNew = arn.endsWith("/new");
      const service = arn.split("/")[2] ?? "";
      return {
        serviceRevisionArn: arn,
        taskDefinition: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${service.replace(/-svc$/, "")}:${isNew ? 2 : 1}`,
        loadBalancers: [
          {
            targetGroupArn: tgArn(
              isNew
                ? `targetgroup/${service.replace(/-svc$/, "")}-tg-alt/fedcba9876543210`
                : `targetgroup/${service.replace(/-svc$/, "")}-tg/0123456789abcdef`,
            ),
          },
        ],
      };
    }),
  }));
}

/** The cluster's tasks (ListTasks then DescribeTasks as the validator reads them); none by default. */
export function arrangeTasks(aws: MockedAws, tasks: Task[] = []): void {
  aws.ecs.on(ListTasksCommand).resolves({ taskArns: tasks.map((t) => t.taskArn ?? "") });
}

/** ALB figures per target group suffix: requests, 5xx, p99 in seconds (undefined: no datapoint). */
export type GroupFigures = Record<string, { requests?: number; errors5xx?: number; p99Seconds?: number }>;

/**
 * GetMetricData answered from per-group figures: one datapoint per metric at `at`, the sample count
 * equal to the requests; percentiles too unless `percentiles` is false (then that request fails as
 * on moto).
 */
export function arrangeMetrics(aws: MockedAws, figures: GroupFigures, at: Date, percentiles = true): void {
  aws.cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const queries = input.MetricDataQueries ?? [];
    if (!percentiles && queries.some((q) => /^p\d+/.test(q.MetricStat?.Stat ?? "")))
      throw Object.assign(new Error("InternalFailure"), { name: "InternalFailure", $metadata: { httpStatusCode: 500 } });
    return {
      MetricDataResults: queries.map((q) => {
        const group = q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === "TargetGroup")?.Value ?? "";
        const f = figures[group] ?? {};
        const metric = q.MetricStat?.Metric?.MetricName;
        const stat = q.MetricStat?.Stat;
        const value =
          metric === "RequestCount"
            ? f.requests
            : metric === "HTTPCode_Target_5XX_Count"
              ? f.errors5xx
              : metric === "TargetResponseTime" && stat === "SampleCount"
                ? f.requests
                : metric === "TargetResponseTime" && (stat === "p99" || stat === "p95")
                  ? f.p99Seconds
                  : undefined;
        return {
          Id: q.Id,
          StatusCode: "Complete",
          Timestamps: value === undefined ? [] : [at],
          Values: value === undefined ? [] : [value],
        };
      }),
    };
  });
}
