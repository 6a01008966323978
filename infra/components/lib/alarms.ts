import type { AlarmsConfig } from "../../config";
import { type AlarmKey, alarmName } from "./naming";

/**
 * The alarms of one service, as plain data. Generic in the type of the dimension values that are
 * only known after deployment (the target group and load balancer ARN suffixes): strings in tests,
 * pulumi Outputs in the component.
 *
 * Missing data is decided per alarm (see docs/infra.md):
 * - error rate and latency: notBreaching. No requests is not an incident (the validator calls it
 *   inconclusive), and a new deployment with no traffic yet must not be rolled back.
 * - CPU and memory: notBreaching. No datapoints means no running task, which running-tasks-low reports.
 * - running tasks: breaching. Container Insights stops reporting when nothing runs: that is the outage.
 * - unhealthy hosts: notBreaching. The ALB reports the count whenever targets are registered;
 *   no data means no targets, which running-tasks-low reports (one page, not two).
 * - task stops: notBreaching. The metric only has datapoints when an essential container exited.
 * - ephemeral storage: notBreaching. No datapoints means no running task (running-tasks-low).
 * - certificate expiry: missing. ACM publishes DaysToExpiry once a day; a gap keeps the last state.
 */
export type Severity = "warning" | "critical";
export type MissingData = "notBreaching" | "breaching" | "missing" | "ignore";
export type Comparison = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";

export interface MetricSpec<V> {
  namespace: string;
  metricName: string;
  /** A statistic (Sum, Average, Minimum) or a percentile (p95). */
  stat: string;
  dimensions: Record<string, V | string>;
}

export interface MetricQuery<V> {
  id: string;
  expression?: string;
  metric?: MetricSpec<V>;
  label?: string;
  returnData: boolean;
}

export interface AlarmDefinition<V> {
  key: AlarmKey;
  name: string;
  severity: Severity;
  /** Listed in the ECS service's deployment alarms (ECS rolls back a deployment that trips it). */
  rollback: boolean;
  description: string;
  comparison: Comparison;
  threshold: number;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: MissingData;
  /** One metric, or metric math (the query with returnData is the alarm's value). */
  metric?: MetricSpec<V>;
  queries?: MetricQuery<V>[];
}

export interface ServiceAlarmInput<V> {
  project: string;
  stack: string;
  service: string;
  /** ECS cluster and service names (explicit, known before deployment). */
  cluster: string;
  ecsService: string;
  /** The cluster's ARN: a dimension of the task-stops metric (the event names the cluster by ARN). */
  clusterArn: V;
  /** CloudWatch's TargetGroup and LoadBalancer dimensions (ARN suffixes). */
  targetGroup: V;
  loadBalancer: V;
  alarms: AlarmsConfig;
  /** The fewest tasks that should run: autoscaling min, else desiredCount. */
  minimumTasks: number;
}

/** The error-rate expression: 5xx share of requests, 0 below minRequests (too little traffic to judge). */
export function errorRateExpression(minRequests: number): string {
  return `IF(requests >= ${minRequests}, 100 * FILL(errors, 0) / requests, 0)`;
}

export function serviceAlarmDefinitions<V>(input: ServiceAlarmInput<V>): AlarmDefinition<V>[] {
  const { alarms } = input;
  const window = alarms.windowSeconds;
  const minutes = window / 60;
  const unhealthyMinutes = Math.min(minutes, 3);
  const name = (key: AlarmKey) => alarmName(input.project, input.stack, input.service, key);
  const alb = { TargetGroup: input.targetGroup, LoadBalancer: input.loadBalancer };
  const ecs = { ClusterName: input.cluster, ServiceName: input.ecsService };
  const albMetric = (metricName: string, stat: string): MetricSpec<V> => ({
    namespace: "AWS/ApplicationELB",
    metricName,
    stat,
    dimensions: alb,
  });

  const errorRate = (key: AlarmKey, severity: Severity, threshold: number): AlarmDefinition<V> => ({
    key,
    name: name(key),
    severity,
    rollback: severity === "critical",
    description: `${input.service}: 5xx above ${threshold}% of requests over ${window}s (when at least ${alarms.minRequests} requests).`,
    comparison: "GreaterThanThreshold",
    threshold,
    period: window,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    queries: [
      { id: "rate", expression: errorRateExpression(alarms.minRequests), label: "5xx error rate (%)", returnData: true },
      { id: "errors", metric: albMetric("HTTPCode_Target_5XX_Count", "Sum"), returnData: false },
      { id: "requests", metric: albMetric("RequestCount", "Sum"), returnData: false },
    ],
  });

  const latency = (key: AlarmKey, severity: Severity, percentile: "p95" | "p99", ms: number): AlarmDefinition<V> => ({
    key,
    name: name(key),
    severity,
    rollback: severity === "critical",
    description: `${input.service}: ${percentile} target response time above ${ms} ms over ${window}s.`,
    comparison: "GreaterThanThreshold",
    threshold: ms / 1000,
    period: window,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    metric: albMetric("TargetResponseTime", percentile),
  });

  const utilization = (key: AlarmKey, metricName: string, percent: number): AlarmDefinition<V> => ({
    key,
    name: name(key),
    severity: "warning",
    rollback: false,
    description: `${input.service}: ${metricName} above ${percent}% for ${minutes} minute(s) in a row.`,
    comparison: "GreaterThanThreshold",
    threshold: percent,
    period: 60,
    evaluationPeriods: minutes,
    datapointsToAlarm: minutes,
    treatMissingData: "notBreaching",
    metric: { namespace: "AWS/ECS", metricName, stat: "Average", dimensions: ecs },
  });

  return [
    errorRate("error-rate-warning", "warning", alarms.errorRateWarningPercent),
    errorRate("error-rate-critical", "critical", alarms.errorRateCriticalPercent),
    latency("latency-p95", "warning", "p95", alarms.p95LatencyMs),
    latency("latency-p99", "critical", "p99", alarms.p99LatencyMs),
    utilization("cpu-high", "CPUUtilization", alarms.cpuPercent),
    utilization("memory-high", "MemoryUtilization", alarms.memoryPercent),
    {
      key: "running-tasks-low",
      name: name("running-tasks-low"),
      severity: "critical",
      // Not a deployment alarm: a new service starts below its count (and with no data), which would
      // fail its very first deployment. The circuit breaker covers tasks that never become healthy.
      rollback: false,
      description: `${input.service}: fewer than ${input.minimumTasks} running task(s) for ${minutes} minute(s).`,
      comparison: "LessThanThreshold",
      threshold: input.minimumTasks,
      period: 60,
      evaluationPeriods: minutes,
      datapointsToAlarm: minutes,
      treatMissingData: "breaching",
      metric: { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", stat: "Minimum", dimensions: ecs },
    },
    {
      key: "unhealthy-hosts",
      name: name("unhealthy-hosts"),
      severity: "critical",
      rollback: true,
      description: `${input.service}: targets failing the load balancer's health check for ${unhealthyMinutes} minute(s).`,
      comparison: "GreaterThanThreshold",
      threshold: 0,
      period: 60,
      evaluationPeriods: unhealthyMinutes,
      datapointsToAlarm: unhealthyMinutes,
      treatMissingData: "notBreaching",
      metric: albMetric("UnHealthyHostCount", "Maximum"),
    },
    {
      key: "task-stops",
      name: name("task-stops"),
      severity: "critical",
      // Not a deployment alarm: the circuit breaker already judges a revision whose tasks crash.
      rollback: false,
      description: `${input.service}: ${TASK_STOPS_THRESHOLD} or more tasks stopped because an essential container exited, within ${TASK_STOPS_PERIOD}s.`,
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: TASK_STOPS_THRESHOLD,
      period: TASK_STOPS_PERIOD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "notBreaching",
      metric: {
        namespace: TASK_STOPS_METRIC.namespace,
        metricName: TASK_STOPS_METRIC.metricName,
        stat: "Sum",
        dimensions: { ClusterArn: input.clusterArn, ServiceGroup: `service:${input.ecsService}` },
      },
    },
    {
      key: "ephemeral-storage-high",
      name: name("ephemeral-storage-high"),
      severity: "warning",
      rollback: false,
      description: `${input.service}: ephemeral storage above ${EPHEMERAL_STORAGE_PERCENT}% of what its tasks reserve for ${minutes} minute(s) in a row.`,
      comparison: "GreaterThanThreshold",
      threshold: EPHEMERAL_STORAGE_PERCENT,
      period: 60,
      evaluationPeriods: minutes,
      datapointsToAlarm: minutes,
      treatMissingData: "notBreaching",
      queries: [
        { id: "storage", expression: "100 * used / reserved", label: "Ephemeral storage used (%)", returnData: true },
        {
          id: "used",
          metric: { namespace: "ECS/ContainerInsights", metricName: "EphemeralStorageUtilized", stat: "Average", dimensions: ecs },
          returnData: false,
        },
        {
          id: "reserved",
          metric: { namespace: "ECS/ContainerInsights", metricName: "EphemeralStorageReserved", stat: "Average", dimensions: ecs },
          returnData: false,
        },
      ],
    },
  ];
}

/** Essential-container exits of one service within TASK_STOPS_PERIOD seconds that page. */
export const TASK_STOPS_THRESHOLD = 3;
export const TASK_STOPS_PERIOD = 300;
/** Ephemeral storage used, in percent of the reserved, above which a warning goes out. */
export const EPHEMERAL_STORAGE_PERCENT = 85;
/** Days before the HTTPS certificate expires at which a warning goes out. */
export const CERTIFICATE_EXPIRY_DAYS = 7;

/** The metric the task-stop events are counted into (a metric filter on the events' log group). */
export const TASK_STOPS_METRIC = { namespace: "Delivery", metricName: "TaskStops" } as const;

/**
 * The EventBridge pattern: a task of one of this cluster's services (group `service:<name>`; a
 * migration's one-off task has group `family:...`) stopped because an essential container exited.
 * Deployments and scale-in stop tasks with ServiceSchedulerInitiated, which does not match.
 */
export function taskStopEventPattern(clusterArn: string): Record<string, unknown> {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: {
      clusterArn: [clusterArn],
      lastStatus: ["STOPPED"],
      stopCode: ["EssentialContainerExited"],
      group: [{ prefix: "service:" }],
    },
  };
}

/** The metric filter: one count per matched event, dimensioned by the event's cluster ARN and service group. */
export const TASK_STOPS_FILTER = {
  pattern: '{ ($.detail.lastStatus = "STOPPED") && ($.detail.stopCode = "EssentialContainerExited") }',
  metricTransformation: {
    namespace: TASK_STOPS_METRIC.namespace,
    name: TASK_STOPS_METRIC.metricName,
    value: "1",
    unit: "Count",
    dimensions: { ClusterArn: "$.detail.clusterArn", ServiceGroup: "$.detail.group" },
  },
} as const;

/** The HTTPS listener certificate expires within CERTIFICATE_EXPIRY_DAYS days (ACM's daily DaysToExpiry). */
export function certificateExpiryAlarm<V>(input: { name: string; certificateArn: V }): Omit<AlarmDefinition<V>, "key"> {
  return {
    name: input.name,
    severity: "warning",
    rollback: false,
    description: `The load balancer's HTTPS certificate expires in fewer than ${CERTIFICATE_EXPIRY_DAYS} days: renew or replace it (delivery:loadBalancer.certificateArn).`,
    comparison: "LessThanThreshold",
    threshold: CERTIFICATE_EXPIRY_DAYS,
    period: 86400,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "missing",
    metric: {
      namespace: "AWS/CertificateManager",
      metricName: "DaysToExpiry",
      stat: "Minimum",
      dimensions: { CertificateArn: input.certificateArn },
    },
  };
}

/** The names ECS watches during a deployment (rollback on). */
export function deploymentAlarmNames<V>(definitions: readonly AlarmDefinition<V>[]): string[] {
  return definitions.filter((d) => d.rollback).map((d) => d.name);
}
