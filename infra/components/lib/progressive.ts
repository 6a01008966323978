import { CANARY_VERDICT_LEAF, stackParameterArn } from "../../../contract/names";
import { stepDivisor } from "../../config/deployment";
import type { ProgressiveDeploymentConfig, DeploymentConfig } from "../../config";
import { type AccountContext, type PolicyDocument, policy, type TrustPolicyDocument, trustPolicy } from "./policies";

/**
 * Progressive delivery as plain data: how a service's deployment config maps onto ECS's native
 * strategies, what the lifecycle hook is told, the listener rule priorities, and the three IAM
 * documents (the hook function, ECS invoking it, ECS moving traffic on the load balancer).
 */

/** The ECS lifecycle stage the hook gates: invoked at every production traffic shift step (and during rollbacks). */
export const HOOK_STAGES = ["PRODUCTION_TRAFFIC_SHIFT"] as const;
/** How often ECS asks the hook again while it holds a step. */
export const HOOK_CALLBACK_SECONDS = 30;
/**
 * The hook is the backstop: it fails a step held this much longer than deployctl's own limit
 * (stepMinutes + maxExtensionMinutes), so deployctl abandons first, with its reason on record.
 */
export const HOOK_GRACE_MINUTES = 5;
/** The listener rule of the default route (a service without path or host): matches every path, evaluated last. */
export const CATCH_ALL_PRIORITY = 50000;
/** Requests with this header go to the new revision once ECS shifts test traffic (before production moves). */
export const TEST_HEADER = { name: "x-delivery-test", value: "green" } as const;

/** `deploymentConfiguration` of the ECS service (Pulumi's shape: minutes are strings). */
export interface EcsDeploymentConfiguration {
  strategy: "CANARY" | "LINEAR" | "BLUE_GREEN";
  bakeTimeInMinutes: string;
  canaryConfiguration?: { canaryPercent: number; canaryBakeTimeInMinutes: string };
  linearConfiguration?: { stepPercent: number; stepBakeTimeInMinutes: string };
}

/**
 * ECS's native strategy for a progressive deployment. ECS's own bake between steps is 0: the hook
 * holds each step until the validator's verdict on it passes (stepMinutes of observation), so
 * the observation is the verdict's, not a timer's.
 * - canary with one step before 100 -> CANARY (canaryPercent = that step);
 * - canary with more steps (5, 25, 50, 100) -> LINEAR in steps of their greatest common divisor
 *   (5%); the hook holds only at the policy's steps and lets the steps in between pass at once;
 * - linear -> LINEAR (stepPercent); blueGreen -> BLUE_GREEN.
 * `bakeMinutes` is ECS's bakeTimeInMinutes: the old revision keeps running after 100%.
 */
export function ecsDeploymentConfiguration(d: ProgressiveDeploymentConfig): EcsDeploymentConfiguration {
  const bakeTimeInMinutes = String(d.bakeMinutes);
  if (d.strategy === "blueGreen") return { strategy: "BLUE_GREEN", bakeTimeInMinutes };
  if (d.strategy === "canary" && d.steps.length === 2) {
    return { strategy: "CANARY", bakeTimeInMinutes, canaryConfiguration: { canaryPercent: d.steps[0] ?? 0, canaryBakeTimeInMinutes: "0" } };
  }
  const stepPercent = d.strategy === "linear" ? (d.stepPercent ?? 0) : stepDivisor(d.steps);
  return { strategy: "LINEAR", bakeTimeInMinutes, linearConfiguration: { stepPercent, stepBakeTimeInMinutes: "0" } };
}

/** What the hook function is told about a service (its `hookDetails`); a contract with infra/hook/canaryHook.js. */
export interface HookDetails {
  stack: string;
  service: string;
  /** The SSM parameter deployctl publishes its verdict on each step to. */
  verdictParameter: string;
  /** Traffic percentages the hook holds at until a pass verdict covering stepMinutes. */
  checkpoints: number[];
  stepMinutes: number;
  maxExtensionMinutes: number;
  /** Minutes beyond stepMinutes + maxExtensionMinutes before the hook itself fails a step. */
  graceMinutes: number;
  callBackDelaySeconds: number;
}

export function hookDetails(args: {
  stack: string;
  service: string;
  verdictParameter: string;
  deployment: ProgressiveDeploymentConfig;
}): HookDetails {
  return {
    stack: args.stack,
    service: args.service,
    verdictParameter: args.verdictParameter,
    checkpoints: [...args.deployment.steps],
    stepMinutes: args.deployment.stepMinutes,
    maxExtensionMinutes: args.deployment.maxExtensionMinutes,
    graceMinutes: HOOK_GRACE_MINUTES,
    callBackDelaySeconds: HOOK_CALLBACK_SECONDS,
  };
}

/** The production rule's priority (the service's rule, or the catch-all for the default route). */
export function productionRulePriority(rulePriority: number | undefined): number {
  return rulePriority ?? CATCH_ALL_PRIORITY;
}

/** The test rule goes just before the production rule (service rules are 10 apart, so 5 before never collides). */
export function testRulePriority(rulePriority: number | undefined): number {
  return productionRulePriority(rulePriority) - 5;
}

/** Trust for a role an AWS service assumes on this account's behalf. */
export function serviceTrustPolicy(service: "ecs.amazonaws.com" | "lambda.amazonaws.com", ctx: AccountContext): TrustPolicyDocument {
  return trustPolicy({
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
  });
}

/**
 * The hook function: read the stack's canary verdicts, see whether a deployment of a service of
 * this cluster is rolling back (it then never holds traffic), and write its own logs.
 */
export function hookFunctionPolicy(args: { ctx: AccountContext; stack: string; cluster: string; logGroupArn: string }): PolicyDocument {
  const { partition, region, accountId } = args.ctx;
  return policy(
    {
      Sid: "ReadVerdicts",
      Effect: "Allow",
      Action: "ssm:GetParameter",
      Resource: stackParameterArn({ partition, region, accountId, stack: args.stack, suffix: `*/${CANARY_VERDICT_LEAF}` }),
    },
    {
      Sid: "SeeRollbacks",
      Effect: "Allow",
      Action: "ecs:ListServiceDeployments",
      Resource: `arn:${partition}:ecs:${region}:${accountId}:service/${args.cluster}/*`,
    },
    { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${args.logGroupArn}:*` },
  );
}

/** What ECS may do with the hook role: invoke the hook function, nothing else. */
export function hookInvokePolicy(functionArn: string): PolicyDocument {
  return policy({ Sid: "InvokeHook", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: functionArn });
}

/**
 * What ECS may do on the load balancer to move traffic (the scope of AWS's
 * AmazonECSInfrastructureRolePolicyForLoadBalancers, narrowed to this environment's progressive
 * services): describe (no resource-level permissions), register tasks in their two target groups,
 * and change the weights of their production and test rules.
 */
export function loadBalancerInfrastructurePolicy(args: { targetGroupArns: string[]; ruleArns: string[] }): PolicyDocument {
  return policy(
    {
      Sid: "Describe",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
      ],
      Resource: "*",
    },
    {
      Sid: "Targets",
      Effect: "Allow",
      Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      Resource: args.targetGroupArns,
    },
    { Sid: "Weights", Effect: "Allow", Action: "elasticloadbalancing:ModifyRule", Resource: args.ruleArns },
  );
}

/**
 * The longest a release's progressive deployments can take to watch, one service after another:
 * per service every step with its observation and extension, plus the bake time.
 */
export function progressiveWatchMinutes(deployments: readonly DeploymentConfig[]): number {
  return deployments.reduce(
    (sum, d) => (d.strategy === "rolling" ? sum : sum + d.steps.length * (d.stepMinutes + d.maxExtensionMinutes) + d.bakeMinutes),
    0,
  );
}
