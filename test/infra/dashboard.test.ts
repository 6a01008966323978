import { describe, expect, it } from "vitest";
import { DEFAULT_ALARMS } from "../../infra/config";
import { dashboardBody } from "../../infra/components/lib/dashboard";

const services = [
  { name: "api", cluster: "delivery-dev", ecsService: "api", targetGroup: "targetgroup/a/1", loadBalancer: "app/lb/9" },
  { name: "web", cluster: "delivery-dev", ecsService: "web", targetGroup: "targetgroup/w/2", loadBalancer: "app/lb/9" },
];
const body = dashboardBody({ title: "delivery-dev", region: "us-east-1", services, alarms: DEFAULT_ALARMS });
const widget = (title: string) => {
  const w = body.widgets.find((x) => x.properties.title === title);
  if (!w) throw new Error(`no widget ${title}`);
  return w.properties;
};

describe("dashboardBody", () => {
  it("has a header and one graph per concern, in a two-column grid", () => {
    expect(body.widgets.map((w) => [w.properties.title ?? "header", w.x, w.y, w.width, w.height])).toEqual([
      ["header", 0, 0, 24, 2],
      ["Deployments in progress", 0, 2, 12, 6],
      ["Running and desired tasks", 12, 2, 12, 6],
      ["5xx error rate (%)", 0, 8, 12, 6],
      ["Requests", 12, 8, 12, 6],
      ["Latency p50 (seconds)", 0, 14, 12, 6],
      ["Latency p95 (seconds)", 12, 14, 12, 6],
      ["Latency p99 (seconds)", 0, 20, 12, 6],
      ["CPU (%)", 12, 20, 12, 6],
      ["Memory (%)", 0, 26, 12, 6],
    ]);
  });

  it("plots each service's error rate as metric math over hidden 5xx and request counts", () => {
    expect(widget("5xx error rate (%)").metrics).toEqual([
      [{ expression: "100 * FILL(e0, 0) / r0", label: "api", id: "rate0" }],
      [
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        "TargetGroup",
        "targetgroup/a/1",
        "LoadBalancer",
        "app/lb/9",
        { id: "e0", visible: false },
      ],
      ["AWS/ApplicationELB", "RequestCount", "TargetGroup", "targetgroup/a/1", "LoadBalancer", "app/lb/9", { id: "r0", visible: false }],
      [{ expression: "100 * FILL(e1, 0) / r1", label: "web", id: "rate1" }],
      [
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        "TargetGroup",
        "targetgroup/w/2",
        "LoadBalancer",
        "app/lb/9",
        { id: "e1", visible: false },
      ],
      ["AWS/ApplicationELB", "RequestCount", "TargetGroup", "targetgroup/w/2", "LoadBalancer", "app/lb/9", { id: "r1", visible: false }],
    ]);
  });

  it("draws the warning and critical error-rate thresholds", () => {
    expect(widget("5xx error rate (%)").annotations).toEqual({
      horizontal: [
        { label: "warning", value: 1, color: "#ff7f0e" },
        { label: "critical", value: 5, color: "#d62728" },
      ],
    });
  });

  it("plots p99 latency per service with the p99 threshold in seconds", () => {
    const p99 = widget("Latency p99 (seconds)");
    expect(p99.stat).toBe("p99");
    expect(p99.metrics).toEqual([
      [
        "AWS/ApplicationELB",
        "TargetResponseTime",
        "TargetGroup",
        "targetgroup/a/1",
        "LoadBalancer",
        "app/lb/9",
        { label: "api", stat: "p99" },
      ],
      [
        "AWS/ApplicationELB",
        "TargetResponseTime",
        "TargetGroup",
        "targetgroup/w/2",
        "LoadBalancer",
        "app/lb/9",
        { label: "web", stat: "p99" },
      ],
    ]);
    expect(p99.annotations).toEqual({ horizontal: [{ label: "p99 threshold", value: 1, color: "#d62728" }] });
  });

  it("plots deployments from Container Insights per service", () => {
    expect(widget("Deployments in progress").metrics).toEqual([
      ["ECS/ContainerInsights", "DeploymentCount", "ClusterName", "delivery-dev", "ServiceName", "api", { label: "api" }],
      ["ECS/ContainerInsights", "DeploymentCount", "ClusterName", "delivery-dev", "ServiceName", "web", { label: "web" }],
    ]);
  });

  it("plots memory utilization per service from AWS/ECS", () => {
    expect(widget("Memory (%)").metrics).toEqual([
      ["AWS/ECS", "MemoryUtilization", "ClusterName", "delivery-dev", "ServiceName", "api", { label: "api" }],
      ["AWS/ECS", "MemoryUtilization", "ClusterName", "delivery-dev", "ServiceName", "web", { label: "web" }],
    ]);
  });

  it("puts every graph in the stack's region", () => {
    const regions = new Set(body.widgets.filter((w) => w.type === "metric").map((w) => w.properties.region));
    expect([...regions]).toEqual(["us-east-1"]);
  });
});
