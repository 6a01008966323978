import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SecretValue } from "../config";
import { topicPolicy } from "./lib/policies";

export interface AlertsArgs {
  /** The customer managed key the topics are encrypted with. */
  kmsKeyArn: pulumi.Input<string>;
  partition: string;
  accountId: pulumi.Input<string>;
  /** Subscribed (by email) to both topics. @default [] */
  emails?: string[];
  /** Stored as an SSM SecureString parameter by this name; the value stays a secret. @default none */
  slackWebhookUrl?: { parameterName: string; value: SecretValue };
  /** Stored as an SSM SecureString parameter by this name; the value stays a secret. @default none */
  pagerDutyRoutingKey?: { parameterName: string; value: SecretValue };
  /**
   * PagerDuty's Amazon CloudWatch integration URL: subscribed over HTTPS to the critical topic only,
   * the endpoint kept a secret. PagerDuty confirms the subscription itself. @default none
   */
  pagerDutyIntegrationUrl?: SecretValue;
  tags: Record<string, string>;
}

/**
 * Where alerts go: a warning and a critical SNS topic (KMS-encrypted with the environment key, a
 * policy letting this account's CloudWatch alarms and EventBridge publish), email subscriptions,
 * PagerDuty's HTTPS subscription to the critical topic, and the Slack webhook URL and PagerDuty
 * routing key as SSM SecureString parameters for deployctl.
 */
export class Alerts extends pulumi.ComponentResource {
  public readonly warningTopic: aws.sns.Topic;
  public readonly criticalTopic: aws.sns.Topic;
  public readonly warningTopicArn: pulumi.Output<string>;
  public readonly criticalTopicArn: pulumi.Output<string>;
  /** SSM parameter names (never the values), when configured. */
  public readonly slackWebhookUrlParameter?: pulumi.Output<string>;
  public readonly pagerDutyRoutingKeyParameter?: pulumi.Output<string>;

  constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:alerts:Alerts", name, {}, opts);
    const parent = { parent: this };
    const topic = (severity: "warning" | "critical") => {
      const t = new aws.sns.Topic(`${name}-${severity}`, { kmsMasterKeyId: args.kmsKeyArn, tags: { ...args.tags, severity } }, parent);
      new aws.sns.TopicPolicy(
        `${name}-${severity}`,
        {
          arn: t.arn,
          policy: pulumi
            .all([t.arn, args.accountId])
            .apply(([arn, accountId]) => JSON.stringify(topicPolicy({ partition: args.partition, accountId }, arn))),
        },
        parent,
      );
      (args.emails ?? []).forEach((email, i) => {
        new aws.sns.TopicSubscription(`${name}-${severity}-email-${i + 1}`, { topic: t.arn, protocol: "email", endpoint: email }, parent);
      });
      return t;
    };
    this.warningTopic = topic("warning");
    this.criticalTopic = topic("critical");
    if (args.pagerDutyIntegrationUrl) {
      new aws.sns.TopicSubscription(
        `${name}-critical-pagerduty`,
        {
          topic: this.criticalTopic.arn,
          protocol: "https",
          endpoint: pulumi.secret(args.pagerDutyIntegrationUrl.value),
          // PagerDuty's endpoint confirms the subscription itself (it fetches the SubscribeURL).
          endpointAutoConfirms: true,
        },
        parent,
      );
    }
    this.warningTopicArn = this.warningTopic.arn;
    this.criticalTopicArn = this.criticalTopic.arn;

    const parameter = (key: string, p: { parameterName: string; value: SecretValue }, description: string) =>
      new aws.ssm.Parameter(
        `${name}-${key}`,
        { name: p.parameterName, type: "SecureString", value: pulumi.secret(p.value.value), description, tags: args.tags },
        parent,
      ).name;
    if (args.slackWebhookUrl) {
      this.slackWebhookUrlParameter = parameter(
        "slack-webhook-url",
        args.slackWebhookUrl,
        "Slack incoming webhook URL for deployctl alerts.",
      );
    }
    if (args.pagerDutyRoutingKey) {
      this.pagerDutyRoutingKeyParameter = parameter(
        "pagerduty-routing-key",
        args.pagerDutyRoutingKey,
        "PagerDuty Events v2 routing key for deployctl alerts.",
      );
    }

    this.registerOutputs({
      warningTopicArn: this.warningTopicArn,
      criticalTopicArn: this.criticalTopicArn,
      slackWebhookUrlParameter: this.slackWebhookUrlParameter,
      pagerDutyRoutingKeyParameter: this.pagerDutyRoutingKeyParameter,
    });
  }
}
