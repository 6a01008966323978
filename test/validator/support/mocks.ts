import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CodePipelineClient } from "@aws-sdk/client-codepipeline";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECRClient } from "@aws-sdk/client-ecr";
import type { Deployment, Service, Task } from "@aws-sdk/client-ecs";
import { ECSClient } from "@aws-sdk/client-ecs";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import type { AwsClients } from "../../../validators/providers/aws/clients";
import type { EcsManifestService } from "../../../contract/manifest";

/** Real client instances whose `send` is stubbed: every call must be arranged, nothing reaches a network. */
export interface MockedAws {
  clients: AwsClients;
  ecs: AwsClientStub<ECSClient>;
  cloudwatch: AwsClientStub<CloudWatchClient>;
  logs: AwsClientStub<CloudWatchLogsClient>;
  ecr: AwsClientStub<ECRClient>;
  ssm: AwsClientStub<SSMClient>;
}

export function mockedAws(): MockedAws {
  const config = { region: "eu-west-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } };
  const clients: AwsClients = {
    ecs: new ECSClient(config),
    cloudwatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
    ecr: new ECRClient(config),
    ssm: new SSMClient(config),
    sns: new SNSClient(config),
    s3: new S3Client(config),
    dynamodb: new DynamoDBClient(config),
    codepipeline: new CodePipelineClient(config),
  };
  return {
    clients,
    ecs: mockClient(clients.ecs),
    cloudwatch: mockClient(clients.cloudwatch),
    logs: mockClient(clients.logs),
    ecr: mockClient(clients.ecr),
    ssm: mockClient(clients.ssm),
  };
}

export const DEPLOYED_AT = new Date("2025-03-01T12:00:00Z");
export const NOW = new Date("2025-03-01T12:10:00Z");

/** An ECS service as DescribeServices returns it, for a manifest service; deployment fields can be overridden. */
export function ecsService(s: EcsManifestService, deployment: Partial<Deployment> = {}, desired = 3): Service {
  return {
    serviceName: s.ecsService,
    status: "ACTIVE",
    desiredCount: desired,
    runningCount: deployment.runningCount ?? desired,
    deployments: [
      {
        id: `ecs-svc/${s.name}1`,
        status: "PRIMARY",
        taskDefinition: s.taskDefinitionArn,
        desiredCount: desired,
        runningCount: desired,
        pendingCount: 0,
        failedTasks: 0,
        rolloutState: "COMPLETED",
        rolloutStateReason: "ECS deployment completed.",
        createdAt: DEPLOYED_AT,
        ...deployment,
      },
    ],
  };
}

/** A task of the service's group; fields can be overridden. */
export function ecsTask(s: EcsManifestService, id: string, overrides: Partial<Task> = {}): Task {
  return {
    taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/delivery-staging/${id}`,
    group: `service:${s.ecsService}`,
    taskDefinitionArn: s.taskDefinitionArn,
    lastStatus: "RUNNING",
    desiredStatus: "RUNNING",
    healthStatus: "HEALTHY",
    containers: [{ name: "app", lastStatus: "RUNNING" }],
    ...overrides,
  };
}
