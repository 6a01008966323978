import { afterEach, describe, expect, it, vi } from "vitest";
import { DeliveryMocks, MOCK_ACCOUNT_ID } from "../../infra/synth/mocks";
import { RenderError, renderEnvironment } from "../../infra/synth/render";
import { environmentConfig, parentOf, renderStack, resourceNamed, resourcesOf, serviceEntry, stackConfig, T } from "../support/pulumi";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("renderEnvironment", () => {
  it("gives byte-identical resources for the same config, even with another stack rendered in between", async () => {
    const config = stackConfig("staging");
    const first = JSON.stringify(await renderEnvironment(config));
    await renderStack("dev");
    const second = JSON.stringify(await renderEnvironment(config));
    expect(second).toBe(first);
  });

  it("renders stacks queued at once, one after another, each with its own stack name", async () => {
    const [dev, prod] = await Promise.all([renderStack("dev"), renderStack("prod")]);
    expect([dev.outputs.deployment.stack, prod.outputs.deployment.stack, dev.resources.length, prod.resources.length]).toEqual([
      "dev",
      "prod",
      165,
      200,
    ]);
  });

  it("records each resource's parent: the ECS service under its Service, under the environment", async () => {
    const dev = await renderStack("dev");
    const ecs = resourceNamed(dev, T.ecsService, "delivery-dev-api");
    const service = parentOf(dev, ecs);
    const environment = service && parentOf(dev, service);
    expect([service?.type, service?.name, environment?.type, environment?.name, environment?.parent]).toEqual([
      "delivery:ecs:Service",
      "delivery-dev-api",
      "delivery:env:Environment",
      "delivery-dev",
      undefined,
    ]);
  });

  it("records a parent for every resource but the environment, and it is a rendered resource", async () => {
    const dev = await renderStack("dev");
    const orphans = dev.resources.filter((r) => !parentOf(dev, r)).map((r) => r.type);
    expect(orphans).toEqual(["delivery:env:Environment"]);
  });

  it("lists parents before their children", async () => {
    const dev = await renderStack("dev");
    const position = new Map(dev.resources.map((r, i) => [r.urn, i]));
    const late = dev.resources.filter((r, i) => r.parent !== undefined && (position.get(r.parent) ?? Infinity) > i);
    expect(late).toEqual([]);
  });

  it("waits for registrations the outputs do not depend on: alarms, dashboard, subscriptions, scaling policies", async () => {
    const staging = await renderStack("staging");
    expect([
      resourcesOf(staging, T.alarm).length,
      resourcesOf(staging, T.dashboard).length,
      resourcesOf(staging, "aws:sns/topicSubscription:TopicSubscription").length,
      resourcesOf(staging, T.scalingPolicy).length,
    ]).toEqual([20, 1, 2, 2]);
  });

  it("masks secret inputs: no resource input or output holds the secret value", async () => {
    const config = environmentConfig(
      {
        tier: "dev",
        services: [serviceEntry("api")],
        notifications: { slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/XXXXSECRET" },
      },
      { secretPaths: ["delivery:notifications"] },
    );
    const rendered = await renderEnvironment(config);
    const parameter = resourcesOf(rendered, T.parameter)[0];
    expect([parameter.inputs.name, parameter.inputs.type, parameter.inputs.value]).toEqual([
      "/delivery/test/alerts/slack-webhook-url",
      "SecureString",
      "[secret]",
    ]);
    expect(JSON.stringify([rendered.resources, rendered.outputs]).includes("XXXXSECRET")).toBe(false);
  });

  it("renders in preview mode too", async () => {
    const preview = await renderStack("dev", { preview: true });
    expect([preview.resources.length, preview.outputs.deployment.services.map((s) => s.name)]).toEqual([165, ["api", "web"]]);
  });

  it("fails with a RenderError naming the stack when an invoke fails, and the next render still works", async () => {
    const call = DeliveryMocks.prototype.call;
    vi.spyOn(DeliveryMocks.prototype, "call").mockImplementation(function (this: DeliveryMocks, args) {
      if (args.token === "aws:index/getAvailabilityZones:getAvailabilityZones") throw new Error("zones are down");
      return call.call(this, args);
    });
    const failed = renderStack("dev");
    await expect(failed).rejects.toBeInstanceOf(RenderError);
    await expect(failed).rejects.toThrow(/^rendering stack dev failed: zones are down/);
    vi.restoreAllMocks();
    expect((await renderStack("dev")).resources.length).toBe(165);
  });
});

describe("DeliveryMocks", () => {
  const mocks = new DeliveryMocks("eu-west-1");

  it("throws on an invoke the program does not make", () => {
    expect(() => mocks.call({ token: "aws:ec2/getVpc:getVpc", inputs: {} })).toThrow(
      "the mocks do not answer the invoke aws:ec2/getVpc:getVpc: add it to infra/synth/mocks.ts (and only if the program really calls it)",
    );
  });

  it("answers the caller identity with the mock account", () => {
    expect(mocks.call({ token: "aws:index/getCallerIdentity:getCallerIdentity", inputs: {} }).accountId).toBe(MOCK_ACCOUNT_ID);
  });

  it("names an ECS service's ARN after its cluster, in the config's region", () => {
    const { id } = mocks.newResource({
      type: "aws:ecs/service:Service",
      name: "x",
      inputs: { name: "api", cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/delivery-dev" },
      custom: true,
    });
    expect(id).toBe("arn:aws:ecs:eu-west-1:123456789012:service/delivery-dev/api");
  });

  it("gives load balancers and target groups the ARN suffixes CloudWatch uses", () => {
    const alb = mocks.newResource({ type: "aws:lb/loadBalancer:LoadBalancer", name: "lb", inputs: { name: "delivery-dev" }, custom: true });
    const tg = mocks.newResource({
      type: "aws:lb/targetGroup:TargetGroup",
      name: "tg",
      inputs: { name: "delivery-dev-api-8080" },
      custom: true,
    });
    expect(alb.state.arnSuffix).toMatch(/^app\/delivery-dev\/[0-9a-f]{16}$/);
    expect(tg.state.arnSuffix).toMatch(/^targetgroup\/delivery-dev-api-8080\/[0-9a-f]{16}$/);
    expect(alb.state.arn).toBe(`arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/${alb.state.arnSuffix}`);
    expect(alb.state.dnsName).toMatch(/^delivery-dev-\d+\.eu-west-1\.elb\.amazonaws\.com$/);
  });

  it("auto-names like Pulumi: the resource name plus 7 hex of sha256(type::name)", () => {
    const topic = mocks.newResource({ type: "aws:sns/topic:Topic", name: "delivery-dev-warning", inputs: {}, custom: true });
    // printf 'aws:sns/topic:Topic::delivery-dev-warning' | sha256sum | cut -c1-7
    expect(topic.state.name).toBe("delivery-dev-warning-e4c791d");
  });

  it("gives task definitions a revision that follows their content, and ECR repositories their registry URL", () => {
    const task = (image: string) =>
      mocks.newResource({
        type: "aws:ecs/taskDefinition:TaskDefinition",
        name: "t",
        inputs: { family: "delivery-dev-api", containerDefinitions: image },
        custom: true,
      });
    const repo = mocks.newResource({
      type: "aws:ecr/repository:Repository",
      name: "r",
      inputs: { name: "dev/delivery/api" },
      custom: true,
    });
    expect(task("a:1").state.arn).toMatch(/^arn:aws:ecs:eu-west-1:123456789012:task-definition\/delivery-dev-api:\d+$/);
    expect(task("a:1").state.arn).toBe(task("a:1").state.arn);
    expect(task("a:1").state.arn).not.toBe(task("a:2").state.arn);
    expect(repo.state.repositoryUrl).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/dev/delivery/api");
  });
});
