import { beforeAll, describe, expect, it } from "vitest";
import type { EnvironmentConfig } from "../../infra/config";
import { renderEnvironment } from "../../infra/synth/render";
import { synthConfig } from "../../infra/synth/synth";
import {
  environmentConfig,
  jsonInput,
  parentOf,
  type RenderedStack,
  resourceNamed,
  resourcesOf,
  serviceEntry,
  stackConfig,
  T,
} from "../support/pulumi";

/** A made-up integration URL: the test fails if it shows up anywhere in a render. */
const PD_URL = "https://events.pagerduty.com/integration/XXXXPDSECRET0123456789abcdef/enqueue";
const SLACK = { workspaceId: "T07EA123LEP", channelId: "C07EZ1ABC23" };
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f3c1f6e-1111-2222-3333-444455556666";
const CHATBOT = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const LOG_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy";
const METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter";
const CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/delivery-test";

const topicArn = (rendered: RenderedStack, severity: string) => resourceNamed(rendered, T.topic, `delivery-test-${severity}`).id;
const alarm = (rendered: RenderedStack, name: string) => {
  const found = resourcesOf(rendered, T.alarm).find((a) => a.inputs.name === name);
  if (!found) throw new Error(`no alarm ${name}`);
  return found;
};

function withNotifications(notifications: Record<string, unknown>, extra: Record<string, unknown> = {}): EnvironmentConfig {
  return environmentConfig(
    { tier: "dev", services: [serviceEntry("api")], notifications, ...extra },
    { secretPaths: ["delivery:notifications.pagerDutyIntegrationUrl"] },
  );
}

describe("Slack through AWS Chatbot (delivery:notifications.slack)", () => {
  let rendered: RenderedStack;
  beforeAll(async () => {
    rendered = await renderEnvironment(withNotifications({ slack: SLACK }));
  });

  it("subscribes one Slack channel configuration to both topics, with a read-only guardrail", () => {
    const channels = resourcesOf(rendered, CHATBOT);
    const role = resourceNamed(rendered, T.role, "delivery-test-chatbot-role");
    expect(channels.map((c) => c.inputs)).toEqual([
      {
        configurationName: "delivery-test-alerts",
        slackTeamId: "T07EA123LEP",
        slackChannelId: "C07EZ1ABC23",
        iamRoleArn: `arn:aws:iam::123456789012:role/${role.id}`,
        snsTopicArns: [topicArn(rendered, "warning"), topicArn(rendered, "critical")],
        guardrailPolicyArns: ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"],
        loggingLevel: "ERROR",
        tags: { environment: "test", "managed-by": "pulumi", project: "delivery" },
      },
    ]);
  });

  it("gives Chatbot its own role, assumable by chatbot.amazonaws.com, whose only permission is read-only CloudWatch", () => {
    const role = resourceNamed(rendered, T.role, "delivery-test-chatbot-role");
    expect(jsonInput(role, "assumeRolePolicy")).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    expect(resourcesOf(rendered, ATTACHMENT).map((a) => a.inputs)).toEqual([
      { role: role.id, policyArn: "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess" },
    ]);
    expect(resourcesOf(rendered, T.rolePolicy).filter((p) => p.inputs.role === role.id)).toEqual([]);
  });

  it("puts the channel, its role and the attachment in a ChatOps component of the environment", () => {
    const parents = [resourcesOf(rendered, CHATBOT)[0], resourceNamed(rendered, T.role, "delivery-test-chatbot-role")].map((r) =>
      parentOf(rendered, r),
    );
    expect(parents.map((p) => [p?.type, p?.name])).toEqual([
      ["delivery:alerts:ChatOps", "delivery-test"],
      ["delivery:alerts:ChatOps", "delivery-test"],
    ]);
    expect(parentOf(rendered, parents[0] as never)?.type).toBe("delivery:env:Environment");
  });
});

describe("PagerDuty (delivery:notifications.pagerDutyIntegrationUrl, a secret)", () => {
  let rendered: RenderedStack;
  beforeAll(async () => {
    rendered = await renderEnvironment(withNotifications({ emails: ["a@example.com"], pagerDutyIntegrationUrl: PD_URL }));
  });

  it("subscribes the critical topic only, over HTTPS, with the endpoint kept secret and auto-confirmed", () => {
    const https = resourcesOf(rendered, SUBSCRIPTION).filter((s) => s.inputs.protocol !== "email");
    expect(https.map((s) => [s.name, s.inputs])).toEqual([
      [
        "delivery-test-critical-pagerduty",
        { topic: topicArn(rendered, "critical"), protocol: "https", endpoint: "[secret]", endpointAutoConfirms: true },
      ],
    ]);
  });

  it("never shows the URL in the rendered resources or outputs", () => {
    expect(JSON.stringify([rendered.resources, rendered.outputs]).includes("XXXXPDSECRET")).toBe(false);
  });
});

describe("without Slack or PagerDuty", () => {
  it("creates no Chatbot, no Chatbot role and no HTTPS subscription", async () => {
    const rendered = await renderEnvironment(withNotifications({ emails: ["a@example.com"] }));
    expect([
      resourcesOf(rendered, CHATBOT).length,
      resourcesOf(rendered, ATTACHMENT).length,
      resourcesOf(rendered, "delivery:alerts:ChatOps").length,
      resourcesOf(rendered, SUBSCRIPTION).map((s) => s.inputs.protocol),
    ]).toEqual([0, 0, 0, ["email", "email"]]);
  });
});

describe("pipeline failures reach Slack and PagerDuty", () => {
  it("routes failed actions to the critical topic, the one both the Chatbot channel and PagerDuty hear", async () => {
    const staging = stackConfig("staging");
    const config: EnvironmentConfig = {
      ...staging,
      notifications: { ...staging.notifications, pagerDutyIntegrationUrl: { secret: true, value: PD_URL } },
    };
    const rendered = await renderEnvironment(config);
    const critical = resourceNamed(rendered, T.topic, "delivery-staging-critical").id;
    const failed = resourceNamed(rendered, TARGET, "delivery-staging-pipeline-events-failed-to-critical");
    const pager = resourceNamed(rendered, SUBSCRIPTION, "delivery-staging-critical-pagerduty");
    const chat = resourcesOf(rendered, CHATBOT)[0];
    expect([failed.inputs.arn, pager.inputs.topic, (chat.inputs.snsTopicArns as string[]).includes(critical)]).toEqual([
      critical,
      critical,
      true,
    ]);
    expect(JSON.stringify([rendered.resources, rendered.outputs]).includes("XXXXPDSECRET")).toBe(false);
  });

  it("keeps the URL out of the synth document (out/synth/<stack>.json): resources, outputs and policy findings", async () => {
    const staging = stackConfig("staging");
    const doc = await synthConfig({
      ...staging,
      notifications: { ...staging.notifications, pagerDutyIntegrationUrl: { secret: true, value: PD_URL } },
    });
    const pager = doc.resources.find((r) => r.name === "delivery-staging-critical-pagerduty");
    expect([pager?.inputs.endpoint, doc.policy.violations, JSON.stringify(doc).includes("XXXXPDSECRET")]).toEqual(["[secret]", [], false]);
  });
});

describe("the three alert rules", () => {
  let dev: RenderedStack;
  let https: RenderedStack;
  beforeAll(async () => {
    dev = await renderEnvironment(withNotifications({}));
    https = await renderEnvironment(withNotifications({}, { loadBalancer: { certificateArn: CERTIFICATE } }));
  });

  it("counts essential-container exits: an EventBridge rule on the cluster's stopped service tasks, into a log group", () => {
    const rule = resourceNamed(dev, RULE, "delivery-test-task-stops");
    const logGroup = resourceNamed(dev, T.logGroup, "delivery-test-task-stops");
    expect(jsonInput(rule, "eventPattern")).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: {
        clusterArn: [CLUSTER_ARN],
        lastStatus: ["STOPPED"],
        stopCode: ["EssentialContainerExited"],
        group: [{ prefix: "service:" }],
      },
    });
    expect(resourcesOf(dev, TARGET).map((t) => [t.name, t.inputs.rule, t.inputs.arn])).toEqual([
      ["delivery-test-task-stops-to-logs", rule.id, `arn:aws:logs:us-east-1:123456789012:log-group:${logGroup.id}`],
    ]);
    expect([logGroup.inputs.name, logGroup.inputs.retentionInDays]).toEqual(["/aws/events/delivery/test/task-stops", 14]);
  });

  it("lets EventBridge write to that log group, and nothing else", () => {
    const policy = resourcesOf(dev, LOG_POLICY);
    expect(policy.map((p) => p.inputs.policyName)).toEqual(["delivery-test-task-stop-events"]);
    expect(jsonInput(policy[0], "policyDocument")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "EventBridgeWritesMatchedEvents",
          Effect: "Allow",
          Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/delivery/test/task-stops:*",
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        },
      ],
    });
  });

  it("turns each logged event into one Delivery/TaskStops datapoint by cluster ARN and service group", () => {
    expect(resourcesOf(dev, METRIC_FILTER).map((f) => f.inputs)).toEqual([
      {
        logGroupName: "/aws/events/delivery/test/task-stops",
        pattern: '{ ($.detail.lastStatus = "STOPPED") && ($.detail.stopCode = "EssentialContainerExited") }',
        metricTransformation: {
          namespace: "Delivery",
          name: "TaskStops",
          value: "1",
          unit: "Count",
          dimensions: { ClusterArn: "$.detail.clusterArn", ServiceGroup: "$.detail.group" },
        },
      },
    ]);
  });

  it("pages when a service has 3 or more essential-container exits in 5 minutes (critical topic)", () => {
    const a = alarm(dev, "delivery-test-api-task-stops");
    const critical = topicArn(dev, "critical");
    expect(a.inputs).toMatchObject({
      namespace: "Delivery",
      metricName: "TaskStops",
      statistic: "Sum",
      dimensions: { ClusterArn: CLUSTER_ARN, ServiceGroup: "service:api" },
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 3,
      period: 300,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      alarmActions: [critical],
      okActions: [critical],
    });
    expect((a.inputs.tags as Record<string, string>).severity).toBe("critical");
  });

  it("warns when a service's ephemeral storage is above 85 % of what it reserves (Container Insights, warning topic)", () => {
    const a = alarm(dev, "delivery-test-api-ephemeral-storage-high");
    const warning = topicArn(dev, "warning");
    const ecs = { ClusterName: "delivery-test", ServiceName: "api" };
    expect(a.inputs).toMatchObject({
      comparisonOperator: "GreaterThanThreshold",
      threshold: 85,
      evaluationPeriods: 5,
      alarmActions: [warning],
      okActions: [warning],
      metricQueries: [
        { id: "storage", expression: "100 * used / reserved", label: "Ephemeral storage used (%)", returnData: true },
        {
          id: "used",
          returnData: false,
          metric: {
            namespace: "ECS/ContainerInsights",
            metricName: "EphemeralStorageUtilized",
            stat: "Average",
            period: 60,
            dimensions: ecs,
          },
        },
        {
          id: "reserved",
          returnData: false,
          metric: {
            namespace: "ECS/ContainerInsights",
            metricName: "EphemeralStorageReserved",
            stat: "Average",
            period: 60,
            dimensions: ecs,
          },
        },
      ],
    });
    expect(resourcesOf(dev, "aws:ecs/cluster:Cluster")[0].inputs.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
  });

  it("warns 7 days before the HTTPS listener's certificate expires (warning topic)", () => {
    const a = alarm(https, "delivery-test-certificate-expiry");
    const warning = topicArn(https, "warning");
    expect(a.inputs).toMatchObject({
      namespace: "AWS/CertificateManager",
      metricName: "DaysToExpiry",
      statistic: "Minimum",
      dimensions: { CertificateArn: CERTIFICATE },
      comparisonOperator: "LessThanThreshold",
      threshold: 7,
      period: 86400,
      evaluationPeriods: 1,
      treatMissingData: "missing",
      alarmActions: [warning],
      okActions: [warning],
    });
    expect(parentOf(https, a)?.type).toBe("delivery:alarms:EnvironmentAlarms");
  });

  it("has no certificate alarm without an HTTPS listener", () => {
    expect(resourcesOf(dev, T.alarm).filter((a) => String(a.inputs.name).includes("certificate"))).toEqual([]);
  });
});
