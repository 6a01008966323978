import { checkResult, plural, skippedCheck } from "../checks/result";
import type { CheckResult, GateCheckName } from "../../contract/report";
import type { AlertsObservation } from "../providers/gateObservations";

export type { FiringAlert } from "../providers/gateObservations";

/**
 * The alarms check: any alert of the stack that is firing fails the gate, so a deploy never starts
 * on top of a live incident (which would also blind ECS's alarm-based rollback). A runtime without
 * alerts (Docker) skips it, saying why.
 */
export function judgeAlarms(observation: AlertsObservation): CheckResult<GateCheckName> {
  if (observation.kind === "none") return skippedCheck("alarms", `Skipped: ${observation.reason}.`);
  const { words, firing } = observation;
  const observed = { ...observation.asked, inAlarm: firing.map((a) => a.name), alarms: firing };
  const threshold = { inAlarm: 0 };
  if (firing.length === 0) return checkResult("alarms", "pass", `No ${words.alert} ${words.scope} is ${words.state}.`, observed, threshold);
  const names =
    firing
      .slice(0, 5)
      .map((a) => a.name)
      .join(", ") + (firing.length > 5 ? `, and ${firing.length - 5} more` : "");
  return checkResult(
    "alarms",
    "fail",
    `${plural(firing.length, words.alert)} of the stack ${words.state} (${names}): resolve the incident before deploying.`,
    observed,
    threshold,
  );
}
