/**
 * Policy documents as plain data: IAM role policies, the environment's KMS key policy, the SNS topic
 * policy and S3 bucket policies. Built in code (no getPolicyDocument invoke) and tested without
 * Pulumi. Rule for every statement here, Allow or Deny: the action is never `*` or `service:*`
 * (ecr:GetAuthorizationToken needs Resource `*`; its action is still specific).
 */

export type Principal = "*" | { AWS?: string | string[]; Service?: string | string[] };

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Principal;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * A statement of a role's trust policy: who may assume the role. IAM rejects a trust policy with a
 * Resource element (MalformedPolicyDocument: "Has prohibited field Resource"), so it has none.
 */
export type TrustStatement = Omit<PolicyStatement, "Resource" | "Principal"> & { Principal: Principal };

export interface TrustPolicyDocument {
  Version: "2012-10-17";
  Statement: TrustStatement[];
}

/** Where the account's resources live: ARNs are built from these. */
export interface AccountContext {
  partition: string;
  region: string;
  accountId: string;
}

export function policy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

export function trustPolicy(...statements: TrustStatement[]): TrustPolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** Trust policy for task and execution roles: only ECS tasks of this account may assume them. */
export function ecsTasksTrustPolicy(ctx: AccountContext): TrustPolicyDocument {
  return trustPolicy({
    Effect: "Allow",
    Principal: { Service: "ecs-tasks.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: {
      StringEquals: { "aws:SourceAccount": ctx.accountId },
      ArnLike: { "aws:SourceArn": `arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:*` },
    },
  });
}

/** Trust policy of the AWS Chatbot channel role: only the Chatbot service assumes it. */
export function chatbotTrustPolicy(): TrustPolicyDocument {
  return trustPolicy({ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" });
}

/** The one permission the Chatbot channel role (and its guardrail) gets: AWS's read-only CloudWatch policy. */
export function cloudWatchReadOnlyPolicyArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/CloudWatchReadOnlyAccess`;
}

/**
 * The CloudWatch Logs resource policy that lets EventBridge write matched events into a log group
 * (what the console creates for a log-group target: events.amazonaws.com and delivery.logs.amazonaws.com).
 */
export function eventsToLogGroupPolicy(ctx: Pick<AccountContext, "accountId">, logGroupArn: string): PolicyDocument {
  return policy({
    Sid: "EventBridgeWritesMatchedEvents",
    Effect: "Allow",
    Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${logGroupArn}:*`,
    Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
  });
}

/** A secret a container reads: the ECS `valueFrom` and the IAM resources that grant reading it. */
export interface SecretReference {
  kind: "ssm" | "secretsmanager";
  valueFrom: string;
  resources: string[];
}

/**
 * Resolves a name from `secrets`: an ARN says its service; a name starting with `/` is an SSM
 * parameter; any other name is a Secrets Manager secret (its ARN ends in a random 6-character suffix,
 * hence the `-??????` resource).
 */
export function secretReference(nameOrArn: string, ctx: AccountContext): SecretReference {
  const arn = /^arn:[^:]+:(ssm|secretsmanager):/.exec(nameOrArn);
  if (arn?.[1] === "ssm") return { kind: "ssm", valueFrom: nameOrArn, resources: [nameOrArn] };
  if (arn?.[1] === "secretsmanager") {
    // Drop an ECS JSON-key / version suffix (`:key:stage:id`) to get the secret's own ARN.
    const base = nameOrArn.split(":").slice(0, 7).join(":");
    return { kind: "secretsmanager", valueFrom: nameOrArn, resources: [base, `${base}-??????`] };
  }
  if (nameOrArn.startsWith("/")) {
    const parameterArn = `arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:parameter${nameOrArn}`;
    return { kind: "ssm", valueFrom: parameterArn, resources: [parameterArn] };
  }
  const secretArn = `arn:${ctx.partition}:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${nameOrArn}`;
  return { kind: "secretsmanager", valueFrom: secretArn, resources: [`${secretArn}-??????`] };
}

/**
 * The execution role's policy: pull from its own ECR repository, write to its own log group, read
 * exactly the service's secrets. Nothing else.
 */
export function executionRolePolicy(args: {
  ctx: AccountContext;
  repositoryArn: string;
  logGroupArn: string;
  secrets: Record<string, string>;
}): PolicyDocument {
  const refs = Object.values(args.secrets).map((s) => secretReference(s, args.ctx));
  const ssm = refs.filter((r) => r.kind === "ssm").flatMap((r) => r.resources);
  const sm = refs.filter((r) => r.kind === "secretsmanager").flatMap((r) => r.resources);
  const statements: PolicyStatement[] = [
    // GetAuthorizationToken has no resource-level permissions: Resource must be "*".
    { Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "EcrPull",
      Effect: "Allow",
      Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      Resource: args.repositoryArn,
    },
    { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${args.logGroupArn}:*` },
  ];
  if (ssm.length > 0) statements.push({ Sid: "SsmSecrets", Effect: "Allow", Action: "ssm:GetParameters", Resource: unique(ssm) });
  if (sm.length > 0) {
    statements.push({ Sid: "SecretsManager", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: unique(sm) });
  }
  return policy(...statements);
}

/** Key administration and use for the account (through IAM), listed action by action. */
const KEY_ACCOUNT_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:CreateGrant",
  "kms:Decrypt",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListGrants",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:RetireGrant",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
];

/**
 * The environment key's policy: the account administers and uses it through IAM; CloudWatch alarms
 * and EventBridge may use it to publish to the encrypted topics (they cannot with alias/aws/sns);
 * CloudWatch Logs may use it for this account's log groups. `extra` is for later components (the
 * pipeline's services).
 */
export function environmentKeyPolicy(ctx: AccountContext, extra: PolicyStatement[] = []): PolicyDocument {
  return policy(
    {
      Sid: "AccountAdministersAndUsesTheKey",
      Effect: "Allow",
      Principal: { AWS: `arn:${ctx.partition}:iam::${ctx.accountId}:root` },
      Action: KEY_ACCOUNT_ACTIONS,
      Resource: "*",
    },
    {
      Sid: "AlarmsAndEventsPublishToEncryptedTopics",
      Effect: "Allow",
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
    },
    {
      Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
      Effect: "Allow",
      Principal: { Service: `logs.${ctx.region}.amazonaws.com` },
      Action: [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
      ],
      Resource: "*",
      Condition: {
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:*` },
      },
    },
    ...extra,
  );
}

/** An alert topic's policy: the account manages it; CloudWatch alarms and EventBridge of this account publish. */
export function topicPolicy(ctx: Pick<AccountContext, "partition" | "accountId">, topicArn: string): PolicyDocument {
  return policy(
    {
      Sid: "AccountManagesTheTopic",
      Effect: "Allow",
      Principal: { AWS: `arn:${ctx.partition}:iam::${ctx.accountId}:root` },
      Action: [
        "sns:AddPermission",
        "sns:DeleteTopic",
        "sns:GetTopicAttributes",
        "sns:ListSubscriptionsByTopic",
        "sns:Publish",
        "sns:RemovePermission",
        "sns:SetTopicAttributes",
        "sns:Subscribe",
      ],
      Resource: topicArn,
    },
    {
      Sid: "AlarmsAndEventsPublish",
      Effect: "Allow",
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
    },
  );
}

/** The S3 data actions a TLS-only policy denies over plain HTTP (listed: our policy check forbids `s3:*`, even in a Deny). */
export const S3_DATA_ACTIONS = [
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:GetObject",
  "s3:GetObjectAttributes",
  "s3:GetObjectVersion",
  "s3:ListBucket",
  "s3:ListBucketVersions",
  "s3:PutObject",
];

/** A bucket's policy: TLS only, plus `extra` statements (the ALB's log delivery). */
export function bucketPolicy(bucketArn: string, extra: PolicyStatement[] = []): PolicyDocument {
  return policy(
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: S3_DATA_ACTIONS,
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    ...extra,
  );
}

/**
 * Lets Elastic Load Balancing write access logs under `<prefix>/AWSLogs/<account>/`: the regional ELB
 * account (regions before August 2022) and the log delivery service principal (newer regions).
 */
export function albLogDeliveryStatement(args: {
  ctx: AccountContext;
  bucketArn: string;
  prefix: string;
  elbAccountArn: string;
}): PolicyStatement {
  return {
    Sid: "AlbLogDelivery",
    Effect: "Allow",
    Principal: { AWS: args.elbAccountArn, Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: `${args.bucketArn}/${args.prefix}/AWSLogs/${args.ctx.accountId}/*`,
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
