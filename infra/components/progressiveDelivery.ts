import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { hookFunctionPolicy, hookInvokePolicy, loadBalancerInfrastructurePolicy, serviceTrustPolicy } from "./lib/progressive";

/** The hook's code: plain JavaScript, shipped as is (no build step). */
export const HOOK_SOURCE_FILE = join(__dirname, "..", "hook", "canaryHook.js");

export interface ProgressiveDeliveryArgs {
  stack: string;
  partition: string;
  region: string;
  accountId: pulumi.Input<string>;
  /** The ECS cluster's name: the hook may list deployments of its services only. */
  clusterName: string;
  /** The hook function's name (hookFunctionName in lib/naming.ts). */
  functionName: string;
  logRetentionDays: number;
  /** Encrypt the hook's log group with this key. @default CloudWatch Logs' own encryption */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Keep the log group when the stack is destroyed. @default false */
  retainLogs?: boolean;
  /** Both target groups of every progressive service: ECS registers tasks in them. */
  targetGroupArns: pulumi.Input<string>[];
  /** The production and test rules of every progressive service: ECS moves their weights. */
  ruleArns: pulumi.Input<string>[];
  tags: Record<string, string>;
}

/**
 * What ECS's native progressive deployments need, once per environment: the lifecycle hook
 * function (with its role, log group and least-privilege policy), the role ECS assumes to invoke
 * it, and the infrastructure role ECS assumes to register tasks and move weights on the load
 * balancer. Services point their deploymentConfiguration and advancedConfiguration at these.
 */
export class ProgressiveDelivery extends pulumi.ComponentResource {
  public readonly hookFunction: aws.lambda.Function;
  public readonly hookFunctionArn: pulumi.Output<string>;
  /** The role ECS assumes to invoke the hook. */
  public readonly hookRoleArn: pulumi.Output<string>;
  /** The role ECS assumes to change the load balancer during a deployment. */
  public readonly infrastructureRoleArn: pulumi.Output<string>;
  /** What a progressive service waits for: the hook and both roles' policies. */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: ProgressiveDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:deploy:ProgressiveDelivery", name, {}, opts);
    const parent = { parent: this };
    const tags = args.tags;
    const ctx = pulumi.output(args.accountId).apply((accountId) => ({ partition: args.partition, region: args.region, accountId }));
    const trust = (service: "ecs.amazonaws.com" | "lambda.amazonaws.com") =>
      ctx.apply((c) => JSON.stringify(serviceTrustPolicy(service, c)));

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-hook-logs`,
      { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.logKmsKeyArn, tags },
      { parent: this, retainOnDelete: args.retainLogs ?? false },
    );
    const functionRole = new aws.iam.Role(
      `${name}-hook-function-role`,
      {
        assumeRolePolicy: trust("lambda.amazonaws.com"),
        description: `${name}: the canary hook reads deployctl's verdicts and writes its logs.`,
        tags,
      },
      parent,
    );
    const functionPolicy = new aws.iam.RolePolicy(
      `${name}-hook-function-policy`,
      {
        role: functionRole.id,
        policy: pulumi
          .all([ctx, logGroup.arn])
          .apply(([c, logGroupArn]) =>
            JSON.stringify(hookFunctionPolicy({ ctx: c, stack: args.stack, cluster: args.clusterName, logGroupArn })),
          ),
      },
      parent,
    );
    this.hookFunction = new aws.lambda.Function(
      `${name}-hook`,
      {
        name: args.functionName,
        description: "ECS lifecycle hook: holds each traffic step until deployctl's verdict on it passes.",
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(readFileSync(HOOK_SOURCE_FILE, "utf8")) }),
        role: functionRole.arn,
        timeout: 30,
        memorySize: 128,
        tags,
      },
      { parent: this, dependsOn: [functionPolicy, logGroup] },
    );

    const hookRole = new aws.iam.Role(
      `${name}-hook-invoke-role`,
      { assumeRolePolicy: trust("ecs.amazonaws.com"), description: `${name}: lets ECS invoke the canary hook.`, tags },
      parent,
    );
    const invokePolicy = new aws.iam.RolePolicy(
      `${name}-hook-invoke-policy`,
      { role: hookRole.id, policy: this.hookFunction.arn.apply((arn) => JSON.stringify(hookInvokePolicy(arn))) },
      parent,
    );
    const lbRole = new aws.iam.Role(
      `${name}-lb-role`,
      {
        assumeRolePolicy: trust("ecs.amazonaws.com"),
        description: `${name}: lets ECS register tasks and move traffic weights of progressive services.`,
        tags,
      },
      parent,
    );
    const lbPolicy = new aws.iam.RolePolicy(
      `${name}-lb-policy`,
      {
        role: lbRole.id,
        policy: pulumi
          .all([pulumi.all(args.targetGroupArns), pulumi.all(args.ruleArns)])
          .apply(([targetGroupArns, ruleArns]) => JSON.stringify(loadBalancerInfrastructurePolicy({ targetGroupArns, ruleArns }))),
      },
      parent,
    );

    this.hookFunctionArn = this.hookFunction.arn;
    this.hookRoleArn = hookRole.arn;
    this.infrastructureRoleArn = lbRole.arn;
    this.ready = [this.hookFunction, invokePolicy, lbPolicy];
    this.registerOutputs({
      hookFunctionArn: this.hookFunctionArn,
      hookRoleArn: this.hookRoleArn,
      infrastructureRoleArn: this.infrastructureRoleArn,
    });
  }
}
