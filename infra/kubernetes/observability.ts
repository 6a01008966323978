import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AlertRule } from "./rules";
import type { GrafanaDashboard } from "./dashboardModel";

export interface ObservabilityArgs {
  namespace: pulumi.Input<string>;
  stack: string;
  /** The rules (rules.ts alertRules) the PrometheusRule groups. */
  rules: AlertRule[];
  /** The Grafana dashboard (dashboardModel.ts) the ConfigMap carries. */
  dashboard: GrafanaDashboard;
  /** Label the Prometheus operator selects rules by. @default { release: "prometheus" } */
  ruleSelectorLabels?: Record<string, string>;
}

/**
 * The stack's alerting and dashboard: a PrometheusRule (monitoring.coreos.com/v1, for the Prometheus
 * operator) and a ConfigMap labelled grafana_dashboard "1" that Grafana's sidecar provisions.
 */
export class Observability extends pulumi.ComponentResource {
  public readonly prometheusRule: k8s.apiextensions.CustomResource;
  public readonly dashboardConfigMap: k8s.core.v1.ConfigMap;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:kubernetes:Observability", name, {}, opts);
    const parent = { parent: this };
    const labels = { "app.kubernetes.io/instance": args.stack, "app.kubernetes.io/managed-by": "pulumi" };
    this.prometheusRule = new k8s.apiextensions.CustomResource(
      `${name}-rules`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: {
          name: `delivery-${args.stack}`,
          namespace: args.namespace,
          labels: { ...labels, ...(args.ruleSelectorLabels ?? { release: "prometheus" }) },
        },
        spec: { groups: [{ name: `delivery-${args.stack}`, rules: args.rules }] },
      },
      parent,
    );
    this.dashboardConfigMap = new k8s.core.v1.ConfigMap(
      `${name}-dashboard`,
      {
        metadata: { name: `delivery-${args.stack}-dashboard`, namespace: args.namespace, labels: { ...labels, grafana_dashboard: "1" } },
        data: { [`delivery-${args.stack}.json`]: JSON.stringify(args.dashboard) },
      },
      parent,
    );
    this.registerOutputs({});
  }
}
