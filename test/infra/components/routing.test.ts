import { describe, expect, it } from "vitest";
import { type Route, Routing, type RoutingArgs } from "../../../infra/components";
import { childrenOf, componentOf, renderComponent, resourceNamed, T } from "../../support/pulumi";

const LB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/edge/0123456789abcdef";
const api: Route = { service: "api", port: 8080, targetGroupName: "edge-api", path: "/api/*", priority: 100 };
const web: Route = { service: "web", port: 3000, targetGroupName: "edge-web" };
const minimal: RoutingArgs = { vpcId: "vpc-1", loadBalancerArn: LB, routes: [api, web] };

const render = (args: RoutingArgs) =>
  renderComponent(() => {
    const routing = new Routing("edge", args);
    return { listenerArn: routing.listener.arn };
  });

describe("the Routing component constructed alone", () => {
  it("declares a target group per route, one HTTP listener and a rule per route with a priority, all parented to it", async () => {
    const r = await render(minimal);
    const component = componentOf(r, "delivery:lb:Routing");
    expect([component.name, childrenOf(r, component)]).toEqual([
      "edge",
      [
        [T.listenerRule, "edge-api"],
        [T.targetGroup, "edge-api"],
        [T.listener, "edge-http"],
        [T.targetGroup, "edge-web"],
      ],
    ]);
  });

  it("applies the documented defaults: HTTP only, /health checks, 30 s deregistration, a 2-check threshold, no tags but the service", async () => {
    const r = await render(minimal);
    const group = resourceNamed(r, T.targetGroup, "edge-web");
    const listener = resourceNamed(r, T.listener, "edge-http");
    const health = group.inputs.healthCheck as Record<string, unknown>;
    expect([
      [group.inputs.name, group.inputs.port, group.inputs.vpcId, group.inputs.deregistrationDelay, group.inputs.tags],
      [health.path, health.interval, health.healthyThreshold, health.matcher],
      [listener.inputs.port, listener.inputs.protocol, listener.inputs.sslPolicy, listener.inputs.tags],
      (listener.inputs.defaultActions as { type: string }[])[0].type,
    ]).toEqual([
      ["edge-web", 3000, "vpc-1", 30, { service: "web" }],
      ["/health", 15, 2, "200-399"],
      [80, "HTTP", undefined, {}],
      "forward",
    ]);
  });

  it("routes the path rule to its group and answers 404 when no route is the default", async () => {
    const r = await render({ ...minimal, routes: [api] });
    const rule = resourceNamed(r, T.listenerRule, "edge-api");
    const listener = resourceNamed(r, T.listener, "edge-http");
    expect([rule.inputs.priority, rule.inputs.conditions, listener.inputs.defaultActions]).toEqual([
      100,
      [{ pathPattern: { values: ["/api/*"] } }],
      [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not found" } }],
    ]);
  });

  it("lets the caller's args win: HTTPS with a redirect, the SSL policy, the health path, deregistration, readiness and tags", async () => {
    const r = await render({
      ...minimal,
      routes: [{ ...web, healthCheckPath: "/ready" }],
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06",
      deregistrationDelaySeconds: 5,
      minReadySeconds: 60,
      tags: { team: "shop" },
    });
    const component = componentOf(r, "delivery:lb:Routing");
    const group = resourceNamed(r, T.targetGroup, "edge-web");
    const https = resourceNamed(r, T.listener, "edge-https");
    const http = resourceNamed(r, T.listener, "edge-http");
    const health = group.inputs.healthCheck as Record<string, unknown>;
    expect([
      childrenOf(r, component).map(([, name]) => name),
      [https.inputs.port, https.inputs.protocol, https.inputs.sslPolicy, https.inputs.certificateArn],
      http.inputs.defaultActions,
      [health.path, health.healthyThreshold, group.inputs.deregistrationDelay, group.inputs.tags],
    ]).toEqual([
      ["edge-http", "edge-https", "edge-web"],
      [443, "HTTPS", "ELBSecurityPolicy-TLS13-1-3-2021-06", "arn:aws:acm:us-east-1:123456789012:certificate/1"],
      [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
      ["/ready", 4, 5, { team: "shop", service: "web" }],
    ]);
  });

  it("gives a progressive route an alternate group and weighted production and test rules whose actions ECS then owns", async () => {
    const r = await render({ ...minimal, routes: [{ ...api, alternateTargetGroupName: "edge-api-alt" }] });
    const production = resourceNamed(r, T.listenerRule, "edge-api");
    const test = resourceNamed(r, T.listenerRule, "edge-api-test");
    expect([
      resourceNamed(r, T.targetGroup, "edge-api-alt").inputs.name,
      [production.inputs.priority, production.ignoreChanges],
      [test.inputs.priority, test.ignoreChanges, (test.inputs.conditions as unknown[]).length],
    ]).toEqual(["edge-api-alt", [100, ["actions"]], [95, ["actions"], 2]]);
  });
});
