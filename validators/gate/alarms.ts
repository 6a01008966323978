import { type CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { checkResult, plural } from "../checks/result";
import type { CheckResult, GateCheckName } from "../../contract/report";
import { awsCall } from "../providers/aws/call";

/** An alarm of the stack that is firing. */
export interface FiringAlarm {
  name: string;
  reason: string;
  since: string | null;
}

/**
 * The stack's alarms in state ALARM: DescribeAlarms with the prefix `<project>-<stack>-` and the
 * state, paginated. Only names `<prefix><service>-...` of the stack's own services count, so a stack
 * `prod-eu` does not lend its alarms to `prod`. The state is checked again: some servers ignore the filter.
 */
export async function firingAlarms(cw: CloudWatchClient, prefix: string, services: readonly string[]): Promise<FiringAlarm[]> {
  const owned = (name: string) => services.some((s) => name.startsWith(`${prefix}${s}-`));
  const firing: FiringAlarm[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall("CloudWatch DescribeAlarms", () =>
      cw.send(
        new DescribeAlarmsCommand({
          AlarmNamePrefix: prefix,
          StateValue: "ALARM",
          AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
          NextToken: nextToken,
        }),
      ),
    );
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      if (alarm.StateValue === "ALARM" && alarm.AlarmName && owned(alarm.AlarmName)) {
        firing.push({ name: alarm.AlarmName, reason: alarm.StateReason ?? "", since: alarm.StateUpdatedTimestamp?.toISOString() ?? null });
      }
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return firing.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The alarms check: any alarm of the stack in ALARM fails the gate, so a deploy never starts on
 * top of a live incident (which would also blind ECS's alarm-based rollback).
 */
export function judgeAlarms(prefix: string, firing: readonly FiringAlarm[]): CheckResult<GateCheckName> {
  const observed = { prefix, inAlarm: firing.map((a) => a.name), alarms: firing };
  const threshold = { inAlarm: 0 };
  if (firing.length === 0) return checkResult("alarms", "pass", `No alarm named ${prefix}* is in ALARM.`, observed, threshold);
  const names =
    firing
      .slice(0, 5)
      .map((a) => a.name)
      .join(", ") + (firing.length > 5 ? `, and ${firing.length - 5} more` : "");
  return checkResult(
    "alarms",
    "fail",
    `${plural(firing.length, "alarm")} of the stack in ALARM (${names}): resolve the incident before deploying.`,
    observed,
    threshold,
  );
}
