import { deployOrder, type EnvironmentConfig } from "../../config";
import { type EcsManifest, MANIFEST_SCHEMA_VERSION, type EcsManifestService, type ManifestThresholds } from "../../../contract/manifest";
import { recordPrefix } from "../../../contract/names";
import { canaryVerdictParameterName, dashboardName, dashboardUrl, serviceUrl } from "./naming";

/** What the deployed resources tell the manifest about one service (known after deployment). */
export interface DeployedService {
  ecsService: string;
  taskDefinitionArn: string;
  /** ARN suffixes: CloudWatch's TargetGroup and LoadBalancer dimensions. */
  targetGroup: string;
  loadBalancer: string;
  logGroup: string;
  /** Progressive services: the alternate target group's ARN suffix. */
  alternateTargetGroup?: string;
  /** Services with a migration: its task definition and where it runs. */
  migration?: DeployedMigration;
}

/** A migration task definition as deployed, and the service's network it runs in. */
export interface DeployedMigration {
  taskDefinitionArn: string;
  family: string;
  containerName: string;
  /** The service's ECR repository URL (the migration runs its image at the tag being deployed). */
  repositoryUrl: string;
  logGroup: string;
  logStreamPrefix: string;
  subnets: string[];
  securityGroups: string[];
}

export interface DeployedEnvironment {
  cluster: string;
  albDnsName: string;
  warningTopicArn: string;
  criticalTopicArn: string;
  slackWebhookUrlParameter?: string;
  pagerDutyRoutingKeyParameter?: string;
  /** Cloud tiers: the record bucket and lock table. Absent for local (records in a local directory). */
  history?: { bucket: string; lockTable: string };
  services: Record<string, DeployedService>;
}

/** The manifest's thresholds: exactly its seven fields, from the stack's alarm config. */
export function manifestThresholds(alarms: EnvironmentConfig["alarms"]): ManifestThresholds {
  return {
    errorRateWarningPercent: alarms.errorRateWarningPercent,
    errorRateCriticalPercent: alarms.errorRateCriticalPercent,
    errorRateFailPercent: alarms.errorRateFailPercent,
    minRequests: alarms.minRequests,
    p95LatencyMs: alarms.p95LatencyMs,
    p99LatencyMs: alarms.p99LatencyMs,
    windowSeconds: alarms.windowSeconds,
  };
}

/** The `deployment` stack output: the contract the validator reads (contract/manifest.ts). */
export function buildManifest(config: EnvironmentConfig, deployed: DeployedEnvironment): EcsManifest {
  const https = config.loadBalancer.certificateArn !== undefined;
  const services: EcsManifestService[] = deployOrder(config.services).map((svc) => {
    const d = deployed.services[svc.name];
    if (!d) throw new Error(`no deployed resources for service ${svc.name}`);
    return {
      name: svc.name,
      ecsService: d.ecsService,
      imageTag: svc.image.tag,
      taskDefinitionArn: d.taskDefinitionArn,
      targetGroup: d.targetGroup,
      loadBalancer: d.loadBalancer,
      logGroup: d.logGroup,
      url: serviceUrl({ https, albDnsName: deployed.albDnsName, host: svc.host, path: svc.path }),
      healthPath: svc.healthCheckPath,
      smokePaths: [...svc.smokePaths],
      dependsOn: [...svc.dependsOn],
      ...(svc.logs ? { logs: { ...svc.logs } } : {}),
      ...manifestDeployment(config.stack, svc, d),
      ...manifestMigration(svc, d),
    };
  });
  const alerts: EcsManifest["alerts"] = {
    warningTopicArn: deployed.warningTopicArn,
    criticalTopicArn: deployed.criticalTopicArn,
  };
  if (deployed.slackWebhookUrlParameter) alerts.slackWebhookUrlParameter = deployed.slackWebhookUrlParameter;
  if (deployed.pagerDutyRoutingKeyParameter) alerts.pagerDutyRoutingKeyParameter = deployed.pagerDutyRoutingKeyParameter;
  const prefix = recordPrefix(config.stack);
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    project: config.project,
    stack: config.stack,
    region: config.region,
    cluster: deployed.cluster,
    dashboardUrl: dashboardUrl(config.region, dashboardName(config.project, config.stack)),
    alerts,
    thresholds: manifestThresholds(config.alarms),
    history: deployed.history ? { bucket: deployed.history.bucket, prefix, lockTable: deployed.history.lockTable } : { prefix },
    services,
  };
}

/** A progressive service's `deployment` entry (absent for rolling services: the contract only grew). */
function manifestDeployment(
  stack: string,
  svc: EnvironmentConfig["services"][number],
  d: DeployedService,
): Pick<EcsManifestService, "deployment"> {
  const deployment = svc.deployment;
  if (deployment.strategy === "rolling") return {};
  if (!d.alternateTargetGroup) throw new Error(`no alternate target group for the progressive service ${svc.name}`);
  return {
    deployment: {
      strategy: deployment.strategy,
      steps: [...deployment.steps],
      stepMinutes: deployment.stepMinutes,
      bakeMinutes: deployment.bakeMinutes,
      maxExtensionMinutes: deployment.maxExtensionMinutes,
      alternateTargetGroup: d.alternateTargetGroup,
      verdictParameter: canaryVerdictParameterName(stack, svc.name),
    },
  };
}

/** A service's `migration` entry: what deployctl needs to run it before the service (absent without one). */
function manifestMigration(svc: EnvironmentConfig["services"][number], d: DeployedService): Pick<EcsManifestService, "migration"> {
  const m = svc.migration;
  if (!m) return {};
  if (!d.migration) throw new Error(`no migration task definition for service ${svc.name}`);
  return {
    migration: {
      taskDefinitionFamily: d.migration.family,
      taskDefinitionArn: d.migration.taskDefinitionArn,
      containerName: d.migration.containerName,
      repositoryUrl: d.migration.repositoryUrl,
      ...(m.image ? { image: m.image } : {}),
      subnets: [...d.migration.subnets],
      securityGroups: [...d.migration.securityGroups],
      logGroup: d.migration.logGroup,
      logStreamPrefix: d.migration.logStreamPrefix,
      timeoutSeconds: m.timeoutSeconds,
      command: [...m.command],
      ...(m.down ? { down: [...m.down] } : {}),
    },
  };
}
