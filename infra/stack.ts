import type * as pulumi from "@pulumi/pulumi";
import { ConfigError, type EnvironmentConfig } from "./config";
import { buildDockerEnvironment } from "./docker";
import { buildEnvironment } from "./environment";
import { buildKubernetesEnvironment } from "./kubernetes/environment";
import type { DeploymentManifest } from "../contract/manifest";

/** The stack outputs of one runtime: `deployment` (the manifest) always, the rest as the runtime has them. */
export interface StackOutputs {
  deployment: pulumi.Output<DeploymentManifest>;
  [name: string]: pulumi.Output<unknown> | undefined;
}

/** Builds the stack for its runtime (`delivery:runtime`): ECS (default), Docker or Kubernetes. */
export function buildStack(config: EnvironmentConfig): StackOutputs {
  switch (config.runtime) {
    case "docker": {
      const env = buildDockerEnvironment(config);
      return { deployment: env.deployment, networkName: env.networkName };
    }
    case "ecs": {
      const env = buildEnvironment(config);
      return {
        deployment: env.deployment,
        albDnsName: env.albDnsName,
        dashboardUrl: env.dashboardUrl,
        clusterName: env.cluster.name,
        warningTopicArn: env.alerts.warningTopicArn,
        criticalTopicArn: env.alerts.criticalTopicArn,
      };
    }
    case "kubernetes": {
      const env = buildKubernetesEnvironment(config);
      return { deployment: env.deployment, namespace: env.namespace.metadata.name };
    }
    default:
      throw new ConfigError(config.file, [
        { code: "runtime", path: "delivery:runtime", message: `is ${JSON.stringify(config.runtime)}; expected ecs, docker or kubernetes.` },
      ]);
  }
}
