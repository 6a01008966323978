/**
 * The PromQL deployctl runs against a Kubernetes stack's Prometheus, per traffic source, and the
 * placeholders a stack's overrides (`prometheus.queries` in the manifest) may use: {namespace},
 * {service}, {deployment} and {window} (seconds). The program's alert rules use the same series.
 */
export type PrometheusTraffic = "istio" | "ingress-nginx";
export type PrometheusQueryName = "requests" | "errors" | "latencyP95" | "latencyP99";

const ISTIO = 'reporter="destination",destination_workload_namespace="{namespace}",destination_workload="{deployment}"';
const NGINX = 'namespace="{namespace}",service="{service}"';

export const DEFAULT_PROMETHEUS_QUERIES: Record<PrometheusTraffic, Record<PrometheusQueryName, string>> = {
  istio: {
    requests: `sum(increase(istio_requests_total{${ISTIO}}[{window}s]))`,
    errors: `sum(increase(istio_requests_total{${ISTIO},response_code=~"5.."}[{window}s]))`,
    latencyP95: `histogram_quantile(0.95, sum by (le) (increase(istio_request_duration_milliseconds_bucket{${ISTIO}}[{window}s])))`,
    latencyP99: `histogram_quantile(0.99, sum by (le) (increase(istio_request_duration_milliseconds_bucket{${ISTIO}}[{window}s])))`,
  },
  "ingress-nginx": {
    requests: `sum(increase(nginx_ingress_controller_requests{${NGINX}}[{window}s]))`,
    errors: `sum(increase(nginx_ingress_controller_requests{${NGINX},status=~"5.."}[{window}s]))`,
    // Seconds in ingress-nginx's histogram; milliseconds out, as with Istio.
    latencyP95: `1000 * histogram_quantile(0.95, sum by (le) (increase(nginx_ingress_controller_request_duration_seconds_bucket{${NGINX}}[{window}s])))`,
    latencyP99: `1000 * histogram_quantile(0.99, sum by (le) (increase(nginx_ingress_controller_request_duration_seconds_bucket{${NGINX}}[{window}s])))`,
  },
};

export interface QueryPlaceholders {
  namespace: string;
  service: string;
  deployment: string;
  /** Seconds. */
  window: number;
}

/** Fills {namespace}, {service}, {deployment} and {window} in a query; other braces (label matchers) stay. */
export function fillQuery(template: string, values: QueryPlaceholders): string {
  return template.replace(/\{(namespace|service|deployment|window)\}/g, (_, key: keyof QueryPlaceholders) => String(values[key]));
}
