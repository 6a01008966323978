import type { AlarmsConfig } from "../../config";

/**
 * The environment's CloudWatch dashboard body, as plain data (the component stringifies it once every
 * ARN suffix is known). One widget per concern, each showing every service: deploys, running tasks,
 * 5xx error rate, requests, latency p50/p95/p99, CPU and memory.
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
  services: readonly DashboardService[];
  alarms: AlarmsConfig;
}

type MetricLine = (string | Record<string, unknown>)[];

interface Annotation {
  label: string;
  value: number;
  color?: string;
}

export interface Widget {
  type: "metric" | "text";
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

export function dashboardBody(input: DashboardInput): DashboardBody {
  const { services, alarms, region } = input;
  const alb = (s: DashboardService) => ["TargetGroup", s.targetGroup, "LoadBalancer", s.loadBalancer];
  const ecs = (s: DashboardService) => ["ClusterName", s.cluster, "ServiceName", s.ecsService];
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

  const errorRate: MetricLine[] = services.flatMap((s, i) => [
    [{ expression: `100 * FILL(e${i}, 0) / r${i}`, label: s.name, id: `rate${i}` }],
    ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ...alb(s), { id: `e${i}`, visible: false }],
    ["AWS/ApplicationELB", "RequestCount", ...alb(s), { id: `r${i}`, visible: false }],
  ]);

  const panels = [
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
    graph("Requests", perService("AWS/ApplicationELB", "RequestCount", alb), "Sum"),
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
  const widgets: Widget[] = [
    header,
    ...panels.map(
      (properties, i): Widget => ({
        type: "metric",
        x: (i % 2) * 12,
        y: 2 + Math.floor(i / 2) * 6,
        width: 12,
        height: 6,
        properties,
      }),
    ),
  ];
  return { start: "-PT3H", periodOverride: "inherit", widgets };
}
