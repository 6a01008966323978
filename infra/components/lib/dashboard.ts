import type { AlarmsConfig } from "../../config";
import { DELIVERY_NAMESPACE } from "../../../contract/deliveryMetrics";

/**
 * The environment's CloudWatch dashboard body, as plain data (the component stringifies it once every
 * ARN suffix is known). What a release needs at a glance: the alarms' states; then one widget per
 * concern, each showing every service: deploys and rollbacks (deployctl's Delivery metrics), the
 * running task definition revision, validations, task restarts, deployments in progress, running
 * tasks, 5xx and 4xx rates, requests per second, latency p50/p95/p99, CPU and memory.
 */

export interface DashboardService {
  name: string;
  cluster: string;
  ecsService: string;
  targetGroup: string;
  loadBalancer: string;
}

export interface DashboardInput {
  title: string;
  region: string;
  /** The stack's name: the `Stack` dimension of the Delivery metrics deployctl publishes. */
  stack: string;
  services: readonly DashboardService[];
  alarms: AlarmsConfig;
  /** The ARNs of the alarms whose state the dashboard shows (the services' alarms). */
  alarmArns: readonly string[];
}

type MetricLine = (string | Record<string, unknown>)[];

interface Annotation {
  label: string;
  value: number;
  color?: string;
}

export interface Widget {
  type: "metric" | "text" | "alarm";
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

export interface DashboardBody {
  start: string;
  periodOverride: "inherit";
  widgets: Widget[];
}

const WARNING = "#ff7f0e";
const CRITICAL = "#d62728";
/** An alarm status widget lists at most 100 alarms. */
export const ALARMS_PER_WIDGET = 100;

export function dashboardBody(input: DashboardInput): DashboardBody {
  const { services, alarms, region, stack } = input;
  const alb = (s: DashboardService) => ["TargetGroup", s.targetGroup, "LoadBalancer", s.loadBalancer];
  const ecs = (s: DashboardService) => ["ClusterName", s.cluster, "ServiceName", s.ecsService];
  const delivery = (s: DashboardService) => ["Stack", stack, "Service", s.name];
  const perService = (namespace: string, metric: string, dims: (s: DashboardService) => string[], stat?: string): MetricLine[] =>
    services.map((s) => [namespace, metric, ...dims(s), { label: s.name, ...(stat ? { stat } : {}) }]);

  const graph = (title: string, metrics: MetricLine[], stat: string, extra: Record<string, unknown> = {}) => ({
    title,
    region,
    view: "timeSeries",
    stacked: false,
    period: 60,
    stat,
    metrics,
    ...extra,
  });
  const threshold = (annotations: Annotation[]) => ({ annotations: { horizontal: annotations } });
  const latency = (p: "p50" | "p95" | "p99", annotations: Annotation[]) =>
    graph(`Latency ${p} (seconds)`, perService("AWS/ApplicationELB", "TargetResponseTime", alb, p), p, threshold(annotations));

  // Each service's share of requests answered with `codes`, as metric math over hidden counts.
  const codeRate = (metric: string, prefix: string): MetricLine[] =>
    services.flatMap((s, i) => [
      [{ expression: `100 * FILL(${prefix}${i}, 0) / r${i}`, label: s.name, id: `rate${i}` }],
      ["AWS/ApplicationELB", metric, ...alb(s), { id: `${prefix}${i}`, visible: false }],
      ["AWS/ApplicationELB", "RequestCount", ...alb(s), { id: `r${i}`, visible: false }],
    ]);
  const errorRate = codeRate("HTTPCode_Target_5XX_Count", "e");
  const clientErrorRate = codeRate("HTTPCode_Target_4XX_Count", "c");
  const requestsPerSecond: MetricLine[] = services.flatMap((s, i) => [
    [{ expression: `FILL(r${i}, 0) / PERIOD(r${i})`, label: s.name, id: `rps${i}` }],
    ["AWS/ApplicationELB", "RequestCount", ...alb(s), { id: `r${i}`, visible: false }],
  ]);

  const panels = [
    graph(
      "Deploys and rollbacks",
      services.flatMap((s) => [
        [DELIVERY_NAMESPACE, "Deployments", ...delivery(s), { label: `${s.name} deploys` }],
        [DELIVERY_NAMESPACE, "Rollbacks", ...delivery(s), { label: `${s.name} rollbacks` }],
      ]),
      "Sum",
      { period: 300 },
    ),
    graph("Running revision (task definition)", perService(DELIVERY_NAMESPACE, "RunningRevision", delivery), "Maximum", { period: 300 }),
    graph(
      "Validations",
      services.flatMap((s) => [
        [DELIVERY_NAMESPACE, "ValidationsPassed", ...delivery(s), { label: `${s.name} passed` }],
        [DELIVERY_NAMESPACE, "ValidationsFailed", ...delivery(s), { label: `${s.name} failed` }],
      ]),
      "Sum",
      { period: 300 },
    ),
    graph("Task restarts", perService("ECS/ContainerInsights", "RestartCount", ecs), "Sum"),
    graph("Deployments in progress", perService("ECS/ContainerInsights", "DeploymentCount", ecs), "Maximum"),
    graph(
      "Running and desired tasks",
      services.flatMap((s) => [
        ["ECS/ContainerInsights", "RunningTaskCount", ...ecs(s), { label: `${s.name} running` }],
        ["ECS/ContainerInsights", "DesiredTaskCount", ...ecs(s), { label: `${s.name} desired` }],
      ]),
      "Minimum",
    ),
    graph(
      "5xx error rate (%)",
      errorRate,
      "Sum",
      threshold([
        { label: "warning", value: alarms.errorRateWarningPercent, color: WARNING },
        { label: "critical", value: alarms.errorRateCriticalPercent, color: CRITICAL },
      ]),
    ),
    graph("4xx error rate (%)", clientErrorRate, "Sum"),
    graph("Requests per second", requestsPerSecond, "Sum"),
    latency("p50", []),
    latency("p95", [{ label: "p95 threshold", value: alarms.p95LatencyMs / 1000, color: WARNING }]),
    latency("p99", [{ label: "p99 threshold", value: alarms.p99LatencyMs / 1000, color: CRITICAL }]),
    graph(
      "CPU (%)",
      perService("AWS/ECS", "CPUUtilization", ecs),
      "Average",
      threshold([{ label: "cpu", value: alarms.cpuPercent, color: WARNING }]),
    ),
    graph(
      "Memory (%)",
      perService("AWS/ECS", "MemoryUtilization", ecs),
      "Average",
      threshold([{ label: "memory", value: alarms.memoryPercent, color: WARNING }]),
    ),
  ];

  const header: Widget = {
    type: "text",
    x: 0,
    y: 0,
    width: 24,
    height: 2,
    properties: {
      markdown: `# ${input.title}\n${services.length} service(s): ${services.map((s) => s.name).join(", ")}. Alarm thresholds: 5xx ${alarms.errorRateWarningPercent}% / ${alarms.errorRateCriticalPercent}%, p95 ${alarms.p95LatencyMs} ms, p99 ${alarms.p99LatencyMs} ms.`,
    },
  };
  const alarmRows: Widget[] = chunks(input.alarmArns, ALARMS_PER_WIDGET).map((arns, i, all) => ({
    type: "alarm",
    x: 0,
    y: 2 + i * 4,
    width: 24,
    height: 4,
    properties: {
      title: all.length > 1 ? `Alarms (${i + 1} of ${all.length})` : "Alarms",
      alarms: arns,
      sortBy: "stateUpdatedTimestamp",
    },
  }));
  const top = 2 + alarmRows.length * 4;
  const widgets: Widget[] = [
    header,
    ...alarmRows,
    ...panels.map(
      (properties, i): Widget => ({
        type: "metric",
        x: (i % 2) * 12,
        y: top + Math.floor(i / 2) * 6,
        width: 12,
        height: 6,
        properties,
      }),
    ),
  ];
  return { start: "-PT3H", periodOverride: "inherit", widgets };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
