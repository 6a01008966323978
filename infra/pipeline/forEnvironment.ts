import type * as pulumi from "@pulumi/pulumi";
import type { PipelineConfig } from "../config";
import { progressiveWatchMinutes } from "../components/lib/progressive";
import type { Environment } from "../environment";
import { DeliveryPipeline } from "./deliveryPipeline";

/** The environment's delivery pipeline, wired to what the environment created (a child of the environment). */
export function environmentPipeline(
  name: string,
  env: Environment,
  config: PipelineConfig,
  options: { encryptLogs: boolean; forceDestroy: boolean; tags: Record<string, string> },
  opts: pulumi.ComponentResourceOptions,
): DeliveryPipeline {
  const { project, stack, services, logRetentionDays } = env.config;
  return new DeliveryPipeline(
    name,
    {
      pipelineName: `${project}-${stack}`,
      project,
      stack,
      config,
      services: services.map((s) => {
        const svc = env.services[s.name];
        return {
          name: s.name,
          repositoryUrl: svc.repository.repositoryUrl,
          repositoryArn: svc.repository.arn,
          ecsServiceArn: svc.ecsService.id,
          logGroupArn: svc.logGroup.arn,
          taskRoleArn: svc.roles.taskRoleArn,
          executionRoleArn: svc.roles.executionRoleArn,
          ...(env.migrations[s.name] ? { migrationLogGroupArn: env.migrations[s.name].logGroup.arn } : {}),
        };
      }),
      clusterArn: env.cluster.arn,
      warningTopicArn: env.alerts.warningTopicArn,
      criticalTopicArn: env.alerts.criticalTopicArn,
      kmsKeyArn: env.key.arn,
      recordBucketArn: env.history?.bucketArn,
      lockTableArn: env.history?.lockTableArn,
      progressive: env.progressive && {
        infrastructureRoleArn: env.progressive.infrastructureRoleArn,
        hookRoleArn: env.progressive.hookRoleArn,
        maxMinutes: progressiveWatchMinutes(services.map((s) => s.deployment)),
      },
      logRetentionDays,
      encryptLogs: options.encryptLogs,
      forceDestroy: options.forceDestroy,
      tags: options.tags,
    },
    opts,
  );
}
