import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { stackParameterPath } from "../../contract/names";
import type { PipelineConfig } from "../config";
import { SecureBucket } from "../components/secureBucket";
import { BuildProject, projectRoleName, readBuildspec } from "./buildProject";
import { PipelineEvents } from "./pipelineEvents";
import { buildPolicy, deployPolicy, pipelinePolicy, testPolicy, validatePolicy, type ValidatorScope } from "./policies";
import { pipelineStages } from "./stages";

/**
 * The validate project's timeout: an hour, or long enough to watch every progressive deployment
 * through its steps (with their extensions) plus half an hour for the final validation.
 */
export function validateTimeoutMinutes(progressiveMinutes?: number): number {
  return Math.min(2160, Math.max(60, (progressiveMinutes ?? 0) + 30));
}

/**
 * The Deploy stage's CodeBuild timeout: `deployctl deploy` takes the services one at a time, each a stack
 * update and a validation (with its progressive watch), and may roll them all back: 30 minutes a service
 * plus the longest watch, at least 60, at most CodeBuild's 2160.
 */
export function deployTimeoutMinutes(services: number, progressiveMinutes?: number): number {
  return Math.min(2160, Math.max(60, services * 30 + (progressiveMinutes ?? 0)));
}

/** What the pipeline needs to know of one service. */
export interface PipelineService {
  name: string;
  repositoryUrl: pulumi.Input<string>;
  repositoryArn: pulumi.Input<string>;
  ecsServiceArn: pulumi.Input<string>;
  logGroupArn: pulumi.Input<string>;
  taskRoleArn: pulumi.Input<string>;
  executionRoleArn: pulumi.Input<string>;
  /** A service with a migration: its log group (deploy reads the tail of a failed run). */
  migrationLogGroupArn?: pulumi.Input<string>;
}

export interface DeliveryPipelineArgs {
  /** The CodePipeline's name (`deployctl pipeline status` looks for `<project>-<stack>`). */
  pipelineName: string;
  project: string;
  stack: string;
  config: PipelineConfig;
  services: PipelineService[];
  clusterArn: pulumi.Input<string>;
  warningTopicArn: pulumi.Input<string>;
  criticalTopicArn: pulumi.Input<string>;
  /** The environment's KMS key: artifacts, build outputs and the approval topic are encrypted with it. */
  kmsKeyArn: pulumi.Input<string>;
  /** Run records bucket and lock table, when the stack has them. */
  recordBucketArn?: pulumi.Input<string>;
  lockTableArn?: pulumi.Input<string>;
  logRetentionDays: number;
  /**
   * Services that deploy progressively: the validate step drives their traffic steps and may stop an
   * ECS deployment; the deploy role passes ECS's own roles. @default none
   */
  progressive?: { infrastructureRoleArn: pulumi.Input<string>; hookRoleArn: pulumi.Input<string>; maxMinutes: number };
  /** Encrypt the CodeBuild log groups with the environment key (prod). @default false */
  encryptLogs?: boolean;
  /** Let `pulumi destroy` empty the artifact bucket: the tier rule (never in prod). @default false */
  forceDestroy?: boolean;
  tags: Record<string, string>;
}

/**
 * The environment's CodePipeline (V2): source, build (one project per service), test (one per suite,
 * in parallel), approval where required, deploy (`pulumi up` with the new tags) and validate
 * (`deployctl validate --rollback`), with EventBridge rules sending failures and successes to SNS.
 */
export class DeliveryPipeline extends pulumi.ComponentResource {
  public readonly pipelineName: pulumi.Output<string>;
  public readonly pipelineArn: pulumi.Output<string>;
  public readonly artifactBucket: pulumi.Output<string>;

  constructor(name: string, args: DeliveryPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:pipeline:DeliveryPipeline", name, {}, opts);
    const parent = { parent: this };
    const { config } = args;
    const identity = aws.getCallerIdentityOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const roleArn = (projectName: string) =>
      pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:role/${projectRoleName(projectName)}`;

    const keyArn = pulumi.output(args.kmsKeyArn);
    const artifacts = new SecureBucket(
      `${name}-artifacts`,
      { kmsKeyArn: keyArn, versioned: true, expireDays: 30, noncurrentDays: 7, forceDestroy: args.forceDestroy ?? false, tags: args.tags },
      parent,
    );

    const connectionArn = config.source.kind === "connection" ? config.source.connectionArn : undefined;
    const common = (logGroupArn: pulumi.Output<string>) => ({
      logGroupArn,
      artifactBucketArn: artifacts.arn,
      artifactKeyArn: keyArn,
      connectionArn,
    });
    const projectArgs = {
      image: config.buildImage,
      artifactKeyArn: keyArn,
      logRetentionDays: args.logRetentionDays,
      logKmsKeyArn: args.encryptLogs ? keyArn : undefined,
      tags: args.tags,
    };
    const baseEnv = [
      { name: "PROJECT", value: args.project },
      { name: "STACK", value: args.stack },
      { name: "ANALYSIS_RULES", value: JSON.stringify(config.analysis) },
    ];
    const tokenEnv = { name: "PULUMI_ACCESS_TOKEN", value: config.pulumiAccessTokenSecret, type: "SECRETS_MANAGER" as const };
    const tokenSecretArn = pulumi.interpolate`arn:${partition.partition}:secretsmanager:${region.region}:${identity.accountId}:secret:${config.pulumiAccessTokenSecret}-*`;

    const builds = args.services.map(
      (svc) =>
        new BuildProject(
          `${name}-build-${svc.name}`,
          {
            ...projectArgs,
            tags: { ...args.tags, service: svc.name },
            buildspec: readBuildspec("build"),
            privileged: true,
            environment: [...baseEnv, { name: "SERVICE_NAME", value: svc.name }, { name: "ECR_REPOSITORY_URI", value: svc.repositoryUrl }],
            policy: (logGroupArn) => buildPolicy({ ...common(logGroupArn), repositoryArn: svc.repositoryArn }),
          },
          parent,
        ),
    );
    const suites = config.testSuites.map(
      (suite) =>
        new BuildProject(
          `${name}-test-${suite.name}`,
          {
            ...projectArgs,
            buildspec: readBuildspec("test"),
            environment: [
              ...baseEnv,
              { name: "SUITE_NAME", value: suite.name },
              { name: "SUITE_KIND", value: suite.kind },
              { name: "SUITE_COMMANDS", value: JSON.stringify(suite.commands) },
              { name: "SUITE_CRITICAL", value: String(suite.critical) },
            ],
            policy: (logGroupArn) => testPolicy(common(logGroupArn)),
          },
          parent,
        ),
    );
    const validator = (logGroupArn: pulumi.Output<string>): ValidatorScope => ({
      ...common(logGroupArn),
      clusterArn: args.clusterArn,
      serviceArns: args.services.map((s) => s.ecsServiceArn),
      serviceLogGroupArns: args.services.map((s) => s.logGroupArn),
      topicArns: [args.warningTopicArn, args.criticalTopicArn],
      parameterPathArn: pulumi.interpolate`arn:${partition.partition}:ssm:${region.region}:${identity.accountId}:parameter${stackParameterPath(args.stack)}*`,
      recordBucketArn: args.recordBucketArn,
      lockTableArn: args.lockTableArn,
      progressive: args.progressive !== undefined,
    });
    const deployName = `${name}-deploy`;
    const validateName = `${name}-validate`;
    const validate = new BuildProject(
      validateName,
      {
        ...projectArgs,
        buildspec: readBuildspec("validate"),
        environment: [...baseEnv, tokenEnv, { name: "DEPLOY_ROLE_ARN", value: roleArn(deployName) }],
        timeoutMinutes: validateTimeoutMinutes(args.progressive?.maxMinutes),
        policy: (logGroupArn) => validatePolicy({ ...validator(logGroupArn), tokenSecretArn, deployRoleArn: roleArn(deployName) }),
      },
      parent,
    );

    const deploy = new BuildProject(
      deployName,
      {
        ...projectArgs,
        buildspec: readBuildspec("deploy"),
        environment: [...baseEnv, tokenEnv],
        // The validate role itself (not its ARN built from the name): IAM rejects a trust policy naming
        // a role that does not exist yet ("Invalid principal in policy"), so the validate role comes first.
        trustedRoleArns: [validate.roleArn],
        // deployctl deploy updates and validates one service after another.
        timeoutMinutes: deployTimeoutMinutes(args.services.length, args.progressive?.maxMinutes),
        policy: (logGroupArn) =>
          deployPolicy({
            ...validator(logGroupArn),
            tokenSecretArn,
            repositoryArns: args.services.map((s) => s.repositoryArn),
            passRoleArns: args.services.flatMap((s) => [s.taskRoleArn, s.executionRoleArn]),
            migrationLogGroupArns: args.services.flatMap((s) => (s.migrationLogGroupArn ? [s.migrationLogGroupArn] : [])),
            ecsRoleArns: args.progressive ? [args.progressive.infrastructureRoleArn, args.progressive.hookRoleArn] : undefined,
          }),
      },
      parent,
    );

    let approvalTopicArn: pulumi.Output<string> | undefined;
    if (config.requireApproval) {
      const topic = new aws.sns.Topic(`${name}-approvals`, { kmsMasterKeyId: keyArn, tags: args.tags }, parent);
      config.approvers.forEach(
        (email, i) =>
          new aws.sns.TopicSubscription(`${name}-approver-${i}`, { topic: topic.arn, protocol: "email", endpoint: email }, parent),
      );
      approvalTopicArn = topic.arn;
    }

    const sourceBucket = config.source.kind === "s3" ? config.source.bucket : undefined;
    const sourceBucketArn = sourceBucket ? pulumi.interpolate`arn:${partition.partition}:s3:::${sourceBucket}` : undefined;
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "codepipeline.amazonaws.com" }, Action: ["sts:AssumeRole"] }],
        }),
        tags: args.tags,
      },
      parent,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi.jsonStringify(
          pipelinePolicy({
            artifactBucketArn: artifacts.arn,
            artifactKeyArn: keyArn,
            projectArns: [...builds, ...suites, deploy, validate].map((p) => p.arn),
            connectionArn,
            sourceBucketArn,
            approvalTopicArn,
          }),
        ),
      },
      parent,
    );

    const pipeline = new aws.codepipeline.Pipeline(
      name,
      {
        name: args.pipelineName,
        pipelineType: "V2",
        executionMode: "QUEUED",
        roleArn: role.arn,
        artifactStores: [{ location: artifacts.bucketName, type: "S3", encryptionKey: { id: keyArn, type: "KMS" } }],
        stages: pipelineStages({
          source: config.source,
          builds: args.services.map((s, i) => ({ service: s.name, project: builds[i].name })),
          suites: config.testSuites.map((s, i) => ({ suite: s.name, project: suites[i].name })),
          approval: approvalTopicArn ? { topicArn: approvalTopicArn, stack: args.stack } : undefined,
          deployProject: deploy.name,
          validateProject: validate.name,
        }),
        tags: args.tags,
      },
      { parent: this, dependsOn: [rolePolicy] },
    );

    new PipelineEvents(
      `${name}-events`,
      {
        pipelineName: pipeline.name,
        region: region.region,
        criticalTopicArn: args.criticalTopicArn,
        warningTopicArn: args.warningTopicArn,
        tags: args.tags,
      },
      parent,
    );

    this.pipelineName = pipeline.name;
    this.pipelineArn = pipeline.arn;
    this.artifactBucket = artifacts.bucketName;
    this.registerOutputs({ pipelineName: this.pipelineName, pipelineArn: this.pipelineArn, artifactBucket: this.artifactBucket });
  }
}
