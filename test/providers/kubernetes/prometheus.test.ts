import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OperationalError } from "../../../validators/core/errors";
import { PrometheusMetrics } from "../../../validators/providers/kubernetes/prometheus";
import { type PrometheusServer, startPrometheus } from "../../support/prometheus";

/** Samples every 15 s for 20 minutes, ending an hour ago: the queries are evaluated at the last sample. */
const STEP = 15;
const STEPS = 80;
const END = Math.floor(Date.now() / 1000 / STEP) * STEP - 3600;
const START = END - (STEPS - 1) * STEP;
const AT = new Date(END * 1000);
const NS = "delivery-staging";

/** A counter growing by `perStep` each step. */
function counter(name: string, labels: string, perStep: number): string[] {
  return Array.from({ length: STEPS }, (_, i) => `${name}{${labels}} ${i * perStep} ${START + i * STEP}`);
}

/** Per step: 10 requests, 5 under 50, 3 in (50,100], 1 in (100,250], 1 in (250,500] (milliseconds; `scale` for seconds). */
function histogram(name: string, labels: string, scale: number): string[] {
  const cumulative: [string, number][] = [
    [String(50 * scale), 5],
    [String(100 * scale), 8],
    [String(250 * scale), 9],
    [String(500 * scale), 10],
    [String(1000 * scale), 10],
    ["+Inf", 10],
  ];
  return cumulative.flatMap(([le, n]) => counter(name, `${labels},le="${le}"`, n));
}

function openMetrics(): string {
  const istio = `reporter="destination",destination_workload_namespace="${NS}",destination_workload="api"`;
  const istioSource = `reporter="source",destination_workload_namespace="${NS}",destination_workload="api"`;
  const nginx = `namespace="${NS}",service="web"`;
  return [
    "# TYPE istio_requests counter",
    ...counter("istio_requests_total", `${istio},response_code="200"`, 9),
    ...counter("istio_requests_total", `${istio},response_code="503"`, 1),
    // The client side's report of the same requests: must not be counted twice.
    ...counter("istio_requests_total", `${istioSource},response_code="200"`, 10),
    "# TYPE istio_request_duration_milliseconds histogram",
    ...histogram("istio_request_duration_milliseconds_bucket", istio, 1),
    "# TYPE nginx_ingress_controller_requests counter",
    ...counter("nginx_ingress_controller_requests", `${nginx},status="200"`, 18),
    ...counter("nginx_ingress_controller_requests", `${nginx},status="502"`, 2),
    "# TYPE nginx_ingress_controller_request_duration_seconds histogram",
    ...histogram("nginx_ingress_controller_request_duration_seconds_bucket", nginx, 0.001),
    "# EOF",
    "",
  ].join("\n");
}

let prometheus: PrometheusServer;

beforeAll(async () => {
  prometheus = await startPrometheus(openMetrics());
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
});

const api = { namespace: NS, service: "api", deployment: "api" };

describe("PrometheusMetrics against a real Prometheus", () => {
  it("counts Istio's requests and 5xx over the window, as the destination reported them", async () => {
    const metrics = new PrometheusMetrics({ url: prometheus.url, traffic: "istio" });

    const t = await metrics.traffic(api, 300, AT);

    // 10 requests per 15 s, 1 of them 503: 200 and 20 in 300 s.
    expect([t.requests.kind === "value" && t.requests.value, t.errors.kind === "value" && t.errors.value]).toEqual([200, 20]);
  });

  it("reads p95 and p99 from Istio's duration histogram (linear within the 250-500 ms bucket)", async () => {
    const metrics = new PrometheusMetrics({ url: prometheus.url, traffic: "istio" });

    const t = await metrics.traffic(api, 300, AT);

    // 200 requests: 180 at or under 250 ms, 20 in (250, 500]; rank 190 -> 375 ms, rank 198 -> 475 ms.
    expect([t.latencyP95.kind, t.latencyP99.kind]).toEqual(["value", "value"]);
    expect(t.latencyP95.kind === "value" ? t.latencyP95.value : NaN).toBeCloseTo(375, 9);
    expect(t.latencyP99.kind === "value" ? t.latencyP99.value : NaN).toBeCloseTo(475, 9);
  });

  it("counts ingress-nginx's requests by namespace and service, latency converted to milliseconds", async () => {
    const metrics = new PrometheusMetrics({ url: prometheus.url, traffic: "ingress-nginx" });

    const t = await metrics.traffic({ namespace: NS, service: "web", deployment: "web" }, 600, AT);

    expect([t.requests.kind === "value" && t.requests.value, t.errors.kind === "value" && t.errors.value]).toEqual([800, 80]);
    expect(t.latencyP95.kind === "value" ? t.latencyP95.value : NaN).toBeCloseTo(375, 9);
  });

  it("says no data for a Deployment Prometheus has never seen, rather than zero", async () => {
    const metrics = new PrometheusMetrics({ url: prometheus.url, traffic: "istio" });

    const t = await metrics.traffic({ namespace: NS, service: "ghost", deployment: "ghost" }, 300, AT);

    expect([t.requests.kind, t.errors.kind, t.latencyP95.kind, t.latencyP99.kind]).toEqual(["no-data", "no-data", "no-data", "no-data"]);
  });

  it("runs the stack's override with {namespace}, {service}, {deployment} and {window} filled in", async () => {
    const metrics = new PrometheusMetrics({
      url: prometheus.url,
      traffic: "istio",
      queries: {
        errors:
          'sum(increase(istio_requests_total{destination_workload_namespace="{namespace}",destination_workload="{deployment}"}[{window}s]))',
      },
    });

    const t = await metrics.traffic(api, 300, AT);

    // Source and destination reports together: 20 per step.
    expect([t.errors.query, t.errors.kind === "value" && t.errors.value]).toEqual([
      `sum(increase(istio_requests_total{destination_workload_namespace="${NS}",destination_workload="api"}[300s]))`,
      400,
    ]);
  });

  it("fails operationally, naming Prometheus' error and the query, when the query is not PromQL", async () => {
    const metrics = new PrometheusMetrics({ url: prometheus.url, traffic: "istio" });

    const err = await metrics.query("sum(", AT).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(/^Prometheus at http:\/\/127\.0\.0\.1:\d+ answered 400 \(.*parse error.*\); query: sum\($/);
  });
});

describe("PrometheusMetrics when Prometheus cannot answer", () => {
  let silent: Server;
  let silentUrl: string;

  beforeAll(async () => {
    silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    silentUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });

  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  it("fails operationally, naming the query, when nothing listens", async () => {
    const metrics = new PrometheusMetrics({ url: "http://127.0.0.1:9", traffic: "istio" });

    const err = await metrics.query("up").catch((e: unknown) => e);

    expect([err instanceof OperationalError, (err as Error).message]).toEqual([
      true,
      "Prometheus at http://127.0.0.1:9 is unreachable (fetch failed); query: up",
    ]);
  });

  it("gives up after the timeout when Prometheus accepts but never answers", async () => {
    const metrics = new PrometheusMetrics({ url: silentUrl, traffic: "istio", timeoutMs: 200 });
    const started = Date.now();

    const err = await metrics.query("up").catch((e: unknown) => e);

    expect([err instanceof OperationalError, (err as Error).message, Date.now() - started < 2000]).toEqual([
      true,
      `Prometheus at ${silentUrl} is unreachable (no answer within 200 ms); query: up`,
      true,
    ]);
  });
});
