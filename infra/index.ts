// The Pulumi program (Pulumi.yaml main): parse the stack config once, build the environment, export.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type EnvironmentConfig, parseEnvironmentConfig, readPulumiConfig } from "./config";
import { buildEnvironment } from "./environment";
import { buildKubernetesEnvironment } from "./kubernetes/environment";

function parsedConfig(): EnvironmentConfig {
  try {
    return parseEnvironmentConfig(readPulumiConfig());
  } catch (err) {
    // Bad config never reaches a resource: every problem, one per line, and no stack trace.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const config = parsedConfig();
// delivery:runtime picks the backend: ECS (the default) or a Kubernetes cluster (issue 17).
const kube = config.runtime === "kubernetes" ? buildKubernetesEnvironment(config) : undefined;
const env = kube ? undefined : buildEnvironment(config);

/** The contract the validator reads (contract/manifest.ts, contract/manifest.schema.json). */
export const deployment = kube ? kube.deployment : env?.deployment;
export const albDnsName = env?.albDnsName;
export const dashboardUrl = env?.dashboardUrl;
export const clusterName = env?.cluster.name;
export const warningTopicArn = env?.alerts.warningTopicArn;
export const criticalTopicArn = env?.alerts.criticalTopicArn;
/** Kubernetes stacks: the namespace the services run in. */
export const namespace = kube?.namespace.metadata.name;
