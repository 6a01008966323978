import type { KubernetesTraffic } from "./settings";

/** One Grafana panel: a title and its PromQL targets. */
export interface GrafanaPanel {
  id: number;
  title: string;
  type: "stat" | "timeseries";
  gridPos: { x: number; y: number; w: number; h: number };
  targets: { expr: string; legendFormat: string; refId: string }[];
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  tags: string[];
  schemaVersion: number;
  time: { from: string; to: string };
  panels: GrafanaPanel[];
}

/** The release panels, in order. */
export const DASHBOARD_PANELS = [
  "Version",
  "Deploys",
  "Rollbacks",
  "Pods",
  "Restarts",
  "CPU",
  "Memory",
  "4xx/5xx",
  "Latency p50/p95/p99",
  "Requests per second",
] as const;

/**
 * The stack's Grafana dashboard (provisioned by Grafana's sidecar from a ConfigMap labelled
 * grafana_dashboard "1"): the release's version, deploys and rollbacks, pods and restarts, CPU and
 * memory, 4xx/5xx, p50/p95/p99 and RPS, over the namespace's Deployments.
 */
export function grafanaDashboard(input: {
  project: string;
  stack: string;
  namespace: string;
  traffic: KubernetesTraffic;
}): GrafanaDashboard {
  const ns = `namespace="${input.namespace}"`;
  const istio = input.traffic === "istio";
  const requests = istio
    ? `istio_requests_total{reporter="destination",destination_workload_namespace="${input.namespace}"}`
    : `nginx_ingress_controller_requests{${ns}}`;
  const code = istio ? "response_code" : "status";
  const by = istio ? "destination_workload" : "service";
  const bucket = istio
    ? `istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="${input.namespace}"}`
    : `nginx_ingress_controller_request_duration_seconds_bucket{${ns}}`;
  const scale = istio ? "" : "1000 * ";
  const quantile = (q: number) => `${scale}histogram_quantile(${q}, sum by (le, ${by}) (rate(${bucket}[5m])))`;
  const targets: Record<(typeof DASHBOARD_PANELS)[number], [string, string][]> = {
    Version: [
      [
        `count by (deployment, label_app_kubernetes_io_version) (kube_deployment_labels{${ns}})`,
        "{{deployment}} {{label_app_kubernetes_io_version}}",
      ],
    ],
    Deploys: [[`sum by (deployment) (changes(kube_deployment_status_observed_generation{${ns}}[1d]))`, "{{deployment}}"]],
    Rollbacks: [[`sum(changes(kube_configmap_info{${ns},configmap="delivery-releases"}[1d]))`, "rollbacks recorded"]],
    Pods: [[`sum by (deployment) (kube_deployment_status_replicas_available{${ns}})`, "{{deployment}} available"]],
    Restarts: [[`sum by (pod) (increase(kube_pod_container_status_restarts_total{${ns}}[1h]))`, "{{pod}}"]],
    CPU: [[`sum by (pod) (rate(container_cpu_usage_seconds_total{${ns},container!=""}[5m]))`, "{{pod}}"]],
    Memory: [[`sum by (pod) (container_memory_working_set_bytes{${ns},container!=""})`, "{{pod}}"]],
    "4xx/5xx": [
      [`sum by (${by}) (rate(${requests.replace("}", `,${code}=~"4.."}`)}[5m]))`, "{{" + by + "}} 4xx"],
      [`sum by (${by}) (rate(${requests.replace("}", `,${code}=~"5.."}`)}[5m]))`, "{{" + by + "}} 5xx"],
    ],
    "Latency p50/p95/p99": [
      [quantile(0.5), "{{" + by + "}} p50"],
      [quantile(0.95), "{{" + by + "}} p95"],
      [quantile(0.99), "{{" + by + "}} p99"],
    ],
    "Requests per second": [[`sum by (${by}) (rate(${requests}[5m]))`, "{{" + by + "}}"]],
  };
  const panels = DASHBOARD_PANELS.map(
    (title, i): GrafanaPanel => ({
      id: i + 1,
      title,
      type: i < 5 ? "stat" : "timeseries",
      gridPos: i < 5 ? { x: (i % 5) * 5, y: 0, w: 5, h: 4 } : { x: ((i - 5) % 2) * 12, y: 4 + Math.floor((i - 5) / 2) * 8, w: 12, h: 8 },
      targets: targets[title].map(([expr, legendFormat], j) => ({ expr, legendFormat, refId: String.fromCharCode(65 + j) })),
    }),
  );
  return {
    uid: `${input.project}-${input.stack}`.slice(0, 40),
    title: `${input.project} ${input.stack} releases`,
    tags: ["delivery", input.stack],
    schemaVersion: 39,
    time: { from: "now-6h", to: "now" },
    panels,
  };
}
