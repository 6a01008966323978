import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentConfig } from "./config";
import {
  Alerts,
  ChatOps,
  Cluster,
  Dashboard,
  EnvironmentAlarms,
  EnvironmentKey,
  History,
  LoadBalancer,
  Network,
  ProgressiveDelivery,
  Routing,
  MigrationTask,
  MIGRATION_CONTAINER,
  MIGRATION_STREAM_PREFIX,
  Service,
  type ProgressiveServiceArgs,
} from "./components";
import { hookDetails } from "./components/lib/progressive";
import { type DeliveryPipeline, environmentPipeline } from "./pipeline";
import { TIER_SETTINGS } from "./components/lib/tierSettings";
import { buildManifest, type DeployedService } from "./components/lib/manifest";
import {
  alertParameterName,
  alternateTargetGroupName,
  canaryVerdictParameterName,
  certificateAlarmName,
  chatConfigurationName,
  clusterName,
  dashboardName,
  environmentName,
  hookFunctionName,
  kmsAliasName,
  loadBalancerName,
  logGroupName,
  migrationLogGroupName,
  partitionOf,
  repositoryName,
  resourceTags,
  targetGroupName,
  taskStopLogGroupName,
} from "./components/lib/naming";
import type { EcsManifest } from "../contract/manifest";

export interface EnvironmentArgs {
  /** The stack's config, parsed once (infra/config). */
  config: EnvironmentConfig;
}

/**
 * One whole environment, composed from the components: network, load balancer and routing, ECS
 * cluster, alert topics, the history store (cloud tiers), a Service per configured service, the
 * dashboard; and the `deployment` manifest the validator reads.
 *
 * The delivery pipeline (a later component) attaches here: it gets `services` (each one's
 * `repository`, `logGroup`, `ecsService`), `alerts` (the topics), `cluster`, `history` (record
 * bucket) and `key` (the KMS key), and is created in the constructor's "pipeline" step below.
 */
export class Environment extends pulumi.ComponentResource {
  public readonly config: EnvironmentConfig;
  public readonly key: EnvironmentKey;
  public readonly network: Network;
  public readonly loadBalancer: LoadBalancer;
  public readonly routing: Routing;
  public readonly cluster: Cluster;
  public readonly alerts: Alerts;
  /** AWS Chatbot posting both alert topics to Slack, when delivery:notifications.slack is set. */
  public readonly chatOps?: ChatOps;
  /** Task-stop events counted into a metric, and the HTTPS certificate's expiry alarm. */
  public readonly environmentAlarms: EnvironmentAlarms;
  /** Run records and the stack lock; undefined for the local tier (a local directory and lock file). */
  public readonly history?: History;
  /** The lifecycle hook and ECS's roles, when a service deploys progressively (canary, linear, blue/green). */
  public readonly progressive?: ProgressiveDelivery;
  /** By service name, in config order. */
  public readonly services: Record<string, Service>;
  /** By service name: the migration task definition of each service that has a migration. */
  public readonly migrations: Record<string, MigrationTask>;
  public readonly dashboard: Dashboard;
  /** The delivery pipeline, when the stack runs one. */
  public readonly pipeline?: DeliveryPipeline;
  public readonly deployment: pulumi.Output<EcsManifest>;
  public readonly albDnsName: pulumi.Output<string>;
  public readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:env:Environment", name, {}, opts);
    const config = args.config;
    const { project, stack, region } = config;
    const settings = TIER_SETTINGS[config.tier];
    const partition = partitionOf(region);
    const tags = resourceTags(config.tags);
    const parent = { parent: this };
    this.config = config;

    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
    const account = { partition, region, accountId };

    this.key = new EnvironmentKey(
      name,
      { alias: kmsAliasName(project, stack), ...account, deletionWindowInDays: settings.keyDeletionDays, tags },
      parent,
    );
    this.network = new Network(name, { network: config.network, natGateways: settings.natGateways, tags }, parent);
    const https = config.loadBalancer.certificateArn !== undefined;
    this.loadBalancer = new LoadBalancer(
      name,
      {
        loadBalancerName: loadBalancerName(project, stack),
        vpcId: this.network.vpcId,
        publicSubnetIds: this.network.publicSubnetIds,
        https,
        idleTimeoutSeconds: config.loadBalancer.idleTimeoutSeconds,
        deletionProtection: config.deletionProtection,
        accessLogs: config.loadBalancer.accessLogs
          ? { retentionDays: settings.accessLogDays, forceDestroy: settings.forceDelete, ...account }
          : undefined,
        tags,
      },
      parent,
    );
    this.routing = new Routing(
      name,
      {
        vpcId: this.network.vpcId,
        loadBalancerArn: this.loadBalancer.arn,
        certificateArn: config.loadBalancer.certificateArn,
        sslPolicy: config.loadBalancer.sslPolicy,
        deregistrationDelaySeconds: settings.deregistrationDelaySeconds,
        minReadySeconds: config.rolling.minReadySeconds,
        routes: config.services.map((s) => ({
          service: s.name,
          port: s.port,
          healthCheckPath: s.healthCheckPath,
          targetGroupName: targetGroupName(project, stack, s.name, s.port),
          path: s.path,
          host: s.host,
          priority: s.rulePriority,
          alternateTargetGroupName:
            s.deployment.strategy === "rolling" ? undefined : alternateTargetGroupName(project, stack, s.name, s.port),
        })),
        tags,
      },
      parent,
    );
    const cluster = clusterName(project, stack);
    this.cluster = new Cluster(name, { clusterName: cluster, tags }, parent);
    const secretParameter = <T>(value: T | undefined, key: "slack-webhook-url" | "pagerduty-routing-key") =>
      value === undefined ? undefined : { parameterName: alertParameterName(stack, key), value };
    this.alerts = new Alerts(
      name,
      {
        kmsKeyArn: this.key.arn,
        partition,
        accountId,
        emails: config.notifications.emails,
        slackWebhookUrl: secretParameter(config.notifications.slackWebhookUrl, "slack-webhook-url"),
        pagerDutyRoutingKey: secretParameter(config.notifications.pagerDutyRoutingKey, "pagerduty-routing-key"),
        pagerDutyIntegrationUrl: config.notifications.pagerDutyIntegrationUrl,
        tags,
      },
      parent,
    );
    const slack = config.notifications.slack;
    if (slack) {
      this.chatOps = new ChatOps(
        name,
        {
          configurationName: chatConfigurationName(project, stack),
          workspaceId: slack.workspaceId,
          channelId: slack.channelId,
          topicArns: [this.alerts.warningTopicArn, this.alerts.criticalTopicArn],
          partition,
          tags,
        },
        parent,
      );
    }
    const certificateArn = config.loadBalancer.certificateArn;
    this.environmentAlarms = new EnvironmentAlarms(
      name,
      {
        accountId,
        clusterArn: this.cluster.arn,
        taskStopLogGroupName: taskStopLogGroupName(project, stack),
        taskStopLogPolicyName: `${environmentName(project, stack)}-task-stop-events`,
        logRetentionDays: config.logRetentionDays,
        logKmsKeyArn: settings.encryptLogs ? this.key.arn : undefined,
        retainLogs: config.deletionProtection,
        certificate: certificateArn ? { arn: certificateArn, alarmName: certificateAlarmName(project, stack) } : undefined,
        warningTopicArn: this.alerts.warningTopicArn,
        tags,
      },
      parent,
    );
    if (settings.cloudHistory) {
      this.history = new History(
        name,
        {
          kmsKeyArn: this.key.arn,
          recordVersionDays: settings.recordVersionDays,
          pointInTimeRecovery: settings.pointInTimeRecovery,
          deletionProtection: config.deletionProtection,
          forceDestroy: settings.forceDelete,
          tags,
        },
        parent,
      );
    }

    const progressive = config.services.filter((s) => s.deployment.strategy !== "rolling").map((s) => s.name);
    if (progressive.length > 0) {
      this.progressive = new ProgressiveDelivery(
        name,
        {
          stack,
          ...account,
          clusterName: cluster,
          functionName: hookFunctionName(project, stack),
          logRetentionDays: config.logRetentionDays,
          logKmsKeyArn: settings.encryptLogs ? this.key.arn : undefined,
          retainLogs: config.deletionProtection,
          targetGroupArns: progressive.flatMap((s) => [this.routing.targetGroups[s].arn, this.routing.alternateTargetGroups[s].arn]),
          ruleArns: progressive.flatMap((s) => [this.routing.productionRules[s].arn, this.routing.testRules[s].arn]),
          tags,
        },
        parent,
      );
    }

    this.services = {};
    for (const svc of config.services) {
      const targetGroup = this.routing.targetGroups[svc.name];
      this.services[svc.name] = new Service(
        `${name}-${svc.name}`,
        {
          project,
          stack,
          serviceName: svc.name,
          imageTag: svc.image.tag,
          port: svc.port,
          healthCheckPath: svc.healthCheckPath,
          cpu: svc.cpu,
          memory: svc.memory,
          desiredCount: svc.desiredCount,
          autoscaling: svc.autoscaling,
          environment: svc.environment,
          secrets: svc.secrets,
          readonlyRootFilesystem: svc.readonlyRootFilesystem,
          family: `${project}-${stack}-${svc.name}`,
          ...account,
          vpcId: this.network.vpcId,
          privateSubnetIds: this.network.privateSubnetIds,
          albSecurityGroupId: this.loadBalancer.securityGroupId,
          clusterArn: this.cluster.arn,
          clusterName: cluster,
          targetGroupArn: targetGroup.arn,
          targetGroupArnSuffix: targetGroup.arnSuffix,
          loadBalancerArnSuffix: this.loadBalancer.arnSuffix,
          routeAttachments: this.routing.attachments,
          alarms: config.alarms,
          rolling: config.rolling,
          warningTopicArn: this.alerts.warningTopicArn,
          criticalTopicArn: this.alerts.criticalTopicArn,
          repositoryName: repositoryName(stack, svc.image.repository),
          logGroupName: logGroupName(project, stack, svc.name),
          logRetentionDays: config.logRetentionDays,
          logKmsKeyArn: settings.encryptLogs ? this.key.arn : undefined,
          retainLogs: config.deletionProtection,
          keepImages: settings.keepImages,
          untaggedImageDays: settings.untaggedImageDays,
          forceDelete: settings.forceDelete,
          tags: resourceTags(config.tags, svc.name),
          progressive: this.progressiveArgs(svc),
        },
        parent,
      );
    }

    this.migrations = {};
    for (const svc of config.services) {
      if (!svc.migration) continue;
      const service = this.services[svc.name];
      this.migrations[svc.name] = new MigrationTask(
        `${name}-${svc.name}-migration`,
        {
          project,
          stack,
          service: svc,
          migration: svc.migration,
          ...account,
          repositoryUrl: service.repository.repositoryUrl,
          executionRole: service.roles.executionRole,
          taskRoleArn: service.roles.taskRoleArn,
          logGroupName: migrationLogGroupName(project, stack, svc.name),
          logRetentionDays: config.logRetentionDays,
          logKmsKeyArn: settings.encryptLogs ? this.key.arn : undefined,
          retainLogs: config.deletionProtection,
          tags: resourceTags(config.tags, svc.name),
        },
        parent,
      );
    }

    this.dashboard = new Dashboard(
      name,
      {
        dashboardName: dashboardName(project, stack),
        region,
        stack,
        alarms: config.alarms,
        alarmArns: config.services.flatMap((s) => Object.values(this.services[s.name].alarms.alarms).map((alarm) => alarm.arn)),
        services: config.services.map((s) => ({
          name: s.name,
          cluster,
          ecsService: s.name,
          targetGroup: this.routing.targetGroups[s.name].arnSuffix,
          loadBalancer: this.loadBalancer.arnSuffix,
        })),
      },
      parent,
    );

    if (config.pipeline)
      this.pipeline = environmentPipeline(
        `${name}-pipeline`,
        this,
        config.pipeline,
        { encryptLogs: settings.encryptLogs, forceDestroy: settings.forceDelete, tags },
        parent,
      );

    this.albDnsName = this.loadBalancer.dnsName;
    this.dashboardUrl = this.dashboard.url;
    this.deployment = this.manifest();
    this.registerOutputs({ deployment: this.deployment, albDnsName: this.albDnsName, dashboardUrl: this.dashboardUrl });
  }

  /** What ECS needs to deploy a service progressively; undefined for rolling services. */
  private progressiveArgs(svc: EnvironmentConfig["services"][number]): ProgressiveServiceArgs | undefined {
    const deployment = svc.deployment;
    if (deployment.strategy === "rolling" || !this.progressive) return undefined;
    const verdictParameter = canaryVerdictParameterName(this.config.stack, svc.name);
    return {
      deployment,
      alternateTargetGroupArn: this.routing.alternateTargetGroups[svc.name].arn,
      productionListenerRuleArn: this.routing.productionRules[svc.name].arn,
      testListenerRuleArn: this.routing.testRules[svc.name].arn,
      infrastructureRoleArn: this.progressive.infrastructureRoleArn,
      hookFunctionArn: this.progressive.hookFunctionArn,
      hookRoleArn: this.progressive.hookRoleArn,
      hookDetails: hookDetails({ stack: this.config.stack, service: svc.name, verdictParameter, deployment }),
      ready: this.progressive.ready,
    };
  }

  /** The `deployment` output, once every value it names is known. */
  private manifest(): pulumi.Output<EcsManifest> {
    const config = this.config;
    const services = pulumi
      .all(
        config.services.map((s) => {
          const svc = this.services[s.name];
          const alternate = this.routing.alternateTargetGroups[s.name]?.arnSuffix ?? pulumi.output(undefined);
          const migration = this.migrations[s.name];
          const migrationDeployed = migration
            ? pulumi
                .all([
                  migration.taskDefinition.arn,
                  migration.logGroup.name,
                  this.network.privateSubnetIds,
                  svc.securityGroupId,
                  svc.repository.repositoryUrl,
                ])
                .apply(([taskDefinitionArn, logGroup, subnets, securityGroup, repositoryUrl]) => ({
                  taskDefinitionArn,
                  family: migration.family,
                  containerName: MIGRATION_CONTAINER,
                  repositoryUrl,
                  logGroup,
                  logStreamPrefix: MIGRATION_STREAM_PREFIX,
                  subnets,
                  securityGroups: [securityGroup],
                }))
            : pulumi.output(undefined);
          return pulumi
            .all([
              svc.ecsService.name,
              svc.taskDefinition.arn,
              this.routing.targetGroups[s.name].arnSuffix,
              this.loadBalancer.arnSuffix,
              svc.logGroup.name,
              alternate,
              migrationDeployed,
            ])
            .apply(
              ([ecsService, taskDefinitionArn, targetGroup, loadBalancer, logGroup, alternateTargetGroup, migrationTask]): [
                string,
                DeployedService,
              ] => [
                s.name,
                {
                  ecsService,
                  taskDefinitionArn,
                  targetGroup,
                  loadBalancer,
                  logGroup,
                  ...(alternateTargetGroup ? { alternateTargetGroup } : {}),
                  ...(migrationTask ? { migration: migrationTask } : {}),
                },
              ],
            );
        }),
      )
      .apply((entries) => Object.fromEntries(entries));
    const history = this.history
      ? pulumi.all([this.history.bucketName, this.history.lockTableName]).apply(([bucket, lockTable]) => ({ bucket, lockTable }))
      : pulumi.output(undefined);
    return pulumi
      .all([
        this.cluster.name,
        this.loadBalancer.dnsName,
        this.alerts.warningTopicArn,
        this.alerts.criticalTopicArn,
        pulumi.output(this.alerts.slackWebhookUrlParameter),
        pulumi.output(this.alerts.pagerDutyRoutingKeyParameter),
        history,
        services,
      ])
      .apply(([cluster, albDnsName, warningTopicArn, criticalTopicArn, slack, pagerDuty, hist, deployed]) =>
        buildManifest(config, {
          cluster,
          albDnsName,
          warningTopicArn,
          criticalTopicArn,
          slackWebhookUrlParameter: slack,
          pagerDutyRoutingKeyParameter: pagerDuty,
          history: hist,
          services: deployed,
        }),
      );
  }
}

/** Builds the environment for a parsed stack config: the component is named `<project>-<stack>`. */
export function buildEnvironment(config: EnvironmentConfig, opts?: pulumi.ComponentResourceOptions): Environment {
  return new Environment(environmentName(config.project, config.stack), { config }, opts);
}
