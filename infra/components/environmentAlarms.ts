import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { certificateExpiryAlarm, TASK_STOPS_FILTER, taskStopEventPattern } from "./lib/alarms";
import { eventsToLogGroupPolicy } from "./lib/policies";
import { alarmInputs } from "./serviceAlarms";

export interface EnvironmentAlarmsArgs {
  accountId: pulumi.Input<string>;
  clusterArn: pulumi.Input<string>;
  /** Where the cluster's task-stop events are kept (`/aws/events/<project>/<stack>/task-stops`). */
  taskStopLogGroupName: string;
  /** The CloudWatch Logs resource policy's name (one per environment). */
  taskStopLogPolicyName: string;
  logRetentionDays: number;
  /** Encrypts the events' log group. @default none (CloudWatch Logs' own encryption) */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Keep the log group when the stack is destroyed. @default false */
  retainLogs?: boolean;
  /** The HTTPS listener's ACM certificate: adds the certificate-expiry alarm. @default none (no HTTPS listener) */
  certificate?: { arn: string; alarmName: string };
  warningTopicArn: pulumi.Input<string>;
  tags: Record<string, string>;
}

/**
 * The environment's alarm plumbing that is not one service's: ECS task-stop events (an essential
 * container exited) routed by EventBridge into a log group and counted by a metric filter into
 * Delivery/TaskStops per cluster ARN and service group (each service's task-stops alarm watches its
 * own), and the HTTPS certificate's expiry alarm (warning topic).
 */
export class EnvironmentAlarms extends pulumi.ComponentResource {
  public readonly taskStopLogGroup: aws.cloudwatch.LogGroup;
  public readonly taskStopRule: aws.cloudwatch.EventRule;
  public readonly certificateExpiry?: aws.cloudwatch.MetricAlarm;

  constructor(name: string, args: EnvironmentAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:alarms:EnvironmentAlarms", name, {}, opts);
    const parent = { parent: this };

    this.taskStopLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-task-stops`,
      {
        name: args.taskStopLogGroupName,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.logKmsKeyArn,
        tags: args.tags,
      },
      { parent: this, retainOnDelete: args.retainLogs ?? false },
    );
    const logPolicy = new aws.cloudwatch.LogResourcePolicy(
      `${name}-task-stops`,
      {
        policyName: args.taskStopLogPolicyName,
        policyDocument: pulumi
          .all([args.accountId, this.taskStopLogGroup.arn])
          .apply(([accountId, arn]) => JSON.stringify(eventsToLogGroupPolicy({ accountId }, arn))),
      },
      parent,
    );
    this.taskStopRule = new aws.cloudwatch.EventRule(
      `${name}-task-stops`,
      {
        description: "A service task stopped because an essential container exited",
        eventPattern: pulumi.output(args.clusterArn).apply((arn) => JSON.stringify(taskStopEventPattern(arn))),
        tags: args.tags,
      },
      parent,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-task-stops-to-logs`,
      { rule: this.taskStopRule.name, arn: this.taskStopLogGroup.arn },
      { parent: this, dependsOn: [logPolicy] },
    );
    new aws.cloudwatch.LogMetricFilter(
      `${name}-task-stops`,
      {
        logGroupName: this.taskStopLogGroup.name,
        pattern: TASK_STOPS_FILTER.pattern,
        metricTransformation: { ...TASK_STOPS_FILTER.metricTransformation },
      },
      parent,
    );

    if (args.certificate) {
      const def = certificateExpiryAlarm({ name: args.certificate.alarmName, certificateArn: args.certificate.arn });
      this.certificateExpiry = new aws.cloudwatch.MetricAlarm(
        `${name}-certificate-expiry`,
        {
          ...alarmInputs(def),
          alarmActions: [args.warningTopicArn],
          okActions: [args.warningTopicArn],
          tags: { ...args.tags, severity: def.severity },
        },
        parent,
      );
    }
    this.registerOutputs({});
  }
}
