import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmsConfig } from "../config";
import { type DashboardService, dashboardBody } from "./lib/dashboard";
import { dashboardUrl } from "./lib/naming";

/** A service on the dashboard; the ARN suffixes are known after deployment. */
export interface DashboardServiceInput {
  name: string;
  cluster: string;
  ecsService: string;
  targetGroup: pulumi.Input<string>;
  loadBalancer: pulumi.Input<string>;
}

export interface DashboardArgs {
  dashboardName: string;
  region: string;
  services: DashboardServiceInput[];
  alarms: AlarmsConfig;
}

/**
 * The environment's CloudWatch dashboard: deploys, running tasks, 5xx error rate, requests,
 * latency p50/p95/p99, CPU and memory, every service on each graph, alarm thresholds drawn.
 */
export class Dashboard extends pulumi.ComponentResource {
  public readonly name: pulumi.Output<string>;
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: DashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:monitoring:Dashboard", name, {}, opts);
    const services = pulumi.all(
      args.services.map((s) =>
        pulumi.all([s.targetGroup, s.loadBalancer]).apply(
          ([targetGroup, loadBalancer]): DashboardService => ({
            name: s.name,
            cluster: s.cluster,
            ecsService: s.ecsService,
            targetGroup,
            loadBalancer,
          }),
        ),
      ),
    );
    const body = services.apply((resolved) =>
      JSON.stringify(dashboardBody({ title: args.dashboardName, region: args.region, services: resolved, alarms: args.alarms })),
    );
    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      { dashboardName: args.dashboardName, dashboardBody: body },
      { parent: this },
    );
    this.name = dashboard.dashboardName;
    this.url = pulumi.output(dashboardUrl(args.region, args.dashboardName));
    this.registerOutputs({ name: this.name, url: this.url });
  }
}
