import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { alertText, snsSubject } from "./message";
import { type Alert, type AlertChannel, type ChannelResult, ChannelError } from "./types";

/**
 * The manifest's SNS topics: warnings to the warning topic, critical alerts to the critical topic.
 * The message is the plain-text alert; severity, stack and service also travel as message
 * attributes so subscriptions can filter on them.
 */
export class SnsChannel implements AlertChannel {
  readonly name = "sns";

  constructor(
    private readonly sns: SNSClient,
    private readonly topics: { warningTopicArn: string; criticalTopicArn: string },
  ) {}

  async send(alert: Alert): Promise<ChannelResult> {
    const topic = alert.severity === "critical" ? this.topics.criticalTopicArn : this.topics.warningTopicArn;
    try {
      const out = await this.sns.send(
        new PublishCommand({
          TopicArn: topic,
          Subject: snsSubject(alert),
          Message: alertText(alert),
          MessageAttributes: {
            severity: { DataType: "String", StringValue: alert.severity },
            stack: { DataType: "String", StringValue: alert.stack },
            service: { DataType: "String", StringValue: alert.service },
          },
        }),
      );
      return {
        status: "ok",
        message: `published ${alert.severity} alert for ${alert.stack}/${alert.service} to ${topic} (message ${out.MessageId ?? "?"})`,
      };
    } catch (err) {
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new ChannelError(this.name, `sns publish to ${topic} failed: ${reason}`, { cause: err });
    }
  }
}
