import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorLabels } from "./settings";

export interface ScalingArgs {
  namespace: pulumi.Input<string>;
  service: string;
  stack: string;
  /** The Deployment the autoscaler scales. */
  deploymentName: pulumi.Input<string>;
  /** HorizontalPodAutoscaler bounds and CPU target; undefined: no autoscaler. @default none */
  autoscaling?: { min: number; max: number; cpuTargetPercent: number };
  /** Pods kept available during voluntary disruptions (a PodDisruptionBudget); undefined: none. @default none */
  minAvailable?: number;
}

/** A service's HorizontalPodAutoscaler (autoscaling/v2, on CPU) and PodDisruptionBudget, when its tier has them. */
export class Scaling extends pulumi.ComponentResource {
  public readonly autoscaler?: k8s.autoscaling.v2.HorizontalPodAutoscaler;
  public readonly disruptionBudget?: k8s.policy.v1.PodDisruptionBudget;

  constructor(name: string, args: ScalingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:kubernetes:Scaling", name, {}, opts);
    const parent = { parent: this };
    const metadata = { name: args.service, namespace: args.namespace, labels: selectorLabels(args.service, args.stack) };
    if (args.autoscaling) {
      this.autoscaler = new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        `${name}-hpa`,
        {
          metadata,
          spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: args.deploymentName },
            minReplicas: args.autoscaling.min,
            maxReplicas: args.autoscaling.max,
            metrics: [
              {
                type: "Resource",
                resource: { name: "cpu", target: { type: "Utilization", averageUtilization: args.autoscaling.cpuTargetPercent } },
              },
            ],
          },
        },
        parent,
      );
    }
    if (args.minAvailable !== undefined) {
      this.disruptionBudget = new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        { metadata, spec: { minAvailable: args.minAvailable, selector: { matchLabels: selectorLabels(args.service, args.stack) } } },
        parent,
      );
    }
    this.registerOutputs({});
  }
}
