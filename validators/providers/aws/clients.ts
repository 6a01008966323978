import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CodePipelineClient } from "@aws-sdk/client-codepipeline";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { acceptIsoTimes } from "./isoTimes";

/** How deployctl talks to AWS: one place for region, endpoint, retries and timeouts. */
export interface AwsClientOptions {
  region: string;
  /** Send every call here (moto, LocalStack). Also read from AWS_ENDPOINT_URL by the caller. */
  endpoint?: string;
  /** Total attempts per call, the SDK's standard retry mode (throttling and 5xx are retried). @default 3 */
  maxAttempts?: number;
  /** Socket / request timeout per attempt in milliseconds. @default 10000 */
  requestTimeoutMs?: number;
  /** Connection timeout in milliseconds. @default 3000 */
  connectionTimeoutMs?: number;
  /** Explicit credentials (tests); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The AWS clients deployctl uses, injected into every module that calls AWS. */
export interface AwsClients {
  ecs: ECSClient;
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
  ecr: ECRClient;
  ssm: SSMClient;
  sns: SNSClient;
  s3: S3Client;
  dynamodb: DynamoDBClient;
  codepipeline: CodePipelineClient;
}

/** The common configuration every client is built with. */
export function clientConfig(options: AwsClientOptions) {
  return {
    region: options.region,
    endpoint: options.endpoint,
    maxAttempts: options.maxAttempts ?? 3,
    retryMode: "standard" as const,
    credentials: options.credentials,
    requestHandler: new NodeHttpHandler({
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      // Without this the SDK only warns when a request outlasts requestTimeout and waits forever
      // on an endpoint that accepts the connection and never answers.
      throwOnRequestTimeout: true,
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    }),
  };
}

export function createAwsClients(options: AwsClientOptions): AwsClients {
  const config = clientConfig(options);
  return {
    ecs: new ECSClient(config),
    cloudwatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
    ecr: new ECRClient(config),
    ssm: new SSMClient(config),
    sns: new SNSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: options.endpoint !== undefined }),
    dynamodb: new DynamoDBClient(config),
    codepipeline: acceptIsoTimes(new CodePipelineClient(config)),
  };
}
