import { describe, expect, it } from "vitest";
import { alertRules, DASHBOARD_PANELS, grafanaDashboard, KUBERNETES_TIERS, routePrefix, volumeName } from "../../../infra/kubernetes";
import { KUBERNETES_TIER_RESOURCES } from "../../../infra/kubernetes/settings";

const thresholds = { errorRateWarningPercent: 1, errorRateCriticalPercent: 5, p95LatencyMs: 500, cpuPercent: 80 };

describe("Kubernetes sizing and naming", () => {
  it("gives each tier its replicas, autoscaling bounds, disruption budget and spread", () => {
    expect(KUBERNETES_TIERS).toEqual({
      local: { replicas: 1, spread: false },
      dev: { replicas: 1, spread: false },
      staging: { replicas: 2, autoscaling: { min: 2, max: 5, cpuTargetPercent: 70 }, spread: false },
      prod: { replicas: 3, autoscaling: { min: 3, max: 20, cpuTargetPercent: 70 }, minAvailable: 2, spread: true },
    });
  });

  it("sizes containers per tier: dev 100m/128Mi, staging 250m/256Mi, prod 500m/512Mi", () => {
    expect([KUBERNETES_TIER_RESOURCES.dev, KUBERNETES_TIER_RESOURCES.staging, KUBERNETES_TIER_RESOURCES.prod]).toEqual([
      { cpu: "100m", memory: "128Mi" },
      { cpu: "250m", memory: "256Mi" },
      { cpu: "500m", memory: "512Mi" },
    ]);
  });

  it.each([
    ["/tmp", "tmp"],
    ["/var/cache/nginx", "var-cache-nginx"],
    ["/run/app.d/", "run-app-d"],
  ])("names the volume for %s %s", (path, name) => {
    expect(volumeName(path)).toBe(name);
  });

  it.each([
    ["/api/*", "/api"],
    ["/*", "/"],
    ["/", "/"],
    ["/v1/users", "/v1/users"],
  ])("routes the ALB-style path %s as the prefix %s", (path, prefix) => {
    expect(routePrefix(path)).toBe(prefix);
  });
});

describe("alertRules", () => {
  const rules = alertRules({
    stack: "prod",
    namespace: "delivery-prod",
    traffic: "istio",
    services: [{ name: "api", deployment: "api" }],
    thresholds,
  });
  const rule = (name: string) => rules.find((r) => r.alert === name);

  it("fires critical on 3 restarts in 5 minutes", () => {
    expect([rule("PodRestarting")?.expr, rule("PodRestarting")?.labels]).toEqual([
      'increase(kube_pod_container_status_restarts_total{namespace="delivery-prod"}[5m]) >= 3',
      { severity: "critical", stack: "prod", namespace: "delivery-prod" },
    ]);
  });

  it("compares the 5xx ratio of Istio's counts with 5% (critical) and 1% (warning)", () => {
    const sel = 'reporter="destination",destination_workload_namespace="delivery-prod",destination_workload="api"';
    const ratio = `(sum(increase(istio_requests_total{${sel},response_code=~"5.."}[300s]))) / (sum(increase(istio_requests_total{${sel}}[300s])))`;
    expect([rule("ApiErrorRateCritical")?.expr, rule("ApiErrorRateWarning")?.expr, rule("ApiErrorRateWarning")?.labels.service]).toEqual([
      `${ratio} > 0.05`,
      `${ratio} > 0.01`,
      "api",
    ]);
  });

  it("warns on p95 above 500 ms, CPU above 80% of the limit for 5 minutes and volumes above 85%; informs of certificates within 7 days", () => {
    expect(
      ["ApiLatencyP95High", "PodCpuHigh", "VolumeFillingUp", "CertificateExpiringSoon"].map((n) => [
        rule(n)?.labels.severity,
        rule(n)?.for,
        rule(n)?.expr.split(" > ").at(-1) ?? "",
      ]),
    ).toEqual([
      ["warning", "5m", "500"],
      ["warning", "5m", "0.8"],
      ["warning", "5m", "0.85"],
      ["info", "1h", 'certmanager_certificate_expiration_timestamp_seconds{namespace="delivery-prod"} - time() < 604800'],
    ]);
  });

  it("counts ingress-nginx's requests by namespace and service, with latency in milliseconds", () => {
    const nginx = alertRules({
      stack: "s",
      namespace: "ns",
      traffic: "ingress-nginx",
      services: [{ name: "api", deployment: "api" }],
      thresholds,
    });
    expect(nginx.find((r) => r.alert === "ApiLatencyP95High")?.expr).toBe(
      '1000 * histogram_quantile(0.95, sum by (le) (increase(nginx_ingress_controller_request_duration_seconds_bucket{namespace="ns",service="api"}[300s]))) > 500',
    );
  });
});

describe("grafanaDashboard", () => {
  it("has the release panels in order, each with a query on the namespace", () => {
    const d = grafanaDashboard({ project: "delivery", stack: "prod", namespace: "delivery-prod", traffic: "istio" });
    expect([d.panels.map((p) => p.title), d.panels.every((p) => p.targets.every((t) => t.expr.includes("delivery-prod")))]).toEqual([
      [...DASHBOARD_PANELS],
      true,
    ]);
    expect(DASHBOARD_PANELS).toEqual([
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
    ]);
  });

  it("draws 4xx and 5xx from ingress-nginx's status label with traffic ingress-nginx", () => {
    const d = grafanaDashboard({ project: "delivery", stack: "prod", namespace: "ns", traffic: "ingress-nginx" });
    expect(d.panels.find((p) => p.title === "4xx/5xx")?.targets.map((t) => t.expr)).toEqual([
      'sum by (service) (rate(nginx_ingress_controller_requests{namespace="ns",status=~"4.."}[5m]))',
      'sum by (service) (rate(nginx_ingress_controller_requests{namespace="ns",status=~"5.."}[5m]))',
    ]);
  });
});
