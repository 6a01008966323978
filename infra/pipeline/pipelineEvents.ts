import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface PipelineEventsArgs {
  pipelineName: pulumi.Input<string>;
  region: pulumi.Input<string>;
  criticalTopicArn: pulumi.Input<string>;
  warningTopicArn: pulumi.Input<string>;
  tags: Record<string, string>;
}

/** The event patterns, as plain data: a failed action (names its stage and action), a succeeded execution. */
export function failedActionPattern(pipelineName: string): Record<string, unknown> {
  return {
    source: ["aws.codepipeline"],
    "detail-type": ["CodePipeline Action Execution State Change"],
    detail: { pipeline: [pipelineName], state: ["FAILED"] },
  };
}

export function succeededExecutionPattern(pipelineName: string): Record<string, unknown> {
  return {
    source: ["aws.codepipeline"],
    "detail-type": ["CodePipeline Pipeline Execution State Change"],
    detail: { pipeline: [pipelineName], state: ["SUCCEEDED"] },
  };
}

/**
 * An input template in AWS Chatbot's custom-notification format (version 1.0, source custom): Chatbot
 * posts only messages it recognises, and a plain string is not one. `<name>` placeholders are the
 * input paths; email subscribers get the same JSON, PagerDuty (critical topic) the same message.
 */
export function chatNotificationTemplate(content: { title: string; description: string; keywords: string[] }): string {
  return JSON.stringify({ version: "1.0", source: "custom", content: { textType: "client-markdown", ...content } });
}

/**
 * EventBridge rules: failures to the critical topic (stage, action, link), which the Slack channel
 * (AWS Chatbot) and PagerDuty both hear; successes to the warning topic (Slack and email, no page).
 */
export class PipelineEvents extends pulumi.ComponentResource {
  constructor(name: string, args: PipelineEventsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:pipeline:PipelineEvents", name, {}, opts);
    const parent = { parent: this };
    const link = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${args.pipelineName}/executions/<execution>/timeline?region=${args.region}`;

    const failed = new aws.cloudwatch.EventRule(
      `${name}-failed`,
      {
        description: "A pipeline action failed",
        eventPattern: pulumi.output(args.pipelineName).apply((p) => JSON.stringify(failedActionPattern(p))),
        tags: args.tags,
      },
      parent,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-failed-to-critical`,
      {
        rule: failed.name,
        arn: args.criticalTopicArn,
        inputTransformer: {
          inputPaths: {
            pipeline: "$.detail.pipeline",
            execution: "$.detail.execution-id",
            stage: "$.detail.stage",
            action: "$.detail.action",
            state: "$.detail.state",
          },
          inputTemplate: link.apply((l) =>
            chatNotificationTemplate({
              title: "Pipeline <pipeline> failed at stage <stage>",
              description: `Pipeline <pipeline> failed at stage <stage>, action <action> (<state>). ${l}`,
              keywords: ["<pipeline>", "FAILED"],
            }),
          ),
        },
      },
      parent,
    );

    const succeeded = new aws.cloudwatch.EventRule(
      `${name}-succeeded`,
      {
        description: "A pipeline execution succeeded",
        eventPattern: pulumi.output(args.pipelineName).apply((p) => JSON.stringify(succeededExecutionPattern(p))),
        tags: args.tags,
      },
      parent,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-succeeded-to-warning`,
      {
        rule: succeeded.name,
        arn: args.warningTopicArn,
        inputTransformer: {
          inputPaths: { pipeline: "$.detail.pipeline", execution: "$.detail.execution-id" },
          inputTemplate: link.apply((l) =>
            chatNotificationTemplate({
              title: "Pipeline <pipeline> succeeded",
              description: `Pipeline <pipeline> succeeded: execution <execution>. ${l}`,
              keywords: ["<pipeline>", "SUCCEEDED"],
            }),
          ),
        },
      },
      parent,
    );
    this.registerOutputs({});
  }
}
