import { describe, expect, it } from "vitest";
import { DEFAULT_ALARMS } from "../../infra/config";
import {
  certificateExpiryAlarm,
  deploymentAlarmNames,
  errorRateExpression,
  serviceAlarmDefinitions,
  TASK_STOPS_FILTER,
  taskStopEventPattern,
} from "../../infra/components/lib/alarms";

const input = {
  project: "delivery",
  stack: "prod",
  service: "api",
  cluster: "delivery-prod",
  clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/delivery-prod",
  ecsService: "api",
  targetGroup: "targetgroup/delivery-prod-api-8080/0123456789abcdef",
  loadBalancer: "app/delivery-prod/fedcba9876543210",
  alarms: DEFAULT_ALARMS,
  minimumTasks: 3,
};

const byKey = (key: string) => {
  const def = serviceAlarmDefinitions(input).find((d) => d.key === key);
  if (!def) throw new Error(`no alarm ${key}`);
  return def;
};

describe("serviceAlarmDefinitions", () => {
  it("defines ten alarms named <project>-<stack>-<service>-<alarm>", () => {
    expect(serviceAlarmDefinitions(input).map((d) => d.name)).toEqual([
      "delivery-prod-api-error-rate-warning",
      "delivery-prod-api-error-rate-critical",
      "delivery-prod-api-latency-p95",
      "delivery-prod-api-latency-p99",
      "delivery-prod-api-cpu-high",
      "delivery-prod-api-memory-high",
      "delivery-prod-api-running-tasks-low",
      "delivery-prod-api-unhealthy-hosts",
      "delivery-prod-api-task-stops",
      "delivery-prod-api-ephemeral-storage-high",
    ]);
  });

  it.each([
    // key, severity, comparison, threshold, period, evaluation periods, missing data
    ["error-rate-warning", "warning", "GreaterThanThreshold", 1, 300, 1, "notBreaching"],
    ["error-rate-critical", "critical", "GreaterThanThreshold", 5, 300, 1, "notBreaching"],
    ["latency-p95", "warning", "GreaterThanThreshold", 0.5, 300, 1, "notBreaching"],
    ["latency-p99", "critical", "GreaterThanThreshold", 1, 300, 1, "notBreaching"],
    ["cpu-high", "warning", "GreaterThanThreshold", 80, 60, 5, "notBreaching"],
    ["memory-high", "warning", "GreaterThanThreshold", 80, 60, 5, "notBreaching"],
    ["running-tasks-low", "critical", "LessThanThreshold", 3, 60, 5, "breaching"],
    ["unhealthy-hosts", "critical", "GreaterThanThreshold", 0, 60, 3, "notBreaching"],
    ["task-stops", "critical", "GreaterThanOrEqualToThreshold", 3, 300, 1, "notBreaching"],
    ["ephemeral-storage-high", "warning", "GreaterThanThreshold", 85, 60, 5, "notBreaching"],
  ])("%s: %s, %s %s, period %ss x %s, missing data %s", (key, severity, comparison, threshold, period, evaluations, missing) => {
    const def = byKey(key);
    expect([
      def.severity,
      def.comparison,
      def.threshold,
      def.period,
      def.evaluationPeriods,
      def.datapointsToAlarm,
      def.treatMissingData,
    ]).toEqual([severity, comparison, threshold, period, evaluations, evaluations, missing]);
  });

  it("computes the error rate as metric math over the target group and load balancer", () => {
    expect(byKey("error-rate-critical").queries).toEqual([
      { id: "rate", expression: "IF(requests >= 100, 100 * FILL(errors, 0) / requests, 0)", label: "5xx error rate (%)", returnData: true },
      {
        id: "errors",
        metric: {
          namespace: "AWS/ApplicationELB",
          metricName: "HTTPCode_Target_5XX_Count",
          stat: "Sum",
          dimensions: { TargetGroup: input.targetGroup, LoadBalancer: input.loadBalancer },
        },
        returnData: false,
      },
      {
        id: "requests",
        metric: {
          namespace: "AWS/ApplicationELB",
          metricName: "RequestCount",
          stat: "Sum",
          dimensions: { TargetGroup: input.targetGroup, LoadBalancer: input.loadBalancer },
        },
        returnData: false,
      },
    ]);
  });

  it("uses minRequests as the traffic floor of the error-rate expression", () => {
    expect(errorRateExpression(50)).toBe("IF(requests >= 50, 100 * FILL(errors, 0) / requests, 0)");
  });

  it("watches the p99 of TargetResponseTime in seconds", () => {
    expect(byKey("latency-p99").metric).toEqual({
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      stat: "p99",
      dimensions: { TargetGroup: input.targetGroup, LoadBalancer: input.loadBalancer },
    });
  });

  it("counts running tasks from Container Insights by cluster and service", () => {
    expect(byKey("running-tasks-low").metric).toEqual({
      namespace: "ECS/ContainerInsights",
      metricName: "RunningTaskCount",
      stat: "Minimum",
      dimensions: { ClusterName: "delivery-prod", ServiceName: "api" },
    });
  });

  it("counts essential-container exits from the task-stop metric of the service's cluster ARN and group", () => {
    expect(byKey("task-stops").metric).toEqual({
      namespace: "Delivery",
      metricName: "TaskStops",
      stat: "Sum",
      dimensions: { ClusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/delivery-prod", ServiceGroup: "service:api" },
    });
  });

  it("computes ephemeral storage used as a percentage of the reserved, from Container Insights", () => {
    const ecs = { ClusterName: "delivery-prod", ServiceName: "api" };
    expect(byKey("ephemeral-storage-high").queries).toEqual([
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
    ]);
  });

  it("matches stopped service tasks of one cluster whose essential container exited", () => {
    expect(taskStopEventPattern("arn:aws:ecs:us-east-1:123456789012:cluster/delivery-prod")).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: {
        clusterArn: ["arn:aws:ecs:us-east-1:123456789012:cluster/delivery-prod"],
        lastStatus: ["STOPPED"],
        stopCode: ["EssentialContainerExited"],
        group: [{ prefix: "service:" }],
      },
    });
  });

  it("counts each matched event once into Delivery/TaskStops by the event's cluster ARN and group", () => {
    expect(TASK_STOPS_FILTER).toEqual({
      pattern: '{ ($.detail.lastStatus = "STOPPED") && ($.detail.stopCode = "EssentialContainerExited") }',
      metricTransformation: {
        namespace: "Delivery",
        name: "TaskStops",
        value: "1",
        unit: "Count",
        dimensions: { ClusterArn: "$.detail.clusterArn", ServiceGroup: "$.detail.group" },
      },
    });
  });

  it("warns when the certificate has fewer than 7 days left (ACM's daily DaysToExpiry)", () => {
    const arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
    const def = certificateExpiryAlarm({ name: "delivery-prod-certificate-expiry", certificateArn: arn });
    expect([def.severity, def.comparison, def.threshold, def.period, def.evaluationPeriods, def.treatMissingData, def.metric]).toEqual([
      "warning",
      "LessThanThreshold",
      7,
      86400,
      1,
      "missing",
      { namespace: "AWS/CertificateManager", metricName: "DaysToExpiry", stat: "Minimum", dimensions: { CertificateArn: arn } },
    ]);
  });

  it("follows the configured thresholds and window", () => {
    const defs = serviceAlarmDefinitions({
      ...input,
      alarms: {
        ...DEFAULT_ALARMS,
        errorRateWarningPercent: 2,
        errorRateCriticalPercent: 10,
        p95LatencyMs: 250,
        cpuPercent: 70,
        windowSeconds: 120,
      },
    });
    const get = (key: string) => defs.find((d) => d.key === key);
    expect([get("error-rate-warning")?.threshold, get("error-rate-critical")?.threshold, get("latency-p95")?.threshold]).toEqual([
      2, 10, 0.25,
    ]);
    expect([get("error-rate-critical")?.period, get("cpu-high")?.threshold, get("cpu-high")?.evaluationPeriods]).toEqual([120, 70, 2]);
  });

  it("rolls back deployments on the critical alarms that judge the release, not on the running-task count", () => {
    expect(deploymentAlarmNames(serviceAlarmDefinitions(input))).toEqual([
      "delivery-prod-api-error-rate-critical",
      "delivery-prod-api-latency-p99",
      "delivery-prod-api-unhealthy-hosts",
    ]);
  });
});
