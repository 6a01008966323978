import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { progressiveWatchMinutes } from "../../infra/components/lib/progressive";
import { alertParameterName } from "../../infra/components/lib/naming";
import { projectRoleName, readBuildspec, validateTimeoutMinutes } from "../../infra/pipeline";
import { deployTimeoutMinutes } from "../../infra/pipeline/deliveryPipeline";
import { failedActionPattern, succeededExecutionPattern } from "../../infra/pipeline/pipelineEvents";
import { buildEnvironment } from "../../infra/environment";
import { DeliveryMocks } from "../../infra/synth/mocks";
import {
  jsonInput,
  registrationsDone,
  renderStack,
  type RenderedResource,
  type RenderedStack,
  resourceNamed,
  resourcesOf,
  STACKS,
  stackConfig,
} from "../support/pulumi";

const PIPELINE = "aws:codepipeline/pipeline:Pipeline";
const PROJECT = "aws:codebuild/project:Project";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";

interface Action {
  name: string;
  category: string;
  provider: string;
  runOrder?: number;
  namespace?: string;
  configuration: Record<string, string>;
}
interface Stage {
  name: string;
  actions: Action[];
}
interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string | string[];
}

const rendered = new Map<string, RenderedStack>();
beforeAll(async () => {
  for (const stack of STACKS) rendered.set(stack, await renderStack(stack));
});
const get = (stack: string) => rendered.get(stack) as RenderedStack;
/** The pipeline's EventBridge targets (not the environment's task-stop one). */
const pipelineTargets = (stack: string) => resourcesOf(get(stack), TARGET).filter((t) => t.name.includes("-pipeline-events-"));
const stagesOf = (stack: string) => resourcesOf(get(stack), PIPELINE)[0].inputs.stages as Stage[];
const statements = (r: RenderedResource) => jsonInput<{ Statement: Statement[] }>(r, "policy").Statement;
const rolePolicy = (stack: string, project: string) =>
  resourceNamed(get(stack), "aws:iam/rolePolicy:RolePolicy", `delivery-${stack}-pipeline-${project}-policy`);

describe.each(STACKS)("the %s pipeline", (stack) => {
  it("is a V2 pipeline named <project>-<stack> with its artifacts in a KMS-encrypted store", () => {
    const pipeline = resourcesOf(get(stack), PIPELINE)[0];
    expect([pipeline.inputs.name, pipeline.inputs.pipelineType]).toEqual([`delivery-${stack}`, "V2"]);
    const store = (pipeline.inputs.artifactStores as { type: string; encryptionKey: { type: string } }[])[0];
    expect([store.type, store.encryptionKey.type]).toEqual(["S3", "KMS"]);
  });

  it("runs source, build, test, approval (prod only), deploy and validate, in that order", () => {
    const expected = ["Source", "Build", "Test", ...(stack === "prod" ? ["Approval"] : []), "Deploy", "Validate"];
    expect(stagesOf(stack).map((s) => s.name)).toEqual(expected);
  });

  it("builds each service in its own action, exporting IMAGE_TAG under a namespace the deploy step reads", () => {
    const build = stagesOf(stack).find((s) => s.name === "Build") as Stage;
    expect(build.actions.map((a) => [a.name, a.namespace, a.runOrder, a.configuration.ProjectName])).toEqual([
      ["Build-api", "Build_api", 1, `delivery-${stack}-pipeline-build-api`],
      ["Build-web", "Build_web", 1, `delivery-${stack}-pipeline-build-web`],
    ]);
    const deploy = (stagesOf(stack).find((s) => s.name === "Deploy") as Stage).actions[0];
    expect(JSON.parse(deploy.configuration.EnvironmentVariables)).toEqual([
      { name: "IMAGE_TAGS", value: "api=#{Build_api.IMAGE_TAG},web=#{Build_web.IMAGE_TAG}", type: "PLAINTEXT" },
    ]);
  });

  it("runs every test suite in parallel: one action each, the same run order", () => {
    const suites = stack === "local" ? ["unit"] : ["unit", "integration", "security"];
    const test = stagesOf(stack).find((s) => s.name === "Test") as Stage;
    expect(test.actions.map((a) => [a.name, a.runOrder])).toEqual(suites.map((s) => [`Test-${s}`, 1]));
  });

  it("gives only the image builds a privileged (docker) environment", () => {
    const privileged = resourcesOf(get(stack), PROJECT)
      .filter((p) => (p.inputs.environment as { privilegedMode: boolean }).privilegedMode)
      .map((p) => p.name);
    expect(privileged).toEqual([`delivery-${stack}-pipeline-build-api`, `delivery-${stack}-pipeline-build-web`]);
  });

  it("takes the Pulumi token from Secrets Manager by name, never as a value", () => {
    for (const project of ["deploy", "validate"]) {
      const env = (
        resourceNamed(get(stack), PROJECT, `delivery-${stack}-pipeline-${project}`).inputs.environment as {
          environmentVariables: { name: string; type: string; value: string }[];
        }
      ).environmentVariables;
      expect(env.find((v) => v.name === "PULUMI_ACCESS_TOKEN")).toEqual({
        name: "PULUMI_ACCESS_TOKEN",
        type: "SECRETS_MANAGER",
        value: `delivery/${stack}/pulumi-access-token`,
      });
    }
  });

  it("never allows a `*` action in any pipeline role", () => {
    const policies = resourcesOf(get(stack), "aws:iam/rolePolicy:RolePolicy").filter((r) => r.name.includes("-pipeline-"));
    expect(policies.length).toBe(stack === "local" ? 6 : 8);
    for (const p of policies) {
      for (const s of statements(p)) for (const a of s.Action) expect(a, `${p.name} ${s.Sid}`).not.toMatch(/(^\*$|:\*$)/);
    }
  });

  it("scopes a build role to its own repository and log group, and the artifact bucket", () => {
    const build = statements(rolePolicy(stack, "build-api"));
    const repo = resourceNamed(get(stack), "aws:ecr/repository:Repository", `delivery-${stack}-api-repo`);
    expect(build.find((s) => s.Sid === "EcrPush")?.Resource).toBe(`arn:aws:ecr:us-east-1:123456789012:repository/${repo.inputs.name}`);
    expect(build.find((s) => s.Sid === "Logs")?.Resource).toEqual([
      `arn:aws:logs:us-east-1:123456789012:log-group:/aws/codebuild/delivery-${stack}-pipeline-build-api`,
      `arn:aws:logs:us-east-1:123456789012:log-group:/aws/codebuild/delivery-${stack}-pipeline-build-api:*`,
    ]);
    expect(String((build.find((s) => s.Sid === "Artifacts")?.Resource as string[])[0])).toMatch(
      /^arn:aws:s3:::delivery-[a-z]+-pipeline-artifacts-/,
    );
  });

  it("lets the deploy role pass only the services' task and execution roles, and update only their services", () => {
    const deploy = statements(rolePolicy(stack, "deploy"));
    const pass = deploy.find((s) => s.Sid === "PassTaskRoles")?.Resource as string[];
    expect(pass).toHaveLength(4);
    for (const arn of pass)
      expect(arn).toMatch(new RegExp(`^arn:aws:iam::123456789012:role/delivery-${stack}-(api|web)-(task|execution)-role-`));
    expect(deploy.find((s) => s.Sid === "EcsServices")?.Resource).toEqual([
      `arn:aws:ecs:us-east-1:123456789012:service/delivery-${stack}/api`,
      `arn:aws:ecs:us-east-1:123456789012:service/delivery-${stack}/web`,
    ]);
  });

  it("gives the deploy role what deployctl deploy needs: the gate's image lookup, and what the validator reads and writes", () => {
    const deploy = statements(rolePolicy(stack, "deploy"));
    const validate = statements(rolePolicy(stack, "validate"));
    const shared = ["EcsRead", "EcsServices", "TaskDefinitionRead", "Metrics", "DeliveryMetrics", "ServiceLogs", "Releases", "Alerts"];

    for (const sid of shared)
      expect(
        deploy.find((s) => s.Sid === sid),
        sid,
      ).toEqual(validate.find((s) => s.Sid === sid));
    expect(deploy.find((s) => s.Sid === "GateImages")).toMatchObject({ Action: ["ecr:DescribeImages"] });
    expect((deploy.find((s) => s.Sid === "GateImages")?.Resource as string[]).length).toBe(2);
    expect(deploy.map((s) => s.Sid)).not.toContain("StackUpdate");
  });

  it("lets the deploy and validate roles put metric data in the Delivery namespace only", () => {
    for (const role of ["deploy", "validate"]) {
      const all = statements(rolePolicy(stack, role));
      expect(all.find((s) => s.Sid === "DeliveryMetrics")).toEqual({
        Sid: "DeliveryMetrics",
        Effect: "Allow",
        Action: ["cloudwatch:PutMetricData"],
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": "Delivery" } },
      });
      expect(all.filter((s) => [s.Action].flat().includes("cloudwatch:PutMetricData")).map((s) => s.Sid)).toEqual(["DeliveryMetrics"]);
    }
  });

  it("lets the validate role filter the services' log events, on each group's streams (`<group ARN>:*`, as AWS checks it)", () => {
    const logs = statements(rolePolicy(stack, "validate")).find((s) => s.Sid === "ServiceLogs");
    const group = (svc: string) => `arn:aws:logs:us-east-1:123456789012:log-group:/ecs/delivery/${stack}/${svc}`;
    expect([logs?.Action, logs?.Resource]).toEqual([
      ["logs:FilterLogEvents"],
      [group("api"), `${group("api")}:*`, group("web"), `${group("web")}:*`],
    ]);
  });

  it("lets the validate role assume the deploy role for the stack update, and trusts it there", () => {
    const validate = statements(rolePolicy(stack, "validate"));
    const deployRole = `arn:aws:iam::123456789012:role/delivery-${stack}-pipeline-deploy-role`;
    expect(validate.find((s) => s.Sid === "StackUpdate")?.Resource).toBe(deployRole);
    const trust = jsonInput<{ Statement: { Principal: { AWS?: string[] } }[] }>(
      resourceNamed(get(stack), "aws:iam/role:Role", `delivery-${stack}-pipeline-deploy-role`),
      "assumeRolePolicy",
    );
    expect(trust.Statement[1].Principal.AWS).toEqual([`arn:aws:iam::123456789012:role/delivery-${stack}-pipeline-validate-role`]);
  });

  it("sends failed actions to the critical topic and succeeded executions to the warning topic", () => {
    const rules = resourcesOf(get(stack), RULE).filter((r) => r.name.includes("-pipeline-events-"));
    expect(rules.map((r) => JSON.parse(r.inputs.eventPattern as string))).toEqual([
      failedActionPattern(`delivery-${stack}`),
      succeededExecutionPattern(`delivery-${stack}`),
    ]);
    const topicArn = (severity: string) => resourceNamed(get(stack), "aws:sns/topic:Topic", `delivery-${stack}-${severity}`).id;
    const targets = pipelineTargets(stack);
    expect(
      targets.map((t) => [t.name, String(t.inputs.arn).endsWith(String(topicArn(t.name.endsWith("critical") ? "critical" : "warning")))]),
    ).toEqual([
      [`delivery-${stack}-pipeline-events-failed-to-critical`, true],
      [`delivery-${stack}-pipeline-events-succeeded-to-warning`, true],
    ]);
  });

  it("words each pipeline event as an AWS Chatbot custom notification, so Slack (and PagerDuty, on the critical topic) gets it", () => {
    const link = `https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/delivery-${stack}/executions/<execution>/timeline?region=us-east-1`;
    const templates = pipelineTargets(stack).map((t) => JSON.parse((t.inputs.inputTransformer as { inputTemplate: string }).inputTemplate));
    expect(templates).toEqual([
      {
        version: "1.0",
        source: "custom",
        content: {
          textType: "client-markdown",
          title: "Pipeline <pipeline> failed at stage <stage>",
          description: `Pipeline <pipeline> failed at stage <stage>, action <action> (<state>). ${link}`,
          keywords: ["<pipeline>", "FAILED"],
        },
      },
      {
        version: "1.0",
        source: "custom",
        content: {
          textType: "client-markdown",
          title: "Pipeline <pipeline> succeeded",
          description: `Pipeline <pipeline> succeeded: execution <execution>. ${link}`,
          keywords: ["<pipeline>", "SUCCEEDED"],
        },
      },
    ]);
  });

  it("blocks public access to the artifact bucket and encrypts it", () => {
    const pab = resourcesOf(get(stack), "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").find((r) =>
      r.name.endsWith("pipeline-artifacts"),
    );
    expect(pab?.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const sse = resourcesOf(get(stack), "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find(
      (r) => r.name.endsWith("pipeline-artifacts"),
    );
    expect(
      (sse?.inputs.rules as { applyServerSideEncryptionByDefault: { sseAlgorithm: string } }[])[0].applyServerSideEncryptionByDefault
        .sseAlgorithm,
    ).toBe("aws:kms");
  });
});

describe("the pipeline's source", () => {
  it("is the repository connection, cloned in full, on the cloud stacks", () => {
    const source = stagesOf("dev")[0].actions[0];
    expect([
      source.provider,
      source.configuration.FullRepositoryId,
      source.configuration.BranchName,
      source.configuration.OutputArtifactFormat,
    ]).toEqual(["CodeStarSourceConnection", "example/delivery-app", "main", "CODEBUILD_CLONE_REF"]);
  });

  it("is an S3 object on the local stack", () => {
    const source = stagesOf("local")[0].actions[0];
    expect([source.provider, source.configuration.S3Bucket, source.configuration.S3ObjectKey]).toEqual([
      "S3",
      "delivery-local-source",
      "source.zip",
    ]);
  });
});

describe("the approval", () => {
  it("notifies prod's approvers through an encrypted topic", () => {
    const approval = stagesOf("prod").find((s) => s.name === "Approval") as Stage;
    const topic = resourceNamed(get("prod"), "aws:sns/topic:Topic", "delivery-prod-pipeline-approvals");
    expect(approval.actions[0]).toMatchObject({ category: "Approval", provider: "Manual" });
    expect(String(approval.actions[0].configuration.NotificationArn)).toContain(topic.id);
    const subscriptions = resourcesOf(get("prod"), "aws:sns/topicSubscription:TopicSubscription").filter((s) =>
      s.name.includes("approver"),
    );
    expect(subscriptions.map((s) => s.inputs.endpoint)).toEqual(["release-managers@example.com"]);
  });
});

describe("the deploy and validate buildspecs the projects run", () => {
  it("deploys through deployctl deploy (gate, order, per-service validation, rollback) and validates with rollback", () => {
    const deploy = JSON.stringify(parse(readBuildspec("deploy")));
    const validate = JSON.stringify(parse(readBuildspec("validate")));
    expect(deploy).toMatch(/deployctl deploy --stack \\?"?\$STACK\\?"? --yes/);
    expect(validate).toMatch(/deployctl validate --stack \\?"?\$STACK\\?"? .*--rollback/);
  });

  it("runs the rollback's stack update as the deploy role (the only role that changes the stack)", () => {
    const validate = readBuildspec("validate");
    expect(validate).toContain('aws configure set profile.delivery-deploy.role_arn "$DEPLOY_ROLE_ARN"');
    expect(validate).toContain("export DELIVERY_STACK_UPDATE_PROFILE=delivery-deploy");
  });
});

describe("the pipeline of a stack with progressive deployments (prod: canary)", () => {
  it("lets the validate role list, drive and stop the cluster's ECS service deployments, and only prod's", () => {
    const sids = (stack: string) => statements(rolePolicy(stack, "validate")).map((s) => s.Sid);
    expect(sids("dev")).not.toContain("ServiceDeploymentsDrive");
    const prod = statements(rolePolicy("prod", "validate"));
    expect(
      prod.filter((s) => s.Sid.startsWith("ServiceDeployments") || s.Sid === "ServiceRevisions").map((s) => [s.Action, s.Resource]),
    ).toEqual([
      [
        ["ecs:ListServiceDeployments"],
        ["arn:aws:ecs:us-east-1:123456789012:service/delivery-prod/api", "arn:aws:ecs:us-east-1:123456789012:service/delivery-prod/web"],
      ],
      [
        ["ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment"],
        "arn:aws:ecs:us-east-1:123456789012:service-deployment/delivery-prod/*",
      ],
      [["ecs:DescribeServiceRevisions"], "arn:aws:ecs:us-east-1:123456789012:service-revision/delivery-prod/*"],
    ]);
  });

  it("lets the deploy role pass ECS's own roles only to ECS", () => {
    const pass = statements(rolePolicy("prod", "deploy")).find((s) => s.Sid === "PassProgressiveDeploymentRoles") as Statement & {
      Condition: unknown;
    };
    expect((pass.Resource as string[]).map((r) => r.replace(/-[0-9a-f]{7}$/, ""))).toEqual([
      "arn:aws:iam::123456789012:role/delivery-prod-lb-role",
      "arn:aws:iam::123456789012:role/delivery-prod-hook-invoke-role",
    ]);
    expect(pass.Condition).toEqual({ StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } });
    expect(statements(rolePolicy("staging", "deploy")).map((s) => s.Sid)).not.toContain("PassProgressiveDeploymentRoles");
  });

  it("gives the validate step time to watch every canary step with its extension, plus half an hour", () => {
    const timeout = (stack: string) => resourceNamed(get(stack), PROJECT, `delivery-${stack}-pipeline-validate`).inputs.buildTimeout;
    const watch = progressiveWatchMinutes(stackConfig("prod").services.map((s) => s.deployment));
    expect(watch).toBeGreaterThan(60);
    expect([timeout("staging"), timeout("prod")]).toEqual([60, watch + 30]);
  });
});

describe("validateTimeoutMinutes", () => {
  it.each([
    [undefined, 60],
    [10, 60],
    [100, 130],
    [5000, 2160],
  ])("for %s minutes of progressive watching is %i", (watch, expected) => {
    expect(validateTimeoutMinutes(watch)).toBe(expected);
  });
});

describe("the deploy role's trust", () => {
  /** Answers the validate role with an ARN that carries a path (unlike one built from its name); keeps the deploy role's trust. */
  class PathMocks extends DeliveryMocks {
    deployTrust?: string;
    override newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
      const result = super.newResource(args);
      if (args.type !== "aws:iam/role:Role") return result;
      if (args.name === "delivery-dev-pipeline-deploy-role") this.deployTrust = String(args.inputs.assumeRolePolicy);
      if (args.name !== "delivery-dev-pipeline-validate-role") return result;
      return { ...result, state: { ...result.state, arn: `arn:aws:iam::123456789012:role/ci/${args.name}` } };
    }
  }

  it("names the validate role by the role resource's ARN, so it waits for it (IAM rejects a principal that does not exist yet)", async () => {
    const mocks = new PathMocks("us-east-1");
    await pulumi.runtime.setMocks(mocks, "delivery", "dev", false);
    buildEnvironment(stackConfig("dev"));
    await registrationsDone();
    const trust = JSON.parse(mocks.deployTrust ?? "{}") as { Statement: { Principal: { AWS?: string[] } }[] };
    expect(trust.Statement[1].Principal.AWS).toEqual(["arn:aws:iam::123456789012:role/ci/delivery-dev-pipeline-validate-role"]);
  });
});

describe("the deploy role and the program's lookups", () => {
  /**
   * The IAM action each invoke the program makes needs on real AWS (null: none). An invoke missing
   * here fails the test: `pulumi up` in the deploy step runs every one of them as the deploy role.
   */
  const INVOKE_ACTIONS: Record<string, string | null> = {
    "aws:index/getCallerIdentity:getCallerIdentity": null,
    "aws:index/getPartition:getPartition": null,
    "aws:index/getRegion:getRegion": null,
    "aws:elb/getServiceAccount:getServiceAccount": null,
    "aws:index/getAvailabilityZones:getAvailabilityZones": "ec2:DescribeAvailabilityZones",
  };
  class InvokeMocks extends DeliveryMocks {
    readonly invokes = new Set<string>();
    override call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
      this.invokes.add(args.token);
      return super.call(args);
    }
  }

  it.each(["dev", "prod"])("lets the %s deploy role make every lookup the program makes", async (stack) => {
    const mocks = new InvokeMocks("us-east-1");
    await pulumi.runtime.setMocks(mocks, "delivery", stack, false);
    buildEnvironment(stackConfig(stack));
    await registrationsDone();
    const unknown = [...mocks.invokes].filter((token) => !(token in INVOKE_ACTIONS));
    expect(unknown).toEqual([]);
    const needed = [...mocks.invokes].map((token) => INVOKE_ACTIONS[token]).filter((a): a is string => a !== null);
    expect(needed).toContain("ec2:DescribeAvailabilityZones");
    const allowed = statements(rolePolicy(stack, "deploy")).flatMap((s) => s.Action);
    expect(needed.filter((a) => !allowed.includes(a))).toEqual([]);
  });
});

describe("names the pipeline derives", () => {
  it("keeps CodeBuild role names distinct within IAM's 64 characters", () => {
    const long = "a-very-long-project-name-for-delivery-production-pipeline-build";
    const a = projectRoleName(`${long}-checkout-service`);
    const b = projectRoleName(`${long}-checkout-worker`);
    expect([a.length <= 64, b.length <= 64, a !== b]).toEqual([true, true, true]);
    expect(projectRoleName("delivery-prod-pipeline-deploy")).toBe("delivery-prod-pipeline-deploy-role");
  });
});

describe("the alert secrets' parameters", () => {
  it("live under /delivery/<stack>/, which the validate role may read whatever the project is called", () => {
    expect(alertParameterName("prod", "slack-webhook-url")).toBe("/delivery/prod/alerts/slack-webhook-url");
  });
});

describe("deployTimeoutMinutes", () => {
  it.each([
    [1, undefined, 60],
    [2, undefined, 60],
    [3, undefined, 90],
    [2, 200, 260],
    [100, undefined, 2160],
  ])("%s services with a %s-minute progressive watch: %s minutes", (services, watch, minutes) => {
    expect(deployTimeoutMinutes(services, watch)).toBe(minutes);
  });
});
