import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type EnvironmentConfig, parseEnvironmentConfig, readStackFile } from "../../infra/config";
import { evaluatePolicies, type PolicyViolation } from "../../infra/synth/policy";
import { type RenderedResource, renderEnvironment } from "../../infra/synth/render";
import { isTaggable } from "../../policy/tags";
import { declaresTags } from "./helpers";

const ROOT = join(__dirname, "..", "..");
const EMULATOR = join(ROOT, "examples", "emulator");
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

function stackConfig(stack: string, values: Record<string, unknown> = {}, dir = ROOT): EnvironmentConfig {
  const raw = readStackFile(dir, stack);
  Object.assign(raw.values, values);
  return parseEnvironmentConfig(raw);
}

async function evaluate(
  config: EnvironmentConfig,
  change?: (resources: RenderedResource[]) => RenderedResource[],
): Promise<PolicyViolation[]> {
  const rendered = await renderEnvironment(config);
  const resources = change ? change(rendered.resources) : rendered.resources;
  return evaluatePolicies(resources, { stack: config.stack, tier: config.tier, services: config.services });
}

const summary = (violations: PolicyViolation[]) =>
  violations.map((v) => `${v.enforcementLevel} ${v.policy} ${v.resource?.name ?? "stack"}`);

describe("the shipped stacks", () => {
  it.each(["local", "dev", "staging", "prod"])("%s has no violation at all", async (stack) => {
    expect(summary(await evaluate(stackConfig(stack)))).toEqual([]);
  });

  it("the emulator example (examples/emulator, the ECS program on moto or LocalStack) has no violation at all", async () => {
    expect(summary(await evaluate(stackConfig("local", {}, EMULATOR)))).toEqual([]);
  });

  it("local runs on Docker: the pack's AWS rules do not apply to its docker resources", async () => {
    const config = stackConfig("local");
    const rendered = await renderEnvironment(config);
    const types = [...new Set(rendered.resources.filter((r) => r.custom).map((r) => r.type))].sort();

    expect(types).toEqual([
      "docker:index/container:Container",
      "docker:index/network:Network",
      "docker:index/remoteImage:RemoteImage",
      "pulumi:providers:docker",
    ]);
    expect(types.filter(isTaggable)).toEqual([]);
    expect(summary(await evaluate(config))).toEqual([]);
  });

  it("prod without a certificate is reported: no HTTPS listener, and HTTP serves instead of redirecting", async () => {
    const config = stackConfig("prod", { "delivery:loadBalancer": {} });
    expect(summary(await evaluate(config))).toEqual([
      "mandatory alb-https-prod delivery-prod-alb",
      "mandatory alb-https-prod delivery-prod-http",
    ]);
  });

  it("render only AWS types the tags rule classifies as @pulumi/aws declares them", async () => {
    const types = new Set<string>();
    const configs = [stackConfig("local", {}, EMULATOR), ...["dev", "staging", "prod"].map((s) => stackConfig(s))];
    for (const config of configs) {
      for (const r of (await renderEnvironment(config)).resources) if (r.custom && r.type.startsWith("aws:")) types.add(r.type);
    }
    const misclassified = [...types].filter((t) => declaresTags(t) !== isTaggable(t));
    expect(misclassified).toEqual([]);
  });
});

describe("a stack made non-compliant on purpose", () => {
  let prod: EnvironmentConfig;
  beforeAll(() => {
    prod = stackConfig("prod", { "delivery:loadBalancer": { certificateArn: CERTIFICATE } });
  });

  it("reports a prod service without the circuit breaker as a mandatory violation", async () => {
    const withoutBreaker = (resources: RenderedResource[]) =>
      resources.map((r) =>
        r.type === "aws:ecs/service:Service" && r.inputs.name === "api"
          ? { ...r, inputs: { ...r.inputs, deploymentCircuitBreaker: undefined } }
          : r,
      );
    expect(summary(await evaluate(prod, withoutBreaker))).toEqual(["mandatory ecs-service-circuit-breaker delivery-prod-api"]);
  });

  it("reports a prod service configured with one task", async () => {
    const raw = readStackFile(ROOT, "prod");
    const services = (raw.values["delivery:services"] as Record<string, unknown>[]).map((s) =>
      s.name === "web" ? { ...s, desiredCount: 1, autoscaling: false } : s,
    );
    const config = stackConfig("prod", { "delivery:loadBalancer": { certificateArn: CERTIFICATE }, "delivery:services": services });
    const violations = await evaluate(config);
    expect(violations.map((v) => [v.enforcementLevel, v.policy, v.resource?.name, v.message])).toEqual([
      ["mandatory", "ecs-service-min-tasks", "delivery-prod-web", "desiredCount is 1; prod services run at least 2 tasks."],
    ]);
  });
});
