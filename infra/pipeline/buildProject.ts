import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { fitName } from "../components/lib/naming";
import { assumeRolePolicy, type PolicyDocument } from "./policies";

/** Where the buildspec files live (parsed and checked by the tests). */
export const BUILDSPEC_DIR = join(__dirname, "..", "..", "pipeline", "buildspecs");

export function readBuildspec(name: "build" | "test" | "deploy" | "validate"): string {
  return readFileSync(join(BUILDSPEC_DIR, `${name}.yml`), "utf8");
}

export interface EnvironmentVariable {
  name: string;
  value: pulumi.Input<string>;
  /** PLAINTEXT, or SECRETS_MANAGER with the secret's name as value (CodeBuild resolves it). @default PLAINTEXT */
  type?: "PLAINTEXT" | "SECRETS_MANAGER" | "PARAMETER_STORE";
}

export interface BuildProjectArgs {
  buildspec: string;
  image: string;
  /** Docker builds need it; nothing else gets it. @default false */
  privileged?: boolean;
  environment: EnvironmentVariable[];
  /** The role's permissions, given the project's own log group ARN. */
  policy: (logGroupArn: pulumi.Output<string>) => PolicyDocument;
  artifactKeyArn: pulumi.Input<string>;
  logRetentionDays: number;
  /** Encrypt the project's log group with this key. @default CloudWatch Logs' own encryption */
  logKmsKeyArn?: pulumi.Input<string>;
  /** @default 30 */
  timeoutMinutes?: number;
  /** Roles that may assume this project's role (the validate role assumes the deploy role). @default [] */
  trustedRoleArns?: pulumi.Input<string>[];
  tags: Record<string, string>;
}

/** The IAM role name of a project: fixed, so other policies can name it before it exists. */
export function projectRoleName(projectName: string): string {
  return fitName(`${projectName}-role`, 64);
}

/** A CodeBuild project with its own role and log group: one role per project, scoped to what it touches. */
export class BuildProject extends pulumi.ComponentResource {
  public readonly name: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: BuildProjectArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:pipeline:BuildProject", name, {}, opts);
    const parent = { parent: this };
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/codebuild/${name}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.logKmsKeyArn, tags: args.tags },
      parent,
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: projectRoleName(name),
        assumeRolePolicy: pulumi.jsonStringify(assumeRolePolicy("codebuild.amazonaws.com", args.trustedRoleArns ?? [])),
        tags: args.tags,
      },
      parent,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-policy`,
      { role: role.id, policy: pulumi.jsonStringify(args.policy(logGroup.arn)) },
      parent,
    );
    const project = new aws.codebuild.Project(
      name,
      {
        name,
        serviceRole: role.arn,
        encryptionKey: args.artifactKeyArn,
        buildTimeout: args.timeoutMinutes ?? 30,
        source: { type: "CODEPIPELINE", buildspec: args.buildspec },
        artifacts: { type: "CODEPIPELINE" },
        environment: {
          type: "LINUX_CONTAINER",
          computeType: "BUILD_GENERAL1_SMALL",
          image: args.image,
          imagePullCredentialsType: "CODEBUILD",
          privilegedMode: args.privileged ?? false,
          environmentVariables: args.environment.map((v) => ({ name: v.name, value: v.value, type: v.type ?? "PLAINTEXT" })),
        },
        logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: logGroup.name } },
        tags: args.tags,
      },
      { parent: this, dependsOn: [rolePolicy] },
    );
    this.name = project.name;
    this.arn = project.arn;
    this.roleArn = role.arn;
    this.registerOutputs({ name: this.name, arn: this.arn, roleArn: this.roleArn });
  }
}
