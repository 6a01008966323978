import { describe, expect, it } from "vitest";
import { alarmsService5xxCritical } from "../../policy/alarms";
import { checkStack, res } from "./helpers";

const CRITICAL = "arn:aws:sns:us-east-1:123456789012:delivery-prod-critical-1ed6b7d";
const WARNING = "arn:aws:sns:us-east-1:123456789012:delivery-prod-warning-5791daf";
const topics = [
  res("aws:sns/topic:Topic", "delivery-prod-critical", { id: CRITICAL, tags: { severity: "critical" } }),
  res("aws:sns/topic:Topic", "delivery-prod-warning", { id: WARNING, tags: { severity: "warning" } }),
];
const service = res("aws:ecs/service:Service", "delivery-prod-api", { name: "api", tags: { service: "api" } });
const errorAlarm = (overrides: Record<string, unknown> = {}) =>
  res("aws:cloudwatch/metricAlarm:MetricAlarm", "delivery-prod-api-error-rate-critical", {
    name: "delivery-prod-api-error-rate-critical",
    metricQueries: [
      { id: "rate", expression: "IF(requests >= 100, 100 * FILL(errors, 0) / requests, 0)", returnData: true },
      {
        id: "errors",
        metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", stat: "Sum" },
        returnData: false,
      },
      { id: "requests", metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", stat: "Sum" }, returnData: false },
    ],
    alarmActions: [CRITICAL],
    tags: { service: "api", severity: "critical" },
    ...overrides,
  });

describe("alarms-service-5xx-critical", () => {
  it("passes a service whose 5xx alarm notifies the critical topic", () => {
    expect(checkStack(alarmsService5xxCritical, [...topics, service, errorAlarm()])).toEqual({ violations: [] });
  });

  it("passes a single-metric 5xx alarm matched by name when untagged", () => {
    const alarm = errorAlarm({ metricQueries: undefined, metricName: "HTTPCode_ELB_5XX_Count", tags: undefined });
    expect(checkStack(alarmsService5xxCritical, [...topics, service, alarm])).toEqual({ violations: [] });
  });

  it("passes a critical topic known by its ARN output and its name", () => {
    const named = res("aws:sns/topic:Topic", "alerts-critical", { arn: CRITICAL, name: "delivery-prod-critical" });
    expect(checkStack(alarmsService5xxCritical, [named, service, errorAlarm()])).toEqual({ violations: [] });
  });

  it("reports a service without a 5xx alarm", () => {
    const latency = errorAlarm({ metricQueries: undefined, metricName: "TargetResponseTime" });
    expect(checkStack(alarmsService5xxCritical, [...topics, service, latency]).violations).toEqual([
      "delivery-prod-api: service api has no alarm on 5xx responses (HTTPCode_Target_5XX_Count); every service needs one.",
    ]);
  });

  it("reports another service's 5xx alarm as not this one's", () => {
    const webAlarm = errorAlarm({ name: "delivery-prod-web-error-rate-critical", tags: { service: "web" } });
    expect(checkStack(alarmsService5xxCritical, [...topics, service, webAlarm]).violations).toEqual([
      "delivery-prod-api: service api has no alarm on 5xx responses (HTTPCode_Target_5XX_Count); every service needs one.",
    ]);
  });

  it("reports a 5xx alarm that only notifies the warning topic", () => {
    expect(checkStack(alarmsService5xxCritical, [...topics, service, errorAlarm({ alarmActions: [WARNING] })]).violations).toEqual([
      "delivery-prod-api: service api: its 5xx alarm(s) delivery-prod-api-error-rate-critical do not notify the critical topic; alarmActions must include it.",
    ]);
  });

  it("reports a stack without a critical topic", () => {
    expect(checkStack(alarmsService5xxCritical, [topics[1], service, errorAlarm()]).violations).toEqual([
      "delivery-prod-api: service api: the stack has no critical SNS topic (tagged severity=critical) for its 5xx alarm (delivery-prod-api-error-rate-critical) to notify.",
    ]);
  });
});
