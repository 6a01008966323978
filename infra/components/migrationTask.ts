import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { MigrationConfig, ServiceConfig } from "../config";
import { secretReference } from "./lib/policies";

/** The container name in a migration task definition (its command is what deployctl overrides). */
export const MIGRATION_CONTAINER = "migration";
/** The awslogs stream prefix of a migration task: its stream is `migration/migration/<task id>`. */
export const MIGRATION_STREAM_PREFIX = "migration";

export interface MigrationTaskArgs {
  project: string;
  stack: string;
  /** The service the migration belongs to (its environment, secrets, size). */
  service: Pick<ServiceConfig, "name" | "image" | "cpu" | "memory" | "environment" | "secrets" | "readonlyRootFilesystem">;
  migration: MigrationConfig;
  region: string;
  partition: string;
  accountId: pulumi.Input<string>;
  /** The service's repository URL: the migration runs the same image. */
  repositoryUrl: pulumi.Input<string>;
  /** The service's roles: the migration reads the same secrets and acts as the same application. */
  executionRole: aws.iam.Role;
  taskRoleArn: pulumi.Input<string>;
  logGroupName: string;
  logRetentionDays: number;
  /** Encrypt the log group with this key. @default CloudWatch Logs' own encryption */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Keep the log group when the stack is destroyed. @default false */
  retainLogs?: boolean;
  tags: Record<string, string>;
}

/** The migration's one container as plain data: the service's environment plus the migration's, its secrets, its own logs. */
export function migrationContainer(input: {
  service: MigrationTaskArgs["service"];
  migration: MigrationConfig;
  image: string;
  logGroup: string;
  region: string;
  secrets: Record<string, string>;
}) {
  const environment = { ...input.service.environment, ...input.migration.environment };
  return {
    name: MIGRATION_CONTAINER,
    image: input.migration.image ?? input.image,
    essential: true,
    command: [...input.migration.command],
    environment: Object.keys(environment)
      .sort()
      .map((name) => ({ name, value: environment[name] })),
    secrets: Object.keys(input.secrets)
      .sort()
      .map((name) => ({ name, valueFrom: input.secrets[name] })),
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": input.logGroup, "awslogs-region": input.region, "awslogs-stream-prefix": MIGRATION_STREAM_PREFIX },
    },
    readonlyRootFilesystem: input.service.readonlyRootFilesystem,
  };
}

/**
 * A service's database migration as an ECS task definition (issue 15): the service's image
 * repository, roles and secrets, its own log group, awsvpc, no load balancer and no ECS service.
 * `deployctl deploy` runs it (RunTask in the service's subnets and security group) before the
 * service's new revision; nothing runs it on `pulumi up`.
 */
export class MigrationTask extends pulumi.ComponentResource {
  public readonly logGroup: aws.cloudwatch.LogGroup;
  public readonly taskDefinition: aws.ecs.TaskDefinition;
  public readonly family: string;

  constructor(name: string, args: MigrationTaskArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:ecs:MigrationTask", name, {}, opts);
    const svc = args.service;
    const tags = args.tags;
    const parent = { parent: this };
    this.family = `${args.project}-${args.stack}-${svc.name}-migration`;

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: args.logGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: args.logKmsKeyArn, tags },
      { parent: this, retainOnDelete: args.retainLogs ?? false },
    );
    // The service's execution role writes the service's logs only: let it write the migration's too.
    const logsPolicy = new aws.iam.RolePolicy(
      `${name}-logs-policy`,
      {
        role: args.executionRole.id,
        policy: this.logGroup.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Sid: "MigrationLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${arn}:*` },
            ],
          }),
        ),
      },
      parent,
    );

    const containers = pulumi.all([args.repositoryUrl, args.accountId]).apply(([repositoryUrl, accountId]) => {
      const ctx = { partition: args.partition, region: args.region, accountId };
      const secrets = Object.fromEntries(Object.entries(svc.secrets).map(([k, v]) => [k, secretReference(v, ctx).valueFrom]));
      const image = `${repositoryUrl}:${svc.image.tag}`;
      return JSON.stringify([
        migrationContainer({ service: svc, migration: args.migration, image, logGroup: args.logGroupName, region: args.region, secrets }),
      ]);
    });
    this.taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: this.family,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(svc.cpu),
        memory: String(svc.memory),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        executionRoleArn: args.executionRole.arn,
        taskRoleArn: args.taskRoleArn,
        containerDefinitions: containers,
        // deployctl registers revisions of this family with the image to deploy: keep them when the stack replaces its own.
        skipDestroy: true,
        tags,
      },
      { parent: this, dependsOn: [logsPolicy] },
    );

    this.registerOutputs({ taskDefinitionArn: this.taskDefinition.arn, logGroupName: this.logGroup.name });
  }
}
