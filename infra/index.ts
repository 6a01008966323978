// The Pulumi program (Pulumi.yaml main): parse the stack config once, build the stack for its runtime, export.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseEnvironmentConfig, readPulumiConfig } from "./config";
import { buildStack, type StackOutputs } from "./stack";

function stack(): StackOutputs {
  try {
    return buildStack(parseEnvironmentConfig(readPulumiConfig()));
  } catch (err) {
    // Bad config never reaches a resource: every problem, one per line, and no stack trace.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const outputs = stack();

/** The contract the validator reads (contract/manifest.ts, contract/manifest.schema.json). */
export const deployment = outputs.deployment;
// ECS stacks:
export const albDnsName = outputs.albDnsName;
export const dashboardUrl = outputs.dashboardUrl;
export const clusterName = outputs.clusterName;
export const warningTopicArn = outputs.warningTopicArn;
export const criticalTopicArn = outputs.criticalTopicArn;
// Docker stacks:
export const networkName = outputs.networkName;
// Kubernetes stacks: the namespace the services run in.
export const namespace = outputs.namespace;
