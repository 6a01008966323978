import { describe, expect, it } from "vitest";
import {
  bucketPolicy,
  ecsTasksTrustPolicy,
  environmentKeyPolicy,
  executionRolePolicy,
  secretReference,
  topicPolicy,
} from "../../infra/components/lib/policies";

const ctx = { partition: "aws", region: "eu-west-1", accountId: "111122223333" };

describe("secretReference", () => {
  it.each([
    {
      given: "/delivery/prod/api/database-url",
      kind: "ssm",
      valueFrom: "arn:aws:ssm:eu-west-1:111122223333:parameter/delivery/prod/api/database-url",
      resources: ["arn:aws:ssm:eu-west-1:111122223333:parameter/delivery/prod/api/database-url"],
    },
    {
      given: "prod/api/stripe-key",
      kind: "secretsmanager",
      valueFrom: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/api/stripe-key",
      resources: ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/api/stripe-key-??????"],
    },
    {
      given: "arn:aws:ssm:us-east-1:444455556666:parameter/shared/token",
      kind: "ssm",
      valueFrom: "arn:aws:ssm:us-east-1:444455556666:parameter/shared/token",
      resources: ["arn:aws:ssm:us-east-1:444455556666:parameter/shared/token"],
    },
    {
      given: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf:password::",
      kind: "secretsmanager",
      valueFrom: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf:password::",
      resources: [
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf",
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf-??????",
      ],
    },
  ])("resolves $given as $kind", ({ given, kind, valueFrom, resources }) => {
    expect(secretReference(given, ctx)).toEqual({ kind, valueFrom, resources });
  });
});

describe("executionRolePolicy", () => {
  const base = {
    ctx,
    repositoryArn: "arn:aws:ecr:eu-west-1:111122223333:repository/prod/delivery/api",
    logGroupArn: "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/delivery/prod/api",
  };

  it("pulls from its own repository and writes its own log group, nothing else, without secrets", () => {
    expect(executionRolePolicy({ ...base, secrets: {} })).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
          Sid: "EcrPull",
          Effect: "Allow",
          Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
          Resource: "arn:aws:ecr:eu-west-1:111122223333:repository/prod/delivery/api",
        },
        {
          Sid: "Logs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/delivery/prod/api:*",
        },
      ],
    });
  });

  it("reads exactly the service's SSM parameters and Secrets Manager secrets", () => {
    const doc = executionRolePolicy({
      ...base,
      secrets: { DB: "/delivery/prod/api/db", KEY: "prod/api/key", DB_AGAIN: "/delivery/prod/api/db" },
    });
    expect(doc.Statement.slice(3)).toEqual([
      {
        Sid: "SsmSecrets",
        Effect: "Allow",
        Action: "ssm:GetParameters",
        Resource: ["arn:aws:ssm:eu-west-1:111122223333:parameter/delivery/prod/api/db"],
      },
      {
        Sid: "SecretsManager",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/api/key-??????"],
      },
    ]);
  });
});

describe("trust, key, topic and bucket policies", () => {
  it("lets only this account's ECS tasks assume the task roles", () => {
    expect(ecsTasksTrustPolicy(ctx).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": "111122223333" },
          ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:111122223333:*" },
        },
      },
    ]);
  });

  it("lets CloudWatch and EventBridge use the environment key to publish to encrypted topics", () => {
    const statement = environmentKeyPolicy(ctx).Statement.find((s) => s.Sid === "AlarmsAndEventsPublishToEncryptedTopics");
    expect(statement).toEqual({
      Sid: "AlarmsAndEventsPublishToEncryptedTopics",
      Effect: "Allow",
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
    });
  });

  it("lets CloudWatch Logs use the key only for this account's log groups", () => {
    const statement = environmentKeyPolicy(ctx).Statement.find((s) => s.Sid === "CloudWatchLogsEncryptsThisAccountsLogGroups");
    expect(statement?.Principal).toEqual({ Service: "logs.eu-west-1.amazonaws.com" });
    expect(statement?.Condition).toEqual({
      ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:111122223333:log-group:*" },
    });
  });

  it("appends extra key statements after its own three", () => {
    const extra = {
      Sid: "Pipeline",
      Effect: "Allow" as const,
      Principal: { Service: "codepipeline.amazonaws.com" },
      Action: "kms:Decrypt",
      Resource: "*",
    };
    expect(environmentKeyPolicy(ctx, [extra]).Statement.map((s) => s.Sid)).toEqual([
      "AccountAdministersAndUsesTheKey",
      "AlarmsAndEventsPublishToEncryptedTopics",
      "CloudWatchLogsEncryptsThisAccountsLogGroups",
      "Pipeline",
    ]);
  });

  it("lets this account's alarms and events publish to a topic", () => {
    const statement = topicPolicy(ctx, "arn:aws:sns:eu-west-1:111122223333:alerts").Statement[1];
    expect(statement).toEqual({
      Sid: "AlarmsAndEventsPublish",
      Effect: "Allow",
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
      Action: "sns:Publish",
      Resource: "arn:aws:sns:eu-west-1:111122223333:alerts",
      Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } },
    });
  });

  it("denies plain HTTP on the bucket and its objects", () => {
    const [deny] = bucketPolicy("arn:aws:s3:::records").Statement;
    expect(deny.Effect).toBe("Deny");
    expect(deny.Resource).toEqual(["arn:aws:s3:::records", "arn:aws:s3:::records/*"]);
    expect(deny.Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
  });
});
