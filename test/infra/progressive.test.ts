import { beforeAll, describe, expect, it } from "vitest";
import {
  environmentConfig,
  jsonInput,
  type RenderedResource,
  type RenderedStack,
  resourceNamed,
  resourcesOf,
  serviceEntry,
  T,
} from "../support/pulumi";
import { renderEnvironment } from "../../infra/synth/render";

/**
 * Each strategy's resources under the mock runtime: two services (api with a path rule, web the
 * default route) deployed with the strategy given, in a staging stack (two tasks, no pipeline).
 */
const LAMBDA = "aws:lambda/function:Function";
const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012";

function render(deployment: Record<string, unknown>, web: Record<string, unknown> = deployment): Promise<RenderedStack> {
  const config = environmentConfig(
    { tier: "staging", services: [serviceEntry("api", { path: "/api/*", deployment }), serviceEntry("web", { deployment: web })] },
    { stack: "staging" },
  );
  return renderEnvironment(config);
}

const str = (v: unknown) => v as string;
const rec = (v: unknown) => v as Record<string, unknown>;
const ecsService = (r: RenderedStack, name: string) => resourceNamed(r, T.ecsService, `delivery-staging-${name}`);
const deploymentOf = (s: RenderedResource) => rec(s.inputs.deploymentConfiguration);
const advancedOf = (s: RenderedResource) => rec((s.inputs.loadBalancers as Record<string, unknown>[])[0]?.advancedConfiguration);
/** The mock's ARN: target groups and rules have it as their id, roles are named by theirs. */
function arnOf(r: RenderedStack, type: string, name: string): string {
  const { id } = resourceNamed(r, type, name);
  return type === T.role ? `arn:aws:iam::123456789012:role/${id}` : id;
}

describe("canary (the release policy's 5, 25, 50, 100)", () => {
  let r: RenderedStack;
  beforeAll(async () => {
    r = await render({ strategy: "canary" });
  });

  it("deploys with ECS's LINEAR strategy in 5% steps, no ECS bake between steps, 10 minutes of bake after 100%", () => {
    const { lifecycleHooks: _hooks, ...config } = deploymentOf(ecsService(r, "api"));
    expect(config).toEqual({
      strategy: "LINEAR",
      bakeTimeInMinutes: "10",
      linearConfiguration: { stepPercent: 5, stepBakeTimeInMinutes: "0" },
    });
  });

  it("gates every production traffic shift with the hook, told the policy's steps", () => {
    const hooks = deploymentOf(ecsService(r, "api")).lifecycleHooks as Record<string, unknown>[];
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.lifecycleStages).toEqual(["PRODUCTION_TRAFFIC_SHIFT"]);
    expect(hooks[0]?.hookTargetArn).toBe("arn:aws:lambda:us-east-1:123456789012:function:delivery-staging-canary-hook");
    expect(hooks[0]?.roleArn).toBe(arnOf(r, T.role, "delivery-staging-hook-invoke-role"));
    expect(JSON.parse(str(hooks[0]?.hookDetails))).toEqual({
      stack: "staging",
      service: "api",
      verdictParameter: "/delivery/staging/api/canary-verdict",
      checkpoints: [5, 25, 50, 100],
      stepMinutes: 10,
      maxExtensionMinutes: 20,
      graceMinutes: 5,
      callBackDelaySeconds: 30,
    });
  });

  it("gives each service a second target group, named after the first with -alt", () => {
    expect(resourcesOf(r, T.targetGroup).map((tg) => tg.inputs.name)).toEqual([
      "delivery-staging-api-8080",
      "delivery-staging-api-8080-alt",
      "delivery-staging-web-8080",
      "delivery-staging-web-8080-alt",
    ]);
  });

  it("points ECS at the alternate group, the production and test rules, and the load balancer role", () => {
    expect(advancedOf(ecsService(r, "api"))).toEqual({
      alternateTargetGroupArn: arnOf(r, T.targetGroup, "delivery-staging-api-alt"),
      productionListenerRule: arnOf(r, T.listenerRule, "delivery-staging-api"),
      testListenerRule: arnOf(r, T.listenerRule, "delivery-staging-api-test"),
      roleArn: arnOf(r, T.role, "delivery-staging-lb-role"),
    });
  });

  it("routes api by a weighted production rule (all to the first group) and a test rule by header, 5 priorities before it", () => {
    const api = arnOf(r, T.targetGroup, "delivery-staging-api");
    const alt = arnOf(r, T.targetGroup, "delivery-staging-api-alt");
    const weighted = [
      {
        type: "forward",
        forward: {
          targetGroups: [
            { arn: api, weight: 100 },
            { arn: alt, weight: 0 },
          ],
        },
      },
    ];
    const production = resourceNamed(r, T.listenerRule, "delivery-staging-api");
    const test = resourceNamed(r, T.listenerRule, "delivery-staging-api-test");
    expect([production.inputs.priority, production.inputs.actions, production.inputs.conditions]).toEqual([
      100,
      weighted,
      [{ pathPattern: { values: ["/api/*"] } }],
    ]);
    expect([test.inputs.priority, test.inputs.actions, test.inputs.conditions]).toEqual([
      95,
      weighted,
      [{ pathPattern: { values: ["/api/*"] } }, { httpHeader: { httpHeaderName: "x-delivery-test", values: ["green"] } }],
    ]);
  });

  it("gives the default route (web) a catch-all production rule at 50000 and its test rule at 49995", () => {
    const rules = ["delivery-staging-web", "delivery-staging-web-test"].map((n) => resourceNamed(r, T.listenerRule, n));
    expect(rules.map((rule) => [rule.inputs.priority, rule.inputs.conditions])).toEqual([
      [50000, [{ pathPattern: { values: ["/*"] } }]],
      [49995, [{ pathPattern: { values: ["/*"] } }, { httpHeader: { httpHeaderName: "x-delivery-test", values: ["green"] } }]],
    ]);
  });

  it("creates the hook function once for the environment, from the repository's plain JavaScript", () => {
    const functions = resourcesOf(r, LAMBDA);
    expect(functions).toHaveLength(1);
    const { code, role, ...inputs } = functions[0]?.inputs ?? {};
    expect(rec(code).__pulumiArchive).toBe(true);
    expect(role).toBe(arnOf(r, T.role, "delivery-staging-hook-function-role"));
    expect(inputs).toEqual({
      name: "delivery-staging-canary-hook",
      description: "ECS lifecycle hook: holds each traffic step until deployctl's verdict on it passes.",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      timeout: 30,
      memorySize: 128,
      tags: { environment: "staging", "managed-by": "pulumi", project: "delivery" },
    });
  });

  it("lets the hook function read the stack's verdicts, list the cluster's deployments and write its own logs, nothing else", () => {
    expect(jsonInput(resourceNamed(r, T.rolePolicy, "delivery-staging-hook-function-policy"), "policy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadVerdicts",
          Effect: "Allow",
          Action: "ssm:GetParameter",
          Resource: "arn:aws:ssm:us-east-1:123456789012:parameter/delivery/staging/*/canary-verdict",
        },
        {
          Sid: "SeeRollbacks",
          Effect: "Allow",
          Action: "ecs:ListServiceDeployments",
          Resource: "arn:aws:ecs:us-east-1:123456789012:service/delivery-staging/*",
        },
        {
          Sid: "Logs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/delivery-staging-canary-hook:*",
        },
      ],
    });
  });

  it("lets ECS invoke the hook function only", () => {
    expect(jsonInput(resourceNamed(r, T.rolePolicy, "delivery-staging-hook-invoke-policy"), "policy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "InvokeHook",
          Effect: "Allow",
          Action: "lambda:InvokeFunction",
          Resource: "arn:aws:lambda:us-east-1:123456789012:function:delivery-staging-canary-hook",
        },
      ],
    });
  });

  it("lets ECS register tasks in the four target groups and reweight the four rules, and describe", () => {
    const policy = jsonInput<{ Statement: { Sid: string; Action: unknown; Resource: unknown }[] }>(
      resourceNamed(r, T.rolePolicy, "delivery-staging-lb-policy"),
      "policy",
    );
    const groups = ["api", "api-alt", "web", "web-alt"].map((n) => arnOf(r, T.targetGroup, `delivery-staging-${n}`));
    const rules = ["api", "api-test", "web", "web-test"].map((n) => arnOf(r, T.listenerRule, `delivery-staging-${n}`));
    expect(policy.Statement.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      [
        "Describe",
        [
          "elasticloadbalancing:DescribeListeners",
          "elasticloadbalancing:DescribeRules",
          "elasticloadbalancing:DescribeTargetGroups",
          "elasticloadbalancing:DescribeTargetHealth",
        ],
        "*",
      ],
      ["Targets", ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], groups],
      ["Weights", "elasticloadbalancing:ModifyRule", rules],
    ]);
    expect(groups.every((g) => g.startsWith(`${ARN}:targetgroup/`))).toBe(true);
  });

  it("lets only ECS assume the two roles it uses, and only Lambda the function's, from this account", () => {
    const trust = (name: string) =>
      jsonInput<{ Statement: { Principal: unknown; Condition: unknown }[] }>(resourceNamed(r, T.role, name), "assumeRolePolicy").Statement;
    expect(["hook-invoke-role", "lb-role", "hook-function-role"].map((n) => trust(`delivery-staging-${n}`)[0]?.Principal)).toEqual([
      { Service: "ecs.amazonaws.com" },
      { Service: "ecs.amazonaws.com" },
      { Service: "lambda.amazonaws.com" },
    ]);
    expect(trust("delivery-staging-lb-role")[0]?.Condition).toEqual({ StringEquals: { "aws:SourceAccount": "123456789012" } });
  });

  it("keeps the hook's logs as long as the stack's logs", () => {
    expect(resourceNamed(r, T.logGroup, "delivery-staging-hook-logs").inputs).toMatchObject({
      name: "/aws/lambda/delivery-staging-canary-hook",
      retentionInDays: 90,
    });
  });

  it("tells the validator each service's steps, alternate group and verdict parameter in the manifest", () => {
    const deployment = (r.outputs.deployment as { services: { name: string; deployment?: unknown }[] }).services.map((s) => s.deployment);
    expect(deployment[0]).toEqual({
      strategy: "canary",
      steps: [5, 25, 50, 100],
      stepMinutes: 10,
      bakeMinutes: 10,
      maxExtensionMinutes: 20,
      alternateTargetGroup: arnOf(r, T.targetGroup, "delivery-staging-api-alt").split(":").pop(),
      verdictParameter: "/delivery/staging/api/canary-verdict",
    });
  });
});

describe.each([
  [
    "a canary with one step (10%, then 100%)",
    { strategy: "canary", canary: { steps: [10, 100], bakeMinutes: 0 } },
    { strategy: "CANARY", bakeTimeInMinutes: "0", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "0" } },
    [10, 100],
  ],
  [
    "linear (25% steps)",
    { strategy: "linear", linear: { stepPercent: 25, stepMinutes: 6 } },
    { strategy: "LINEAR", bakeTimeInMinutes: "10", linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: "0" } },
    [25, 50, 75, 100],
  ],
  [
    "blue/green (the old revision kept 45 minutes)",
    { strategy: "blueGreen", blueGreen: { bakeMinutes: 45 } },
    { strategy: "BLUE_GREEN", bakeTimeInMinutes: "45" },
    [100],
  ],
])("%s", (_name, deployment, ecs, checkpoints) => {
  let r: RenderedStack;
  beforeAll(async () => {
    r = await render(deployment);
  });

  it("maps onto ECS's native strategy and bake time", () => {
    const { lifecycleHooks: _hooks, ...config } = deploymentOf(ecsService(r, "api"));
    expect(config).toEqual(ecs);
  });

  it("holds traffic at its steps through the hook", () => {
    const hooks = deploymentOf(ecsService(r, "api")).lifecycleHooks as Record<string, unknown>[];
    expect(JSON.parse(str(hooks[0]?.hookDetails)).checkpoints).toEqual(checkpoints);
  });

  it("has the same routing resources as a canary: 4 target groups, 4 weighted rules, one hook function", () => {
    expect([resourcesOf(r, T.targetGroup).length, resourcesOf(r, T.listenerRule).length, resourcesOf(r, LAMBDA).length]).toEqual([4, 4, 1]);
  });
});

describe("rolling (staging's default)", () => {
  let r: RenderedStack;
  beforeAll(async () => {
    r = await render({});
  });

  it("leaves ECS's rolling update alone: no strategy, no second target group, no hook, no extra roles", () => {
    expect([deploymentOf(ecsService(r, "api")), advancedOf(ecsService(r, "api"))]).toEqual([undefined, undefined]);
    expect([
      resourcesOf(r, T.targetGroup).length,
      resourcesOf(r, T.listenerRule).length,
      resourcesOf(r, LAMBDA).length,
      resourcesOf(r, "delivery:deploy:ProgressiveDelivery").length,
    ]).toEqual([2, 1, 0, 0]);
  });

  it("keeps api's plain forward rule and leaves deployment out of the manifest", () => {
    expect(resourceNamed(r, T.listenerRule, "delivery-staging-api").inputs.actions).toEqual([
      { type: "forward", targetGroupArn: arnOf(r, T.targetGroup, "delivery-staging-api") },
    ]);
    expect((r.outputs.deployment as { services: Record<string, unknown>[] }).services.map((s) => "deployment" in s)).toEqual([
      false,
      false,
    ]);
  });
});

describe("a mix: only the progressive service gets progressive resources", () => {
  it("gives web (blue/green) its second group and rules while api stays rolling, and scopes ECS's role to web", async () => {
    const r = await render({ strategy: "rolling" }, { strategy: "blueGreen" });
    expect(resourcesOf(r, T.targetGroup).map((tg) => tg.name)).toEqual([
      "delivery-staging-api",
      "delivery-staging-web",
      "delivery-staging-web-alt",
    ]);
    const policy = jsonInput<{ Statement: { Sid: string; Resource: unknown }[] }>(
      resourceNamed(r, T.rolePolicy, "delivery-staging-lb-policy"),
      "policy",
    );
    expect(policy.Statement[1]?.Resource).toEqual(["web", "web-alt"].map((n) => arnOf(r, T.targetGroup, `delivery-staging-${n}`)));
  });
});
