import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ClusterArgs {
  /** The cluster's name: `<project>-<stack>`. */
  clusterName: string;
  /** Container Insights level: "enabled", or "enhanced" for per-task metrics. @default "enabled" */
  containerInsights?: "enabled" | "enhanced";
  tags: Record<string, string>;
}

/**
 * The environment's ECS cluster, with Container Insights on: the running-task alarms and the
 * dashboard read its ECS/ContainerInsights metrics (RunningTaskCount, DeploymentCount).
 */
export class Cluster extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;
  public readonly name: pulumi.Output<string>;
  public readonly cluster: aws.ecs.Cluster;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:ecs:Cluster", name, {}, opts);
    this.cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      {
        name: args.clusterName,
        settings: [{ name: "containerInsights", value: args.containerInsights ?? "enabled" }],
        tags: args.tags,
      },
      { parent: this },
    );
    this.arn = this.cluster.arn;
    this.name = this.cluster.name;
    this.registerOutputs({ arn: this.arn, name: this.name });
  }
}
