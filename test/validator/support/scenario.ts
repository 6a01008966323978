import { GetMetricDataCommand, type GetMetricDataCommandInput, type MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, type Service, type Task } from "@aws-sdk/client-ecs";
import type { EcsManifestService } from "../../../contract/manifest";
import { DEPLOYED_AT, type MockedAws, ecsService, ecsTask } from "./mocks";

/** ALB figures a mocked GetMetricData returns for one target group, over one minute. */
export interface TargetMetrics {
  requests?: number;
  errors5xx?: number;
  /** TargetResponseTime p95 / p99, in seconds as CloudWatch reports them. */
  p95?: number;
  p99?: number;
}

/**
 * Arranges a healthy world for `services`: COMPLETED rollouts, three RUNNING tasks each, 1000
 * requests and no 5xx, p95 0.1 s and p99 0.2 s, no log lines. Each part can be overridden.
 */
export function arrangeHealthy(
  aws: MockedAws,
  services: readonly EcsManifestService[],
  overrides: { services?: Service[]; tasks?: Task[]; metrics?: Record<string, TargetMetrics>; percentilesFail?: Error } = {},
): void {
  const described = overrides.services ?? services.map((s) => ecsService(s));
  aws.ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: described.filter((d) => input.services.includes(d.serviceName ?? "")),
    failures: input.services
      .filter((n) => !described.some((d) => d.serviceName === n))
      .map((n) => ({ arn: `arn:aws:ecs:eu-west-1:123456789012:service/${n}`, reason: "MISSING" })),
  }));
  const tasks = overrides.tasks ?? services.flatMap((s) => [1, 2, 3].map((i) => ecsTask(s, `${s.name}-${i}`)));
  aws.ecs.on(ListTasksCommand).callsFake((input: { desiredStatus?: string }) => ({
    taskArns: tasks.filter((t) => (t.desiredStatus ?? "RUNNING") === (input.desiredStatus ?? "RUNNING")).map((t) => t.taskArn),
  }));
  aws.ecs
    .on(DescribeTasksCommand)
    .callsFake((input: { tasks: string[] }) => ({ tasks: tasks.filter((t) => input.tasks.includes(t.taskArn ?? "")) }));
  const metrics = (tg: string): TargetMetrics => overrides.metrics?.[tg] ?? { requests: 1000, errors5xx: 0, p95: 0.1, p99: 0.2 };
  aws.cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const queries = input.MetricDataQueries ?? [];
    const percentiles = queries.some((q) => q.MetricStat?.Stat?.startsWith("p"));
    if (percentiles && overrides.percentilesFail) throw overrides.percentilesFail;
    return { MetricDataResults: queries.map((q) => metricResult(q.Id ?? "", q.MetricStat, metrics)) };
  });
  aws.logs.on(FilterLogEventsCommand).resolves({ events: [] });
}

type Stat = NonNullable<GetMetricDataCommandInput["MetricDataQueries"]>[number]["MetricStat"];

function metricResult(id: string, stat: Stat, metrics: (tg: string) => TargetMetrics): MetricDataResult {
  const tg = stat?.Metric?.Dimensions?.find((d) => d.Name === "TargetGroup")?.Value ?? "";
  const m = metrics(tg);
  const name = stat?.Metric?.MetricName;
  const value =
    name === "RequestCount"
      ? m.requests
      : name === "HTTPCode_Target_5XX_Count"
        ? m.errors5xx
        : name === "HTTPCode_ELB_5XX_Count"
          ? 0
          : stat?.Stat === "p95"
            ? m.p95
            : stat?.Stat === "p99"
              ? m.p99
              : stat?.Stat === "SampleCount"
                ? m.requests
                : undefined;
  const at = new Date(DEPLOYED_AT.getTime() + 60_000);
  return value === undefined
    ? { Id: id, StatusCode: "Complete", Timestamps: [], Values: [] }
    : { Id: id, StatusCode: "Complete", Timestamps: [at], Values: [value] };
}
