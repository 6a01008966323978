import type { RollingBounds } from "../../contract/tiers";
import { ecsRollingSettings } from "./lib/rolling";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmsConfig, AutoscalingConfig, ProgressiveDeploymentConfig } from "../config";
import { containerDefinition } from "./lib/containers";
import { ecsDeploymentConfiguration, HOOK_STAGES, type HookDetails } from "./lib/progressive";
import { secretReference } from "./lib/policies";
import { SERVICE_DEFAULTS, serviceSettings } from "./lib/serviceSettings";
import { Repository } from "./repository";
import { ServiceAlarms } from "./serviceAlarms";
import { TaskRoles } from "./taskRoles";

/**
 * The args of one ECS service. Flat: names, numbers and strings, and Inputs of other resources'
 * outputs (the network, cluster, load balancer and topics it attaches to); every optional field
 * says its default (see lib/serviceSettings.ts).
 */
export interface ServiceArgs {
  /** Names the alarms (`<project>-<stack>-<service>-...`). */
  project: string;
  stack: string;
  /** The ECS service's name; also its container's name and the alarms' service. */
  serviceName: string;
  /** The image tag in the service's own ECR repository: the task runs `<repositoryUrl>:<imageTag>`. */
  imageTag: pulumi.Input<string>;
  /** The port the container listens on (the load balancer's target port). */
  port: number;
  /** The container's and the load balancer's health check path. @default "/health" */
  healthCheckPath?: string;
  /** Fargate CPU units. @default 256 */
  cpu?: number;
  /** Fargate memory in MiB (a size Fargate accepts with `cpu`). @default 512 */
  memory?: number;
  /** Tasks to run; with `autoscaling`, only the first deploy sets it. @default 1 */
  desiredCount?: number;
  /** CPU target tracking between min and max tasks; the service's running count is then left to it. @default none */
  autoscaling?: AutoscalingConfig;
  /** Plain container environment. @default {} */
  environment?: Record<string, string>;
  /** Container variable -> Secrets Manager secret or SSM parameter (name or ARN). @default {} */
  secrets?: Record<string, string>;
  /** Run the container with a read-only root filesystem. @default false */
  readonlyRootFilesystem?: boolean;
  /** The task definition's family. @default the component's name */
  family?: string;
  region: string;
  /** @default the region's partition (aws, aws-cn or aws-us-gov) */
  partition?: string;
  accountId: pulumi.Input<string>;
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  albSecurityGroupId: pulumi.Input<string>;
  clusterArn: pulumi.Input<string>;
  /** The cluster's name (explicit: the alarms' dimensions need it before deployment). */
  clusterName: string;
  targetGroupArn: pulumi.Input<string>;
  targetGroupArnSuffix: pulumi.Input<string>;
  loadBalancerArnSuffix: pulumi.Input<string>;
  /** Listeners and rules: the target group must be attached to the load balancer before the service. @default [] */
  routeAttachments?: pulumi.Resource[];
  /** Alarm thresholds. @default DEFAULT_ALARMS (infra/config/resolve.ts); given fields override it */
  alarms?: Partial<AlarmsConfig>;
  warningTopicArn: pulumi.Input<string>;
  criticalTopicArn: pulumi.Input<string>;
  /** The ECR repository's name. @default the component's name */
  repositoryName?: string;
  /** @default "/ecs/<component name>" */
  logGroupName?: string;
  /** @default 30 */
  logRetentionDays?: number;
  /** Encrypt the log group with this key. @default CloudWatch Logs' own encryption */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Keep the log group when the stack is destroyed. @default false */
  retainLogs?: boolean;
  /** ECR: images kept, days before untagged expire, force delete. @default 30, 7, false */
  keepImages?: number;
  untaggedImageDays?: number;
  forceDelete?: boolean;
  /** @default {} */
  tags?: Record<string, string>;
  /** Bounds of a rolling update. @default { maxSurge: 1, maxUnavailable: 0, minReadySeconds: 10 } */
  rolling?: RollingBounds;
  /** A progressive deployment (canary, linear, blue/green) and what ECS needs for it. @default rolling */
  progressive?: ProgressiveServiceArgs;
}

/** What a service deployed progressively points ECS at (routing and ProgressiveDelivery make them). */
export interface ProgressiveServiceArgs {
  deployment: ProgressiveDeploymentConfig;
  alternateTargetGroupArn: pulumi.Input<string>;
  productionListenerRuleArn: pulumi.Input<string>;
  testListenerRuleArn: pulumi.Input<string>;
  /** The role ECS assumes to move traffic on the load balancer. */
  infrastructureRoleArn: pulumi.Input<string>;
  hookFunctionArn: pulumi.Input<string>;
  /** The role ECS assumes to invoke the hook. */
  hookRoleArn: pulumi.Input<string>;
  hookDetails: HookDetails;
  /** The hook and the roles' policies: the service waits for them. */
  ready: pulumi.Resource[];
}

/**
 * One Fargate service behind the load balancer: its ECR repository, log group, task and execution
 * roles, security group (only the ALB, on its port), task definition, alarms and the ECS service
 * (circuit breaker and deployment alarms with rollback, rolling update that never drops below
 * desired, or with `progressive` ECS's canary / linear / blue-green strategy gated by the lifecycle
 * hook), and CPU target tracking when autoscaling is configured.
 */
export class Service extends pulumi.ComponentResource {
  public readonly repository: Repository;
  public readonly logGroup: aws.cloudwatch.LogGroup;
  public readonly roles: TaskRoles;
  public readonly taskDefinition: aws.ecs.TaskDefinition;
  public readonly alarms: ServiceAlarms;
  public readonly ecsService: aws.ecs.Service;
  public readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:ecs:Service", name, {}, opts);
    // Defaults first, the caller's args over them: every optional arg is resolved here, once.
    const svc = serviceSettings(name, args);
    const port = args.port;
    const parent = { parent: this };
    const tags = svc.tags;

    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: `${svc.name}: port ${port} from the load balancer only`,
        tags: { ...tags, Name: `${name}-sg` },
      },
      parent,
    );
    const fromAlb = { ipProtocol: "tcp", fromPort: port, toPort: port, tags };
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-from-alb`,
      { ...fromAlb, securityGroupId: sg.id, referencedSecurityGroupId: args.albSecurityGroupId, description: "From the load balancer" },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-alb-to-service`,
      { ...fromAlb, securityGroupId: args.albSecurityGroupId, referencedSecurityGroupId: sg.id, description: `To ${svc.name}` },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-egress`,
      {
        securityGroupId: sg.id,
        ipProtocol: "-1",
        cidrIpv4: "0.0.0.0/0",
        description: "Image pulls, logs, secrets and the service outbound calls (through NAT)",
        tags,
      },
      parent,
    );

    this.repository = new Repository(
      name,
      {
        repositoryName: svc.repositoryName,
        keepImages: args.keepImages,
        untaggedImageDays: args.untaggedImageDays,
        forceDelete: args.forceDelete,
        tags,
      },
      parent,
    );
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: svc.logGroupName, retentionInDays: svc.logRetentionDays, kmsKeyId: args.logKmsKeyArn, tags },
      { parent: this, retainOnDelete: svc.retainLogs },
    );
    this.roles = new TaskRoles(
      name,
      {
        partition: svc.partition,
        region: args.region,
        accountId: args.accountId,
        repositoryArn: this.repository.arn,
        logGroupArn: this.logGroup.arn,
        secrets: svc.secrets,
        tags,
      },
      parent,
    );

    const container = { ...svc, port };
    const containers = pulumi
      .all([this.repository.repositoryUrl, args.imageTag, args.accountId])
      .apply(([repositoryUrl, tag, accountId]) => {
        const ctx = { partition: svc.partition, region: args.region, accountId };
        const secrets = Object.fromEntries(Object.entries(svc.secrets).map(([k, v]) => [k, secretReference(v, ctx).valueFrom]));
        const image = `${repositoryUrl}:${tag}`;
        return JSON.stringify([
          containerDefinition({ service: container, image, logGroup: svc.logGroupName, region: args.region, secrets }),
        ]);
      });
    this.taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: svc.family,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(svc.cpu),
        memory: String(svc.memory),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        executionRoleArn: this.roles.executionRoleArn,
        taskRoleArn: this.roles.taskRoleArn,
        containerDefinitions: containers,
        // Keep replaced revisions ACTIVE: a rollback's fast path points the service back at the last good one (ECS refuses an INACTIVE one).
        skipDestroy: true,
        tags,
      },
      parent,
    );

    this.alarms = new ServiceAlarms(
      name,
      {
        project: args.project,
        stack: args.stack,
        service: svc.name,
        cluster: args.clusterName,
        clusterArn: args.clusterArn,
        ecsService: svc.name,
        targetGroupArnSuffix: args.targetGroupArnSuffix,
        loadBalancerArnSuffix: args.loadBalancerArnSuffix,
        alarms: svc.alarms,
        minimumTasks: svc.minimumTasks,
        warningTopicArn: args.warningTopicArn,
        criticalTopicArn: args.criticalTopicArn,
        tags,
      },
      parent,
    );

    this.ecsService = new aws.ecs.Service(
      name,
      {
        name: svc.name,
        cluster: args.clusterArn,
        taskDefinition: this.taskDefinition.arn,
        desiredCount: svc.desiredCount,
        launchType: "FARGATE",
        platformVersion: "LATEST",
        networkConfiguration: { subnets: args.privateSubnetIds, securityGroups: [sg.id], assignPublicIp: false },
        loadBalancers: [
          {
            targetGroupArn: args.targetGroupArn,
            containerName: svc.name,
            containerPort: port,
            advancedConfiguration: advanced(args.progressive),
          },
        ],
        deploymentConfiguration: deploymentConfiguration(args.progressive),
        healthCheckGracePeriodSeconds: SERVICE_DEFAULTS.healthCheckGracePeriodSeconds,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        ...ecsRollingSettings(svc.rolling, svc.minimumTasks),
        alarms: { alarmNames: this.alarms.deploymentAlarmNames, enable: true, rollback: true },
        propagateTags: "SERVICE",
        enableEcsManagedTags: true,
        waitForSteadyState: false,
        tags,
      },
      {
        parent: this,
        dependsOn: [...(args.routeAttachments ?? []), this.roles.executionPolicy, ...(args.progressive?.ready ?? [])],
        // Autoscaling owns the running count once it is on: a deploy must not reset it.
        ignoreChanges: svc.autoscaling ? ["desiredCount"] : [],
      },
    );

    if (svc.autoscaling) {
      const target = new aws.appautoscaling.Target(
        `${name}-scaling`,
        {
          serviceNamespace: "ecs",
          scalableDimension: "ecs:service:DesiredCount",
          resourceId: pulumi.interpolate`service/${args.clusterName}/${this.ecsService.name}`,
          minCapacity: svc.autoscaling.min,
          maxCapacity: svc.autoscaling.max,
          tags,
        },
        parent,
      );
      new aws.appautoscaling.Policy(
        `${name}-cpu`,
        {
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
            targetValue: svc.autoscaling.cpuTargetPercent,
            scaleInCooldown: 300,
            scaleOutCooldown: 60,
          },
        },
        parent,
      );
    }

    this.securityGroupId = sg.id;
    this.registerOutputs({
      ecsServiceName: this.ecsService.name,
      taskDefinitionArn: this.taskDefinition.arn,
      repositoryUrl: this.repository.repositoryUrl,
      logGroupName: this.logGroup.name,
    });
  }
}

/** The second target group and the rules ECS moves traffic with (progressive services only). */
function advanced(p: ProgressiveServiceArgs | undefined): aws.types.input.ecs.ServiceLoadBalancerAdvancedConfiguration | undefined {
  if (!p) return undefined;
  return {
    alternateTargetGroupArn: p.alternateTargetGroupArn,
    productionListenerRule: p.productionListenerRuleArn,
    testListenerRule: p.testListenerRuleArn,
    roleArn: p.infrastructureRoleArn,
  };
}

/** ECS's native strategy with the lifecycle hook at every production traffic shift (progressive services only). */
function deploymentConfiguration(p: ProgressiveServiceArgs | undefined): aws.types.input.ecs.ServiceDeploymentConfiguration | undefined {
  if (!p) return undefined;
  return {
    ...ecsDeploymentConfiguration(p.deployment),
    lifecycleHooks: [
      {
        hookTargetArn: p.hookFunctionArn,
        roleArn: p.hookRoleArn,
        lifecycleStages: [...HOOK_STAGES],
        hookDetails: JSON.stringify(p.hookDetails),
      },
    ],
  };
}
