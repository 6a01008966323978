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
  /** The stack's name: the `Stack` dimension of deployctl's Delivery metrics. */
  stack: string;
  services: DashboardServiceInput[];
  alarms: AlarmsConfig;
  /** The alarms whose state the dashboard lists (at most 100 per alarm widget; more make more widgets). @default none */
  alarmArns?: pulumi.Input<string>[];
}

/**
 * The environment's CloudWatch dashboard, what a release needs at a glance: the alarms' states,
 * deploys and rollbacks and the running revision (deployctl's Delivery metrics), validations, task
 * restarts, deployments in progress, running tasks, 5xx and 4xx rates, requests per second, latency
 * p50/p95/p99, CPU and memory; every service on each graph, alarm thresholds drawn.
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
    const body = pulumi.all([services, pulumi.all(args.alarmArns ?? [])]).apply(([resolved, alarmArns]) =>
      JSON.stringify(
        dashboardBody({
          title: args.dashboardName,
          region: args.region,
          stack: args.stack,
          services: resolved,
          alarms: args.alarms,
          alarmArns,
        }),
      ),
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
