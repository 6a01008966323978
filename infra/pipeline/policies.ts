import * as pulumi from "@pulumi/pulumi";
import { DELIVERY_NAMESPACE } from "../../contract/deliveryMetrics";

/**
 * IAM policy documents for the pipeline's roles, as plain functions of the ARNs they scope to.
 * No statement uses a `*` action; `Resource: "*"` appears only for actions AWS does not scope to a
 * resource (ecr:GetAuthorizationToken, cloudwatch:GetMetricData, ecs:RegisterTaskDefinition...).
 */
export interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: pulumi.Input<string> | pulumi.Input<string>[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

export function policy(statements: Statement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** Trust policy letting an AWS service (and, when given, some roles) assume the role. */
export function assumeRolePolicy(service: string, roleArns: pulumi.Input<string>[] = []): Record<string, unknown> {
  const statements: Record<string, unknown>[] = [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole"] }];
  if (roleArns.length > 0) statements.push({ Effect: "Allow", Principal: { AWS: roleArns }, Action: ["sts:AssumeRole"] });
  return { Version: "2012-10-17", Statement: statements };
}

/** What every CodeBuild project needs: its own log group, the artifact bucket and key, the source connection. */
export interface CommonScope {
  logGroupArn: pulumi.Input<string>;
  artifactBucketArn: pulumi.Input<string>;
  artifactKeyArn: pulumi.Input<string>;
  connectionArn?: string;
}

export function commonStatements(s: CommonScope): Statement[] {
  const out: Statement[] = [
    {
      Sid: "Logs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [s.logGroupArn, pulumi.interpolate`${s.logGroupArn}:*`],
    },
    {
      Sid: "Artifacts",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketLocation"],
      Resource: [s.artifactBucketArn, pulumi.interpolate`${s.artifactBucketArn}/*`],
    },
    { Sid: "ArtifactKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: s.artifactKeyArn },
  ];
  if (s.connectionArn) {
    out.push({
      Sid: "SourceConnection",
      Effect: "Allow",
      Action: ["codeconnections:UseConnection", "codestar-connections:UseConnection"],
      Resource: s.connectionArn,
    });
  }
  return out;
}

/** The build project of one service: push to that service's repository only. Privileged (docker). */
export function buildPolicy(s: CommonScope & { repositoryArn: pulumi.Input<string> }): PolicyDocument {
  return policy([
    ...commonStatements(s),
    { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
    {
      Sid: "EcrPush",
      Effect: "Allow",
      Action: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:CompleteLayerUpload",
        "ecr:DescribeImages",
        "ecr:GetDownloadUrlForLayer",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
      ],
      Resource: s.repositoryArn,
    },
  ]);
}

/** A test suite: read the source, write its logs and reports; nothing else. */
export function testPolicy(s: CommonScope): PolicyDocument {
  return policy(commonStatements(s));
}

export interface DeployScope extends ValidatorScope {
  tokenSecretArn: pulumi.Input<string>;
  passRoleArns: pulumi.Input<string>[];
  /** The services' ECR repositories: the gate checks that the tag to deploy exists. */
  repositoryArns: pulumi.Input<string>[];
  /** The roles ECS itself uses for progressive deployments (listener rules, the lifecycle hook). */
  ecsRoleArns?: pulumi.Input<string>[];
  /** The migration tasks' log groups: deploy runs migrations (RunTask) and reads a failed run's log tail. @default none */
  migrationLogGroupArns?: pulumi.Input<string>[];
}

/** Running migrations before their services: one-off tasks in the stack's cluster, stopped on timeout; their log tail. */
function migrationStatements(s: DeployScope): Statement[] {
  if (!s.migrationLogGroupArns || s.migrationLogGroupArns.length === 0) return [];
  return [
    {
      Sid: "MigrationTasks",
      Effect: "Allow",
      Action: ["ecs:RunTask", "ecs:StopTask"],
      Resource: "*",
      Condition: { ArnEquals: { "ecs:cluster": s.clusterArn } },
    },
    {
      Sid: "MigrationLogs",
      Effect: "Allow",
      Action: ["logs:GetLogEvents"],
      Resource: s.migrationLogGroupArns.flatMap((arn) => [arn, pulumi.interpolate`${arn}:*`]),
    },
  ];
}

/**
 * The deploy project: the only role that changes the stack's resources. It runs `deployctl deploy`: the
 * gate (the tag in ECR, no alarm firing), then per service a stack update (`pulumi up` registers task
 * definitions and updates services; it passes only the services' task and execution roles), validation,
 * release records and the rollback of what it deployed: so it also holds what the validator reads and
 * writes (validatorStatements). It reads the Pulumi token from its secret.
 */
export function deployPolicy(s: DeployScope): PolicyDocument {
  return policy([
    ...commonStatements(s),
    ...validatorStatements(s),
    { Sid: "GateImages", Effect: "Allow", Action: ["ecr:DescribeImages"], Resource: s.repositoryArns },
    { Sid: "PulumiToken", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: s.tokenSecretArn },
    // The program's own lookups, made on every `pulumi up` (the Network component's availability zones).
    // AWS has no resource-level permission for it.
    { Sid: "ProgramLookups", Effect: "Allow", Action: ["ec2:DescribeAvailabilityZones"], Resource: "*" },
    {
      Sid: "TaskDefinitions",
      Effect: "Allow",
      Action: ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition"],
      Resource: "*",
    },
    // Tagging takes resource ARNs: the account's task definitions (registered with tags) and the stack's services.
    {
      Sid: "TagTaskDefinitionsAndServices",
      Effect: "Allow",
      Action: ["ecs:TagResource"],
      Resource: [
        pulumi.interpolate`${pulumi.output(s.clusterArn).apply((arn) => arn.replace(/:cluster\/.*$/, ":task-definition"))}/*`,
        ...s.serviceArns,
      ],
    },
    {
      Sid: "PassTaskRoles",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: s.passRoleArns,
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
    ...migrationStatements(s),
    ...(s.ecsRoleArns && s.ecsRoleArns.length > 0
      ? [
          {
            Sid: "PassProgressiveDeploymentRoles",
            Effect: "Allow" as const,
            Action: ["iam:PassRole"],
            Resource: s.ecsRoleArns,
            Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
          },
        ]
      : []),
  ]);
}

/** What deployctl reads and writes while it judges a release: the stack's services, metrics, logs, releases, alerts. */
export interface ValidatorScope extends CommonScope {
  clusterArn: pulumi.Input<string>;
  serviceArns: pulumi.Input<string>[];
  serviceLogGroupArns: pulumi.Input<string>[];
  topicArns: pulumi.Input<string>[];
  parameterPathArn: pulumi.Input<string>;
  recordBucketArn?: pulumi.Input<string>;
  lockTableArn?: pulumi.Input<string>;
  /** Some services deploy progressively: the validator drives and stops ECS service deployments. */
  progressive?: boolean;
}

export interface ValidateScope extends ValidatorScope {
  tokenSecretArn: pulumi.Input<string>;
  deployRoleArn: pulumi.Input<string>;
}

/**
 * The validate project: reads what the validator checks, records releases, alerts, and rolls back:
 * UpdateService to the last good task definition (fast path) and the deploy role for the stack update.
 */
export function validatePolicy(s: ValidateScope): PolicyDocument {
  return policy([
    ...commonStatements(s),
    { Sid: "PulumiToken", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: s.tokenSecretArn },
    ...validatorStatements(s),
    { Sid: "StackUpdate", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: s.deployRoleArn },
  ]);
}

/** validate and deploy alike: read the services, tasks, metrics and logs; publish delivery metrics; record releases and runs; alert; the fast rollback. */
export function validatorStatements(s: ValidatorScope): Statement[] {
  const statements: Statement[] = [
    {
      Sid: "EcsRead",
      Effect: "Allow",
      Action: ["ecs:ListTasks", "ecs:DescribeTasks"],
      Resource: "*",
      Condition: { ArnEquals: { "ecs:cluster": s.clusterArn } },
    },
    { Sid: "EcsServices", Effect: "Allow", Action: ["ecs:DescribeServices", "ecs:UpdateService"], Resource: s.serviceArns },
    { Sid: "TaskDefinitionRead", Effect: "Allow", Action: ["ecs:DescribeTaskDefinition"], Resource: "*" },
    { Sid: "Metrics", Effect: "Allow", Action: ["cloudwatch:GetMetricData", "cloudwatch:DescribeAlarms"], Resource: "*" },
    // deployctl's delivery metrics at the end of each run; PutMetricData has no resource type, so it is
    // scoped by namespace: this role can publish into Delivery and nothing else.
    {
      Sid: "DeliveryMetrics",
      Effect: "Allow",
      Action: ["cloudwatch:PutMetricData"],
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": DELIVERY_NAMESPACE } },
    },
    // FilterLogEvents is authorised on `<log group ARN>:*` (AWS checks `...:log-group:<name>:log-stream:`):
    // the bare group ARN alone is denied.
    {
      Sid: "ServiceLogs",
      Effect: "Allow",
      Action: ["logs:FilterLogEvents"],
      Resource: s.serviceLogGroupArns.flatMap((arn) => [arn, pulumi.interpolate`${arn}:*`]),
    },
    {
      Sid: "Releases",
      Effect: "Allow",
      Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:PutParameter"],
      Resource: s.parameterPathArn,
    },
    { Sid: "Alerts", Effect: "Allow", Action: ["sns:Publish"], Resource: s.topicArns },
  ];
  if (s.progressive) {
    const inCluster = (kind: string) =>
      pulumi.interpolate`${pulumi.output(s.clusterArn).apply((arn) => arn.replace(":cluster/", `:${kind}/`))}/*`;
    statements.push(
      { Sid: "ServiceDeploymentsList", Effect: "Allow", Action: ["ecs:ListServiceDeployments"], Resource: s.serviceArns },
      {
        Sid: "ServiceDeploymentsDrive",
        Effect: "Allow",
        Action: ["ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment"],
        Resource: inCluster("service-deployment"),
      },
      { Sid: "ServiceRevisions", Effect: "Allow", Action: ["ecs:DescribeServiceRevisions"], Resource: inCluster("service-revision") },
    );
  }
  if (s.recordBucketArn) {
    statements.push({
      Sid: "RunRecords",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
      Resource: [s.recordBucketArn, pulumi.interpolate`${s.recordBucketArn}/*`],
    });
  }
  if (s.lockTableArn) {
    statements.push({
      Sid: "StackLock",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
      Resource: s.lockTableArn,
    });
  }
  return statements;
}

/** The pipeline itself: run its CodeBuild projects, use the artifact bucket and key, the source, approvals. */
export function pipelinePolicy(s: {
  artifactBucketArn: pulumi.Input<string>;
  artifactKeyArn: pulumi.Input<string>;
  projectArns: pulumi.Input<string>[];
  connectionArn?: string;
  sourceBucketArn?: pulumi.Input<string>;
  approvalTopicArn?: pulumi.Input<string>;
}): PolicyDocument {
  const statements: Statement[] = [
    {
      Sid: "Artifacts",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketVersioning"],
      Resource: [s.artifactBucketArn, pulumi.interpolate`${s.artifactBucketArn}/*`],
    },
    { Sid: "ArtifactKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: s.artifactKeyArn },
    { Sid: "Builds", Effect: "Allow", Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds"], Resource: s.projectArns },
  ];
  if (s.connectionArn) {
    statements.push({
      Sid: "SourceConnection",
      Effect: "Allow",
      Action: ["codeconnections:UseConnection", "codestar-connections:UseConnection"],
      Resource: s.connectionArn,
    });
  }
  if (s.sourceBucketArn) {
    statements.push({
      Sid: "SourceBucket",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketVersioning"],
      Resource: [s.sourceBucketArn, pulumi.interpolate`${s.sourceBucketArn}/*`],
    });
  }
  if (s.approvalTopicArn) {
    statements.push({ Sid: "ApprovalNotice", Effect: "Allow", Action: ["sns:Publish"], Resource: s.approvalTopicArn });
  }
  return policy(statements);
}
