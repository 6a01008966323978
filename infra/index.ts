// The Pulumi program (Pulumi.yaml main): parse the stack config once, build the environment, export.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseEnvironmentConfig, readPulumiConfig } from "./config";
import { buildEnvironment, type Environment } from "./environment";

function environment(): Environment {
  try {
    return buildEnvironment(parseEnvironmentConfig(readPulumiConfig()));
  } catch (err) {
    // Bad config never reaches a resource: every problem, one per line, and no stack trace.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const env = environment();

/** The contract the validator reads (contract/manifest.ts, contract/manifest.schema.json). */
export const deployment = env.deployment;
export const albDnsName = env.albDnsName;
export const dashboardUrl = env.dashboardUrl;
export const clusterName = env.cluster.name;
export const warningTopicArn = env.alerts.warningTopicArn;
export const criticalTopicArn = env.alerts.criticalTopicArn;
