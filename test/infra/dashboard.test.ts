import { beforeAll, describe, expect, it } from "vitest";
import { ecsDeployment, jsonInput, type RenderedStack, renderStack, resourcesOf, T } from "../support/pulumi";
import type { DashboardBody } from "../../infra/components/lib/dashboard";
import { DEFAULT_ALARMS } from "../../infra/config";
import { dashboardBody } from "../../infra/components/lib/dashboard";

const services = [
  { name: "api", cluster: "delivery-dev", ecsService: "api", targetGroup: "targetgroup/a/1", loadBalancer: "app/lb/9" },
  { name: "web", cluster: "delivery-dev", ecsService: "web", targetGroup: "targetgroup/w/2", loadBalancer: "app/lb/9" },
];
const alarmArns = ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:a", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:b"];
const body = dashboardBody({ title: "delivery-dev", region: "us-east-1", stack: "dev", services, alarms: DEFAULT_ALARMS, alarmArns });
const widget = (title: string) => {
  const w = body.widgets.find((x) => x.properties.title === title);
  if (!w) throw new Error(`no widget ${title}`);
  return w.properties;
};

describe("dashboardBody", () => {
  it("has a header, the alarms' states, and one graph per concern, in a two-column grid", () => {
    expect(body.widgets.map((w) => [w.type, w.properties.title ?? "header", w.x, w.y, w.width, w.height])).toEqual([
      ["text", "header", 0, 0, 24, 2],
      ["alarm", "Alarms", 0, 2, 24, 4],
      ["metric", "Deploys and rollbacks", 0, 6, 12, 6],
      ["metric", "Running revision (task definition)", 12, 6, 12, 6],
      ["metric", "Validations", 0, 12, 12, 6],
      ["metric", "Task restarts", 12, 12, 12, 6],
      ["metric", "Deployments in progress", 0, 18, 12, 6],
      ["metric", "Running and desired tasks", 12, 18, 12, 6],
      ["metric", "5xx error rate (%)", 0, 24, 12, 6],
      ["metric", "4xx error rate (%)", 12, 24, 12, 6],
      ["metric", "Requests per second", 0, 30, 12, 6],
      ["metric", "Latency p50 (seconds)", 12, 30, 12, 6],
      ["metric", "Latency p95 (seconds)", 0, 36, 12, 6],
      ["metric", "Latency p99 (seconds)", 12, 36, 12, 6],
      ["metric", "CPU (%)", 0, 42, 12, 6],
      ["metric", "Memory (%)", 12, 42, 12, 6],
    ]);
  });

  it("lists the alarms' states, most recently changed first", () => {
    expect(body.widgets[1]?.properties).toEqual({ title: "Alarms", alarms: alarmArns, sortBy: "stateUpdatedTimestamp" });
  });

  it("splits more than 100 alarms into alarm widgets of 100, the graphs below them", () => {
    const many = Array.from({ length: 101 }, (_, i) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:a${i}`);
    const big = dashboardBody({ title: "t", region: "us-east-1", stack: "dev", services, alarms: DEFAULT_ALARMS, alarmArns: many });
    expect(
      big.widgets.slice(1, 4).map((w) => [w.type, w.properties.title, (w.properties.alarms as string[] | undefined)?.length, w.y]),
    ).toEqual([
      ["alarm", "Alarms (1 of 2)", 100, 2],
      ["alarm", "Alarms (2 of 2)", 1, 6],
      ["metric", "Deploys and rollbacks", undefined, 10],
    ]);
  });

  it("has no alarm widget when there is no alarm", () => {
    const none = dashboardBody({ title: "t", region: "us-east-1", stack: "dev", services, alarms: DEFAULT_ALARMS, alarmArns: [] });
    expect(none.widgets.filter((w) => w.type === "alarm")).toEqual([]);
    expect(none.widgets[1]?.y).toBe(2);
  });

  it("plots deploys and rollbacks per service from deployctl's Delivery metrics (Stack, Service), summed", () => {
    const w = widget("Deploys and rollbacks");
    expect([w.stat, w.period]).toEqual(["Sum", 300]);
    expect(w.metrics).toEqual([
      ["Delivery", "Deployments", "Stack", "dev", "Service", "api", { label: "api deploys" }],
      ["Delivery", "Rollbacks", "Stack", "dev", "Service", "api", { label: "api rollbacks" }],
      ["Delivery", "Deployments", "Stack", "dev", "Service", "web", { label: "web deploys" }],
      ["Delivery", "Rollbacks", "Stack", "dev", "Service", "web", { label: "web rollbacks" }],
    ]);
  });

  it("plots each service's running task definition revision (its maximum) and its validations", () => {
    const revision = widget("Running revision (task definition)");
    expect([revision.stat, revision.metrics]).toEqual([
      "Maximum",
      [
        ["Delivery", "RunningRevision", "Stack", "dev", "Service", "api", { label: "api" }],
        ["Delivery", "RunningRevision", "Stack", "dev", "Service", "web", { label: "web" }],
      ],
    ]);
    expect(widget("Validations").metrics).toEqual([
      ["Delivery", "ValidationsPassed", "Stack", "dev", "Service", "api", { label: "api passed" }],
      ["Delivery", "ValidationsFailed", "Stack", "dev", "Service", "api", { label: "api failed" }],
      ["Delivery", "ValidationsPassed", "Stack", "dev", "Service", "web", { label: "web passed" }],
      ["Delivery", "ValidationsFailed", "Stack", "dev", "Service", "web", { label: "web failed" }],
    ]);
  });

  it("plots task restarts per service from Container Insights' RestartCount", () => {
    const w = widget("Task restarts");
    expect([w.stat, w.metrics]).toEqual([
      "Sum",
      [
        ["ECS/ContainerInsights", "RestartCount", "ClusterName", "delivery-dev", "ServiceName", "api", { label: "api" }],
        ["ECS/ContainerInsights", "RestartCount", "ClusterName", "delivery-dev", "ServiceName", "web", { label: "web" }],
      ],
    ]);
  });

  it("plots each service's 4xx rate as metric math over hidden 4xx and request counts", () => {
    const alb = (tg: string) => ["TargetGroup", tg, "LoadBalancer", "app/lb/9"];
    expect(widget("4xx error rate (%)").metrics).toEqual([
      [{ expression: "100 * FILL(c0, 0) / r0", label: "api", id: "rate0" }],
      ["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", ...alb("targetgroup/a/1"), { id: "c0", visible: false }],
      ["AWS/ApplicationELB", "RequestCount", ...alb("targetgroup/a/1"), { id: "r0", visible: false }],
      [{ expression: "100 * FILL(c1, 0) / r1", label: "web", id: "rate1" }],
      ["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", ...alb("targetgroup/w/2"), { id: "c1", visible: false }],
      ["AWS/ApplicationELB", "RequestCount", ...alb("targetgroup/w/2"), { id: "r1", visible: false }],
    ]);
  });

  it("plots requests per second as each service's request count over the period", () => {
    const alb = (tg: string) => ["TargetGroup", tg, "LoadBalancer", "app/lb/9"];
    expect(widget("Requests per second").metrics).toEqual([
      [{ expression: "FILL(r0, 0) / PERIOD(r0)", label: "api", id: "rps0" }],
      ["AWS/ApplicationELB", "RequestCount", ...alb("targetgroup/a/1"), { id: "r0", visible: false }],
      [{ expression: "FILL(r1, 0) / PERIOD(r1)", label: "web", id: "rps1" }],
      ["AWS/ApplicationELB", "RequestCount", ...alb("targetgroup/w/2"), { id: "r1", visible: false }],
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

describe("the staging dashboard under Pulumi mocks", () => {
  let staging: RenderedStack;
  let rendered: DashboardBody;
  beforeAll(async () => {
    staging = await renderStack("staging");
    const [dashboard] = resourcesOf(staging, T.dashboard);
    rendered = jsonInput<DashboardBody>(dashboard, "dashboardBody");
  });
  const titled = (title: string) => rendered.widgets.find((w) => w.properties.title === title)?.properties;

  it("is one dashboard resource whose alarm widget lists every alarm of the services", () => {
    expect(resourcesOf(staging, T.dashboard)).toHaveLength(1);
    const arns = resourcesOf(staging, T.alarm).map((a) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${String(a.inputs.name)}`);
    expect(arns).toHaveLength(20);
    const widgets = rendered.widgets.filter((w) => w.type === "alarm");
    expect(widgets).toHaveLength(1);
    // Registration order is not the program's order: compare as sets.
    expect([...(widgets[0]?.properties.alarms as string[])].sort()).toEqual(arns.sort());
  });

  it("reads the Delivery metrics with the stack and service names deployctl publishes (the deployment manifest's)", () => {
    const manifest = ecsDeployment(staging);
    expect(titled("Deploys and rollbacks")?.metrics).toEqual(
      manifest.services.flatMap((s) => [
        ["Delivery", "Deployments", "Stack", manifest.stack, "Service", s.name, { label: `${s.name} deploys` }],
        ["Delivery", "Rollbacks", "Stack", manifest.stack, "Service", s.name, { label: `${s.name} rollbacks` }],
      ]),
    );
    expect(titled("Running revision (task definition)")?.metrics).toEqual(
      manifest.services.map((s) => ["Delivery", "RunningRevision", "Stack", manifest.stack, "Service", s.name, { label: s.name }]),
    );
  });

  it("reads the load balancer metrics of each service's target group, and latency at p50, p95 and p99", () => {
    const manifest = ecsDeployment(staging);
    const alb = (s: (typeof manifest.services)[number]) => ["TargetGroup", s.targetGroup, "LoadBalancer", s.loadBalancer];
    expect(titled("Requests per second")?.metrics).toEqual(
      manifest.services.flatMap((s, i) => [
        [{ expression: `FILL(r${i}, 0) / PERIOD(r${i})`, label: s.name, id: `rps${i}` }],
        ["AWS/ApplicationELB", "RequestCount", ...alb(s), { id: `r${i}`, visible: false }],
      ]),
    );
    expect(titled("5xx error rate (%)")?.metrics).toEqual(
      manifest.services.flatMap((s, i) => [
        [{ expression: `100 * FILL(e${i}, 0) / r${i}`, label: s.name, id: `rate${i}` }],
        ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ...alb(s), { id: `e${i}`, visible: false }],
        ["AWS/ApplicationELB", "RequestCount", ...alb(s), { id: `r${i}`, visible: false }],
      ]),
    );
    for (const p of ["p50", "p95", "p99"])
      expect(titled(`Latency ${p} (seconds)`)?.metrics).toEqual(
        manifest.services.map((s) => ["AWS/ApplicationELB", "TargetResponseTime", ...alb(s), { label: s.name, stat: p }]),
      );
  });
});
