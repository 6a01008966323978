import { describe, expect, it } from "vitest";
import { renderEnvironment } from "../../infra/synth/render";
import { ecsDeployment, emulatorConfig, environmentConfig, resourceNamed, resourcesOf, serviceEntry, T } from "../support/pulumi";

const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f3c1f6e-1111-2222-3333-444455556666";

describe("an existing network", () => {
  const config = environmentConfig({
    tier: "dev",
    services: [serviceEntry("api")],
    network: {
      vpcId: "vpc-0a1b2c3d",
      publicSubnetIds: ["subnet-0000000a", "subnet-0000000b"],
      privateSubnetIds: ["subnet-0000000c", "subnet-0000000d"],
    },
  });

  it("creates no VPC, subnet, gateway or route table", async () => {
    const rendered = await renderEnvironment(config);
    const network = rendered.resources.filter((r) => r.type.startsWith("aws:ec2/") && r.type !== T.securityGroup).map((r) => r.type);
    expect(network).toEqual([]);
  });

  it("puts the load balancer in the public subnets and the tasks in the private ones, in that VPC", async () => {
    const rendered = await renderEnvironment(config);
    const alb = resourcesOf(rendered, T.alb)[0];
    const ecs = resourcesOf(rendered, T.ecsService)[0];
    expect([
      alb.inputs.subnets,
      (ecs.inputs.networkConfiguration as { subnets: string[] }).subnets,
      resourcesOf(rendered, T.targetGroup)[0].inputs.vpcId,
      resourcesOf(rendered, T.securityGroup).map((s) => s.inputs.vpcId),
    ]).toEqual([
      ["subnet-0000000a", "subnet-0000000b"],
      ["subnet-0000000c", "subnet-0000000d"],
      "vpc-0a1b2c3d",
      ["vpc-0a1b2c3d", "vpc-0a1b2c3d"],
    ]);
  });
});

describe("a certificate", () => {
  const config = environmentConfig({
    tier: "dev",
    services: [serviceEntry("web"), serviceEntry("api", { path: "/api/*" })],
    loadBalancer: { certificateArn: CERTIFICATE },
  });

  it("adds an HTTPS listener with the TLS policy, forwarding to the default service", async () => {
    const rendered = await renderEnvironment(config);
    const https = resourceNamed(rendered, T.listener, "delivery-test-https");
    const web = resourceNamed(rendered, T.targetGroup, "delivery-test-web");
    expect([
      https.inputs.port,
      https.inputs.protocol,
      https.inputs.certificateArn,
      https.inputs.sslPolicy,
      https.inputs.defaultActions,
    ]).toEqual([443, "HTTPS", CERTIFICATE, "ELBSecurityPolicy-TLS13-1-2-2021-06", [{ type: "forward", targetGroupArn: web.id }]]);
  });

  it("turns HTTP into a permanent redirect to HTTPS", async () => {
    const rendered = await renderEnvironment(config);
    expect(resourceNamed(rendered, T.listener, "delivery-test-http").inputs.defaultActions).toEqual([
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
    ]);
  });

  it("attaches the path rules to the HTTPS listener and opens 443", async () => {
    const rendered = await renderEnvironment(config);
    const rule = resourceNamed(rendered, T.listenerRule, "delivery-test-api");
    const world = resourcesOf(rendered, T.ingressRule).filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0");
    expect([rule.inputs.listenerArn, world.map((r) => r.inputs.fromPort)]).toEqual([
      resourceNamed(rendered, T.listener, "delivery-test-https").id,
      [443, 80],
    ]);
  });

  it("gives every service an https URL in the manifest", async () => {
    const rendered = await renderEnvironment(config);
    expect(rendered.outputs.deployment.services.map((s) => s.url)).toEqual([
      `https://${rendered.outputs.albDnsName}`,
      `https://${rendered.outputs.albDnsName}/api`,
    ]);
  });
});

describe("routing", () => {
  it("answers 404 by default when every service has a path or host rule", async () => {
    const rendered = await renderEnvironment(
      environmentConfig({
        tier: "dev",
        services: [serviceEntry("api", { path: "/api/*" }), serviceEntry("admin", { host: "admin.example.com" })],
      }),
    );
    expect(resourcesOf(rendered, T.listener)[0].inputs.defaultActions).toEqual([
      { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not found" } },
    ]);
  });

  it("routes a host rule on the Host header, with the service's priority", async () => {
    const rendered = await renderEnvironment(
      environmentConfig({
        tier: "dev",
        services: [serviceEntry("api", { path: "/api/*" }), serviceEntry("admin", { host: "admin.example.com" })],
      }),
    );
    const rule = resourceNamed(rendered, T.listenerRule, "delivery-test-admin");
    expect([rule.inputs.priority, rule.inputs.conditions]).toEqual([110, [{ hostHeader: { values: ["admin.example.com"] } }]]);
  });
});

describe("notifications and the local tier", () => {
  it("stores the Slack webhook and PagerDuty key as SecureString parameters and names them in the manifest", async () => {
    const rendered = await renderEnvironment(
      environmentConfig(
        {
          tier: "dev",
          services: [serviceEntry("api")],
          notifications: {
            emails: ["a@example.com", "b@example.com"],
            slackWebhookUrl: "https://hooks.slack.com/services/x",
            pagerDutyRoutingKey: "R0UTINGKEY",
          },
        },
        { secretPaths: ["delivery:notifications"] },
      ),
    );
    expect(resourcesOf(rendered, T.parameter).map((p) => [p.inputs.name, p.inputs.type, p.inputs.value])).toEqual([
      ["/delivery/test/alerts/pagerduty-routing-key", "SecureString", "[secret]"],
      ["/delivery/test/alerts/slack-webhook-url", "SecureString", "[secret]"],
    ]);
    expect([ecsDeployment(rendered).alerts.slackWebhookUrlParameter, ecsDeployment(rendered).alerts.pagerDutyRoutingKeyParameter]).toEqual([
      "/delivery/test/alerts/slack-webhook-url",
      "/delivery/test/alerts/pagerduty-routing-key",
    ]);
  });

  it("subscribes every email address to both topics", async () => {
    const rendered = await renderEnvironment(
      environmentConfig({ tier: "dev", services: [serviceEntry("api")], notifications: { emails: ["a@example.com", "b@example.com"] } }),
    );
    const subscriptions = resourcesOf(rendered, "aws:sns/topicSubscription:TopicSubscription");
    const topic = (severity: string) => resourceNamed(rendered, T.topic, `delivery-test-${severity}`).id;
    expect(subscriptions.map((s) => [s.inputs.topic, s.inputs.protocol, s.inputs.endpoint])).toEqual([
      [topic("critical"), "email", "a@example.com"],
      [topic("critical"), "email", "b@example.com"],
      [topic("warning"), "email", "a@example.com"],
      [topic("warning"), "email", "b@example.com"],
    ]);
  });

  it("keeps no record bucket or lock table for the local tier", async () => {
    const rendered = await renderEnvironment(
      environmentConfig({ tier: "local", services: [serviceEntry("api")] }, { stack: "laptop", extra: emulatorConfig() }),
    );
    expect([resourcesOf(rendered, T.bucket).length, resourcesOf(rendered, T.table).length, rendered.outputs.deployment.history]).toEqual([
      0,
      0,
      { prefix: "laptop/" },
    ]);
  });
});

describe("custom alarms and sizes", () => {
  it("applies the stack's alarm thresholds and the service's autoscaling", async () => {
    const rendered = await renderEnvironment(
      environmentConfig({
        tier: "staging",
        services: [
          serviceEntry("api", { cpu: 1024, memory: 4096, desiredCount: 4, autoscaling: { min: 4, max: 8, cpuTargetPercent: 45 } }),
        ],
        alarms: { errorRateWarningPercent: 0.5, errorRateCriticalPercent: 2, p99LatencyMs: 1500, windowSeconds: 120 },
      }),
    );
    const alarm = (key: string) => resourceNamed(rendered, T.alarm, `delivery-test-api-${key}`).inputs;
    const task = resourcesOf(rendered, T.taskDefinition)[0].inputs;
    const target = resourcesOf(rendered, T.scalingTarget)[0].inputs;
    expect([
      alarm("error-rate-warning").threshold,
      alarm("error-rate-critical").threshold,
      alarm("latency-p99").threshold,
      alarm("latency-p99").period,
    ]).toEqual([0.5, 2, 1.5, 120]);
    expect([task.cpu, task.memory, target.minCapacity, target.maxCapacity, alarm("running-tasks-low").threshold]).toEqual([
      "1024",
      "4096",
      4,
      8,
      4,
    ]);
  });
});
