import { OperationalError } from "../../core/errors";
import {
  DEFAULT_PROMETHEUS_QUERIES,
  fillQuery,
  type PrometheusQueryName,
  type PrometheusTraffic,
  type QueryPlaceholders,
} from "../../../contract/prometheus";

/**
 * Traffic counts and latency of a Kubernetes service from Prometheus' HTTP API (`/api/v1/query`),
 * Flagger-style: one small provider that returns numbers, never a verdict. Istio's standard metrics
 * or ingress-nginx's, per the manifest's `prometheus.traffic`; any query overridable per stack.
 */

/** A number, or the fact that Prometheus had no sample for the query (the check says inconclusive). */
export type MetricValue = { kind: "value"; value: number; query: string } | { kind: "no-data"; query: string };

export interface TrafficMetrics {
  requests: MetricValue;
  /** 5xx answers. */
  errors: MetricValue;
  /** Milliseconds. */
  latencyP95: MetricValue;
  latencyP99: MetricValue;
}

export type FetchLike = (
  url: string,
  init: { signal: AbortSignal; headers: Record<string, string> },
) => Promise<{
  ok: boolean;
  status: number;
  text(): Promise<string>;
}>;

export interface PrometheusOptions {
  /** Prometheus' base URL (the manifest's `prometheus.url`). */
  url: string;
  traffic: PrometheusTraffic;
  /** Per-stack overrides (the manifest's `prometheus.queries`). @default Istio's or ingress-nginx's standard queries */
  queries?: Partial<Record<PrometheusQueryName, string>>;
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** Each query's limit; past it the query fails as unreachable. @default 10000 */
  timeoutMs?: number;
}

interface PrometheusAnswer {
  status: "success" | "error";
  error?: string;
  data?: { resultType: string; result: { metric?: Record<string, string>; value?: [number, string] }[] | [number, string] };
}

export class PrometheusMetrics {
  private readonly fetch: FetchLike;
  private readonly timeoutMs: number;
  private readonly base: string;

  constructor(private readonly options: PrometheusOptions) {
    this.fetch = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.base = options.url.replace(/\/+$/, "");
  }

  /** The PromQL for one measure of one service (the override when the stack gives one). */
  queryFor(name: PrometheusQueryName, at: QueryPlaceholders): string {
    return fillQuery(this.options.queries?.[name] ?? DEFAULT_PROMETHEUS_QUERIES[this.options.traffic][name], at);
  }

  /** Requests, 5xx, p95 and p99 of a service over the last `windowSeconds` (ending at `at`, default now). */
  async traffic(
    service: { namespace: string; service: string; deployment: string },
    windowSeconds: number,
    at?: Date,
  ): Promise<TrafficMetrics> {
    const values: QueryPlaceholders = { ...service, window: windowSeconds };
    const names: PrometheusQueryName[] = ["requests", "errors", "latencyP95", "latencyP99"];
    const [requests, errors, latencyP95, latencyP99] = await Promise.all(names.map((n) => this.query(this.queryFor(n, values), at)));
    return { requests, errors, latencyP95, latencyP99 };
  }

  /** One instant query: its single number, or no data (an empty vector or NaN). */
  async query(promql: string, at?: Date): Promise<MetricValue> {
    return valueOf(await this.ask(promql, at), promql, this.base);
  }

  /** One instant query returning a vector: each series' labels (an empty list when none matched). */
  async series(promql: string, at?: Date): Promise<Record<string, string>[]> {
    const answer = await this.ask(promql, at);
    if (answer.data?.resultType !== "vector") {
      throw new OperationalError(
        `Prometheus at ${this.base} returned a ${String(answer.data?.resultType)}, not a vector; query: ${promql}`,
        "prometheus:query",
      );
    }
    return (answer.data.result as { metric?: Record<string, string> }[]).map((s) => s.metric ?? {});
  }

  private async ask(promql: string, at?: Date): Promise<PrometheusAnswer> {
    const params = new URLSearchParams({ query: promql });
    if (at) params.set("time", (at.getTime() / 1000).toFixed(3));
    const url = `${this.base}/api/v1/query?${params.toString()}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let status: number;
    let body: string;
    try {
      const response = await this.fetch(url, { signal: controller.signal, headers: { accept: "application/json" } });
      status = response.status;
      body = await response.text();
    } catch (err) {
      const why = controller.signal.aborted ? `no answer within ${this.timeoutMs} ms` : (err as Error).message;
      throw new OperationalError(`Prometheus at ${this.base} is unreachable (${why}); query: ${promql}`, "prometheus:query", {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
    const answer = parse(body);
    if (status < 200 || status >= 300 || !answer || answer.status !== "success") {
      const detail = answer?.error ?? body.slice(0, 200);
      throw new OperationalError(`Prometheus at ${this.base} answered ${status} (${detail}); query: ${promql}`, "prometheus:query");
    }
    return answer;
  }
}

function parse(body: string): PrometheusAnswer | undefined {
  try {
    return JSON.parse(body) as PrometheusAnswer;
  } catch {
    return undefined;
  }
}

function valueOf(answer: PrometheusAnswer, query: string, base: string): MetricValue {
  const data = answer.data;
  let sample: string | undefined;
  if (data?.resultType === "scalar") sample = (data.result as [number, string])[1];
  else if (data?.resultType === "vector") {
    const series = data.result as { value?: [number, string] }[];
    if (series.length > 1) {
      throw new OperationalError(
        `Prometheus at ${base} returned ${series.length} series where one number was expected (aggregate it, e.g. with sum()); query: ${query}`,
        "prometheus:query",
      );
    }
    sample = series[0]?.value?.[1];
  } else {
    throw new OperationalError(
      `Prometheus at ${base} returned a ${String(data?.resultType)}, not a number; query: ${query}`,
      "prometheus:query",
    );
  }
  const value = sample === undefined ? NaN : Number(sample);
  return Number.isFinite(value) ? { kind: "value", value, query } : { kind: "no-data", query };
}
