import { CreateTopicCommand, type SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";

/** What SNS puts on a subscribed SQS queue (without raw delivery): its envelope around the message. */
export interface SnsEnvelope {
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { Value: string }>;
}

/** An SNS topic with an SQS queue subscribed to it, to see what was published (SNS -> SQS in moto). */
export interface TopicWithQueue {
  readonly arn: string;
  /** Up to 10 messages waiting in the queue, as SQS holds them (the envelope's JSON text). */
  bodies(): Promise<string[]>;
  /** The same messages, parsed. */
  read(): Promise<SnsEnvelope[]>;
}

/** Creates the topic `name` and the queue `name-q`, and subscribes the queue to the topic. */
export async function topicWithQueue(clients: { sns: SNSClient; sqs: SQSClient }, name: string): Promise<TopicWithQueue> {
  const { sns, sqs } = clients;
  const arn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn ?? "";
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-q` }))).QueueUrl ?? "";
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes
    ?.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: queueArn }));
  const bodies = async () => {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    return (out.Messages ?? []).map((m) => m.Body ?? "{}");
  };
  return { arn, bodies, read: async () => (await bodies()).map((body) => JSON.parse(body) as SnsEnvelope) };
}
