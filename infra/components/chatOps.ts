import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { chatbotTrustPolicy, cloudWatchReadOnlyPolicyArn } from "./lib/policies";

export interface ChatOpsArgs {
  /** The Chatbot configuration's name (`<project>-<stack>-alerts`). */
  configurationName: string;
  /** Slack workspace (team) ID, `T...`: authorised once in the AWS Chatbot console. */
  workspaceId: string;
  /** Slack channel ID, `C...` (public) or `G...` (private); invite @aws into a private one. */
  channelId: string;
  /** The SNS topics the channel hears (the warning and critical alert topics). */
  topicArns: pulumi.Input<string>[];
  partition: string;
  tags: Record<string, string>;
}

/**
 * Alerts in chat: an AWS Chatbot Slack channel configuration subscribed to the alert topics. Its role
 * (assumed by chatbot.amazonaws.com) can only read CloudWatch, and the same read-only policy is the
 * channel's guardrail, so nobody can run anything else from Slack through it.
 */
export class ChatOps extends pulumi.ComponentResource {
  public readonly role: aws.iam.Role;
  public readonly channel: aws.chatbot.SlackChannelConfiguration;
  public readonly chatConfigurationArn: pulumi.Output<string>;

  constructor(name: string, args: ChatOpsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:alerts:ChatOps", name, {}, opts);
    const parent = { parent: this };
    const readOnly = cloudWatchReadOnlyPolicyArn(args.partition);

    this.role = new aws.iam.Role(
      `${name}-chatbot-role`,
      {
        assumeRolePolicy: JSON.stringify(chatbotTrustPolicy()),
        description: `${args.configurationName}: AWS Chatbot reads CloudWatch (alarm graphs) for the Slack channel; nothing else.`,
        tags: args.tags,
      },
      parent,
    );
    const attachment = new aws.iam.RolePolicyAttachment(`${name}-chatbot-read-only`, { role: this.role.name, policyArn: readOnly }, parent);
    this.channel = new aws.chatbot.SlackChannelConfiguration(
      `${name}-slack`,
      {
        configurationName: args.configurationName,
        slackTeamId: args.workspaceId,
        slackChannelId: args.channelId,
        iamRoleArn: this.role.arn,
        snsTopicArns: args.topicArns,
        // Without guardrails Chatbot applies AdministratorAccess: cap what channel members can do.
        guardrailPolicyArns: [readOnly],
        loggingLevel: "ERROR",
        tags: args.tags,
      },
      { parent: this, dependsOn: [attachment] },
    );
    this.chatConfigurationArn = this.channel.chatConfigurationArn;
    this.registerOutputs({ chatConfigurationArn: this.chatConfigurationArn });
  }
}
