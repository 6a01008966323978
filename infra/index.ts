// The Pulumi program (Pulumi.yaml main): parse the stack config once, build the environment, export.
import { parseEnvironmentConfig, readPulumiConfig } from "./config";
import { buildEnvironment } from "./environment";

const environment = buildEnvironment(parseEnvironmentConfig(readPulumiConfig()));

/** The contract the validator reads (validators/manifest.ts, validators/manifest.schema.json). */
export const deployment = environment.deployment;
export const albDnsName = environment.albDnsName;
export const dashboardUrl = environment.dashboardUrl;
export const clusterName = environment.cluster.name;
export const warningTopicArn = environment.alerts.warningTopicArn;
export const criticalTopicArn = environment.alerts.criticalTopicArn;
