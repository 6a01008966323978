import { DEFAULT_ROLLING, type RollingBounds } from "../../contract/tiers";
import { ecsRollingSettings } from "./lib/rolling";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmsConfig, ProgressiveDeploymentConfig, ServiceConfig } from "../config";
import { containerDefinition } from "./lib/containers";
import { ecsDeploymentConfiguration, HOOK_STAGES, type HookDetails } from "./lib/progressive";
import { secretReference } from "./lib/policies";
import { Repository } from "./repository";
import { ServiceAlarms } from "./serviceAlarms";
import { TaskRoles } from "./taskRoles";

export interface ServiceArgs {
  project: string;
  stack: string;
  /** The service's config, every default applied. */
  service: ServiceConfig;
  region: string;
  partition: string;
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
  /** Listeners and rules: the target group must be attached to the load balancer before the service. */
  routeAttachments: pulumi.Resource[];
  alarms: AlarmsConfig;
  warningTopicArn: pulumi.Input<string>;
  criticalTopicArn: pulumi.Input<string>;
  repositoryName: string;
  logGroupName: string;
  logRetentionDays: number;
  /** Encrypt the log group with this key. @default CloudWatch Logs' own encryption */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Keep the log group when the stack is destroyed. @default false */
  retainLogs?: boolean;
  /** ECR: images kept, days before untagged expire, force delete. @default 30, 7, false */
  keepImages?: number;
  untaggedImageDays?: number;
  forceDelete?: boolean;
  tags: Record<string, string>;
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
    const svc = args.service;
    const parent = { parent: this };
    const tags = args.tags;

    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: `${svc.name}: port ${svc.port} from the load balancer only`,
        tags: { ...tags, Name: `${name}-sg` },
      },
      parent,
    );
    const fromAlb = { ipProtocol: "tcp", fromPort: svc.port, toPort: svc.port, tags };
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
        repositoryName: args.repositoryName,
        keepImages: args.keepImages,
        untaggedImageDays: args.untaggedImageDays,
        forceDelete: args.forceDelete,
        tags,
      },
      parent,
    );
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: args.logGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: args.logKmsKeyArn, tags },
      { parent: this, retainOnDelete: args.retainLogs ?? false },
    );
    this.roles = new TaskRoles(
      name,
      {
        partition: args.partition,
        region: args.region,
        accountId: args.accountId,
        repositoryArn: this.repository.arn,
        logGroupArn: this.logGroup.arn,
        secrets: svc.secrets,
        tags,
      },
      parent,
    );

    const containers = pulumi.all([this.repository.repositoryUrl, args.accountId]).apply(([repositoryUrl, accountId]) => {
      const ctx = { partition: args.partition, region: args.region, accountId };
      const secrets = Object.fromEntries(Object.entries(svc.secrets).map(([k, v]) => [k, secretReference(v, ctx).valueFrom]));
      const image = `${repositoryUrl}:${svc.image.tag}`;
      return JSON.stringify([containerDefinition({ service: svc, image, logGroup: args.logGroupName, region: args.region, secrets })]);
    });
    this.taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: `${args.project}-${args.stack}-${svc.name}`,
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
        alarms: args.alarms,
        minimumTasks: svc.autoscaling?.min ?? svc.desiredCount,
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
            containerPort: svc.port,
            advancedConfiguration: advanced(args.progressive),
          },
        ],
        deploymentConfiguration: deploymentConfiguration(args.progressive),
        healthCheckGracePeriodSeconds: 60,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        ...ecsRollingSettings(args.rolling ?? DEFAULT_ROLLING, svc.autoscaling?.min ?? svc.desiredCount),
        alarms: { alarmNames: this.alarms.deploymentAlarmNames, enable: true, rollback: true },
        propagateTags: "SERVICE",
        enableEcsManagedTags: true,
        waitForSteadyState: false,
        tags,
      },
      {
        parent: this,
        dependsOn: [...args.routeAttachments, this.roles.executionPolicy, ...(args.progressive?.ready ?? [])],
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
