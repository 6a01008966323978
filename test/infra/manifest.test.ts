import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { beforeAll, describe, expect, it } from "vitest";
import { buildManifest, type DeployedEnvironment } from "../../infra/components/lib/manifest";
import type { EcsManifest } from "../../contract/manifest";
import { ecsDeployment, environmentConfig, PROJECT_DIR, renderStack, serviceEntry, STACKS } from "../support/pulumi";

const deployedFor = (names: string[], extra: Partial<DeployedEnvironment> = {}): DeployedEnvironment => ({
  cluster: "delivery-test",
  albDnsName: "delivery-test-1.us-east-1.elb.amazonaws.com",
  warningTopicArn: "arn:aws:sns:us-east-1:123456789012:warning",
  criticalTopicArn: "arn:aws:sns:us-east-1:123456789012:critical",
  history: { bucket: "records", lockTable: "locks" },
  services: Object.fromEntries(
    names.map((n) => [
      n,
      {
        ecsService: n,
        taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/delivery-test-${n}:1`,
        targetGroup: `targetgroup/delivery-test-${n}/0000000000000001`,
        loadBalancer: "app/delivery-test/0000000000000002",
        logGroup: `/ecs/delivery/test/${n}`,
      },
    ]),
  ),
  ...extra,
});

describe("buildManifest", () => {
  const config = environmentConfig({
    tier: "dev",
    services: [
      serviceEntry("web", { dependsOn: ["api"], port: 3000 }),
      serviceEntry("api", { path: "/api/*", smokePaths: ["/api/version"] }),
    ],
    alarms: { minRequests: 20, cpuPercent: 90 },
  });

  it("lists services in deploy order: dependencies first", () => {
    expect(buildManifest(config, deployedFor(["web", "api"])).services.map((s) => s.name)).toEqual(["api", "web"]);
  });

  it("describes each service: its ECS names, image tag, dimensions, URL and paths", () => {
    const api = buildManifest(config, deployedFor(["web", "api"])).services[0];
    expect(api).toEqual({
      name: "api",
      ecsService: "api",
      imageTag: "sha-abc1234",
      taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/delivery-test-api:1",
      targetGroup: "targetgroup/delivery-test-api/0000000000000001",
      loadBalancer: "app/delivery-test/0000000000000002",
      logGroup: "/ecs/delivery/test/api",
      url: "http://delivery-test-1.us-east-1.elb.amazonaws.com/api",
      healthPath: "/health",
      smokePaths: ["/api/version"],
      dependsOn: [],
    });
  });

  it("carries a service's logs rules as configured, and none when not configured", () => {
    const withLogs = environmentConfig({
      tier: "dev",
      services: [
        serviceEntry("api", { logs: { startupMarker: "api started", maxWarnings: 0 } }),
        serviceEntry("web", { port: 3000, path: "/web/*" }),
      ],
    });
    const [api, web] = buildManifest(withLogs, deployedFor(["api", "web"])).services;
    expect(api?.logs).toEqual({ startupMarker: "api started", maxWarnings: 0 });
    expect(web && "logs" in web).toBe(false);
  });

  it("carries exactly the seven thresholds the validator reads", () => {
    expect(buildManifest(config, deployedFor(["web", "api"])).thresholds).toEqual({
      errorRateWarningPercent: 1,
      errorRateCriticalPercent: 5,
      errorRateFailPercent: 1,
      minRequests: 20,
      p95LatencyMs: 500,
      p99LatencyMs: 1000,
      windowSeconds: 300,
    });
  });

  it("names the record bucket, the stack's prefix and the lock table for a cloud tier", () => {
    expect(buildManifest(config, deployedFor(["web", "api"])).history).toEqual({ bucket: "records", prefix: "test/", lockTable: "locks" });
  });

  it("has only the prefix when the stack keeps its history locally", () => {
    expect(buildManifest(config, deployedFor(["web", "api"], { history: undefined })).history).toEqual({ prefix: "test/" });
  });

  it("names the alert parameters when configured, never their values", () => {
    const alerts = buildManifest(
      config,
      deployedFor(["web", "api"], { slackWebhookUrlParameter: "/delivery/test/alerts/slack-webhook-url" }),
    ).alerts;
    expect(alerts).toEqual({
      warningTopicArn: "arn:aws:sns:us-east-1:123456789012:warning",
      criticalTopicArn: "arn:aws:sns:us-east-1:123456789012:critical",
      slackWebhookUrlParameter: "/delivery/test/alerts/slack-webhook-url",
    });
  });
});

describe("the rendered deployment output of each stack", () => {
  const schema = JSON.parse(readFileSync(join(PROJECT_DIR, "contract", "manifest.schema.json"), "utf8")) as Record<string, unknown>;
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  const manifests = new Map<string, EcsManifest>();

  beforeAll(async () => {
    for (const stack of STACKS) manifests.set(stack, ecsDeployment(await renderStack(stack)));
  });

  it.each(STACKS)("%s validates against contract/manifest.schema.json", (stack) => {
    const valid = validate(manifests.get(stack));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each(["dev", "staging", "prod"])("%s gives every service the startup marker its stack file sets", (stack) => {
    const services = (manifests.get(stack) as EcsManifest).services;
    expect(services.map((s) => [s.name, s.logs?.startupMarker])).toEqual([
      ["api", "api started"],
      ["web", "web started"],
    ]);
  });

  it("is rejected by the schema when a field is wrong (the check can fail)", () => {
    const broken = { ...manifests.get("dev"), services: [{ ...manifests.get("dev")?.services[0], targetGroup: "not-a-suffix" }] };
    expect(validate(broken)).toBe(false);
  });

  it.each([
    ["local", { prefix: "local/" }],
    ["dev", { bucket: "delivery-dev-records-bd8fab0", prefix: "dev/", lockTable: "delivery-dev-locks-5dfef56" }],
  ])("%s has history %j", (stack, history) => {
    expect(manifests.get(stack)?.history).toEqual(history);
  });
});
