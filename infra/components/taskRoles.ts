import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ecsTasksTrustPolicy, executionRolePolicy } from "./lib/policies";

export interface TaskRolesArgs {
  partition: string;
  region: string;
  accountId: pulumi.Input<string>;
  repositoryArn: pulumi.Input<string>;
  logGroupArn: pulumi.Input<string>;
  /** Container variable -> SSM parameter or Secrets Manager secret (name or ARN). @default {} */
  secrets?: Record<string, string>;
  tags: Record<string, string>;
}

/**
 * A service's two IAM roles, least privilege. The execution role (used by ECS to start the task)
 * pulls from the service's own repository, writes to its own log group and reads exactly its
 * secrets. The task role (the application's identity) has no permissions: grant what the
 * application needs explicitly. Both trust only ECS tasks of this account.
 */
export class TaskRoles extends pulumi.ComponentResource {
  public readonly taskRole: aws.iam.Role;
  public readonly executionRole: aws.iam.Role;
  public readonly taskRoleArn: pulumi.Output<string>;
  public readonly executionRoleArn: pulumi.Output<string>;
  /** The execution role's policy: depend on it before a task starts. */
  public readonly executionPolicy: aws.iam.RolePolicy;

  constructor(name: string, args: TaskRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:iam:TaskRoles", name, {}, opts);
    const parent = { parent: this };
    const ctx = pulumi.output(args.accountId).apply((accountId) => ({ partition: args.partition, region: args.region, accountId }));
    const trust = ctx.apply((c) => JSON.stringify(ecsTasksTrustPolicy(c)));

    this.taskRole = new aws.iam.Role(
      `${name}-task-role`,
      { assumeRolePolicy: trust, description: `${name}: the application's identity (no permissions by default).`, tags: args.tags },
      parent,
    );
    this.executionRole = new aws.iam.Role(
      `${name}-execution-role`,
      {
        assumeRolePolicy: trust,
        description: `${name}: lets ECS pull the image, write logs and read the service's secrets.`,
        tags: args.tags,
      },
      parent,
    );
    this.executionPolicy = new aws.iam.RolePolicy(
      `${name}-execution-policy`,
      {
        role: this.executionRole.id,
        policy: pulumi
          .all([ctx, args.repositoryArn, args.logGroupArn])
          .apply(([c, repositoryArn, logGroupArn]) =>
            JSON.stringify(executionRolePolicy({ ctx: c, repositoryArn, logGroupArn, secrets: args.secrets ?? {} })),
          ),
      },
      parent,
    );

    this.taskRoleArn = this.taskRole.arn;
    this.executionRoleArn = this.executionRole.arn;
    this.registerOutputs({ taskRoleArn: this.taskRoleArn, executionRoleArn: this.executionRoleArn });
  }
}
