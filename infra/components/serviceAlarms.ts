import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmsConfig } from "../config";
import { type AlarmDefinition, type MetricSpec, serviceAlarmDefinitions } from "./lib/alarms";
import type { AlarmKey } from "./lib/naming";

export interface ServiceAlarmsArgs {
  project: string;
  stack: string;
  service: string;
  cluster: string;
  /** The cluster's ARN (the task-stops metric's dimension). */
  clusterArn: pulumi.Input<string>;
  ecsService: string;
  targetGroupArnSuffix: pulumi.Input<string>;
  loadBalancerArnSuffix: pulumi.Input<string>;
  alarms: AlarmsConfig;
  minimumTasks: number;
  warningTopicArn: pulumi.Input<string>;
  criticalTopicArn: pulumi.Input<string>;
  tags: Record<string, string>;
}

/**
 * A service's CloudWatch alarms (see lib/alarms.ts for each one and its missing-data choice):
 * warning alarms notify the warning topic, critical ones the critical topic, on ALARM and on OK.
 */
export class ServiceAlarms extends pulumi.ComponentResource {
  public readonly alarms: Record<AlarmKey, aws.cloudwatch.MetricAlarm>;
  /** The alarms ECS watches during a deployment; resolves once they exist. */
  public readonly deploymentAlarmNames: pulumi.Output<string[]>;

  constructor(name: string, args: ServiceAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:alarms:ServiceAlarms", name, {}, opts);
    const definitions = serviceAlarmDefinitions<pulumi.Input<string>>({
      project: args.project,
      stack: args.stack,
      service: args.service,
      cluster: args.cluster,
      clusterArn: args.clusterArn,
      ecsService: args.ecsService,
      targetGroup: args.targetGroupArnSuffix,
      loadBalancer: args.loadBalancerArnSuffix,
      alarms: args.alarms,
      minimumTasks: args.minimumTasks,
    });
    const alarms = {} as Record<AlarmKey, aws.cloudwatch.MetricAlarm>;
    for (const def of definitions) {
      const topic = def.severity === "critical" ? args.criticalTopicArn : args.warningTopicArn;
      alarms[def.key] = new aws.cloudwatch.MetricAlarm(
        `${name}-${def.key}`,
        { ...alarmInputs(def), alarmActions: [topic], okActions: [topic], tags: { ...args.tags, severity: def.severity } },
        { parent: this },
      );
    }
    this.alarms = alarms;
    // The alarm resources' names (not the strings): ECS then waits until the alarms exist.
    this.deploymentAlarmNames = pulumi.all(definitions.filter((d) => d.rollback).map((d) => alarms[d.key].name));
    this.registerOutputs({ deploymentAlarmNames: this.deploymentAlarmNames });
  }
}

/** MetricAlarm inputs for a definition: one metric (statistic or percentile) or metric math. */
export function alarmInputs(def: Omit<AlarmDefinition<pulumi.Input<string>>, "key">): aws.cloudwatch.MetricAlarmArgs {
  const common: aws.cloudwatch.MetricAlarmArgs = {
    name: def.name,
    alarmDescription: def.description,
    comparisonOperator: def.comparison,
    threshold: def.threshold,
    evaluationPeriods: def.evaluationPeriods,
    datapointsToAlarm: def.datapointsToAlarm,
    treatMissingData: def.treatMissingData,
  };
  if (def.metric) {
    const percentile = /^p\d+(\.\d+)?$/.test(def.metric.stat);
    return {
      ...common,
      namespace: def.metric.namespace,
      metricName: def.metric.metricName,
      period: def.period,
      dimensions: def.metric.dimensions,
      ...(percentile ? { extendedStatistic: def.metric.stat } : { statistic: def.metric.stat }),
    };
  }
  return {
    ...common,
    metricQueries: (def.queries ?? []).map((q) => ({
      id: q.id,
      label: q.label,
      returnData: q.returnData,
      expression: q.expression,
      metric: q.metric ? metricStat(q.metric, def.period) : undefined,
    })),
  };
}

function metricStat(m: MetricSpec<pulumi.Input<string>>, period: number): aws.types.input.cloudwatch.MetricAlarmMetricQueryMetric {
  return { namespace: m.namespace, metricName: m.metricName, stat: m.stat, period, dimensions: m.dimensions };
}
