import type { StackValidationPolicy } from "@pulumi/policy";
import { ofType, type StackResource, stackRule } from "./lib/define";
import { arr, rec, str, strings, tagsOf } from "./lib/values";

const SERVICE = "aws:ecs/service:Service";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";

/** The service an ECS service resource runs: its `service` tag, else its name. */
function serviceKey(service: StackResource): string {
  return tagsOf(service.props).service ?? str(service.props.name) ?? service.name;
}

/** An alarm belongs to a service by its `service` tag, else by its name (`<project>-<stack>-<service>-<alarm>`). */
function belongsTo(alarm: StackResource, key: string): boolean {
  const tagged = tagsOf(alarm.props).service;
  if (tagged !== undefined) return tagged === key;
  return (str(alarm.props.name) ?? alarm.name).includes(`-${key}-`);
}

/** Whether the alarm watches 5xx responses (one metric, or any metric of its metric math). */
function watches5xx(alarm: StackResource): boolean {
  const names = [alarm.props.metricName, ...arr(alarm.props.metricQueries).map((q) => rec(rec(q)?.metric)?.metricName)];
  return names.some((n) => typeof n === "string" && /5XX/i.test(n));
}

/** The critical topic(s): tagged `severity: critical`, or named so. Their ARN (the engine's output), else their id (an SNS topic's id is its ARN). */
function criticalTopicArns(resources: readonly StackResource[]): string[] {
  return ofType(resources, TOPIC)
    .filter((t) => tagsOf(t.props).severity === "critical" || /critical/i.test(str(t.props.name) ?? t.name))
    .map((t) => str(t.props.arn) ?? str(t.props.id))
    .filter((arn): arn is string => arn !== undefined);
}

export const alarmsService5xxCritical = stackRule({
  name: "alarms-service-5xx-critical",
  description: "Every ECS service has a 5xx error-rate alarm that notifies the critical alert topic (the one that pages).",
  remediation:
    "Give the service a MetricAlarm on HTTPCode_Target_5XX_Count (ServiceAlarms' error-rate-critical), tagged with the service, whose alarmActions include the critical SNS topic (tagged severity=critical).",
  severity: "high",
  validate(resources, ctx) {
    const critical = criticalTopicArns(resources);
    const alarms = ofType(resources, ALARM);
    for (const service of ofType(resources, SERVICE)) {
      const key = serviceKey(service);
      const errorAlarms = alarms.filter((a) => belongsTo(a, key) && watches5xx(a));
      if (errorAlarms.length === 0) {
        ctx.report(`service ${key} has no alarm on 5xx responses (HTTPCode_Target_5XX_Count); every service needs one.`, service.urn);
      } else if (!errorAlarms.some((a) => strings(a.props.alarmActions).some((arn) => critical.includes(arn)))) {
        const names = errorAlarms.map((a) => str(a.props.name) ?? a.name).join(", ");
        ctx.report(
          critical.length === 0
            ? `service ${key}: the stack has no critical SNS topic (tagged severity=critical) for its 5xx alarm (${names}) to notify.`
            : `service ${key}: its 5xx alarm(s) ${names} do not notify the critical topic; alarmActions must include it.`,
          service.urn,
        );
      }
    }
  },
});

export const alarmsPolicies: StackValidationPolicy[] = [alarmsService5xxCritical];
