import { checkResult } from "../checks/result";
import type { CheckResult, GateCheckName } from "../../contract/report";
import type { GateRolloutObservation } from "../providers/gateObservations";

/**
 * The gate's rollout check: no deploy starts while the runtime is still rolling the service out. A
 * service the runtime does not know yet warns (the first deploy creates it); a last rollout that
 * FAILED warns.
 */
export function judgeGateRollout(o: GateRolloutObservation): CheckResult<GateCheckName> {
  const threshold = { inProgress: false };
  if (!o.found) return checkResult("rollout", "warn", `${o.fullName} does not exist yet (first deploy?).`, o.facts, threshold);
  if (o.state === "IN_PROGRESS") {
    return checkResult(
      "rollout",
      "fail",
      `${o.revisionWord} ${o.revision ?? "?"} of ${o.name} is still IN_PROGRESS (${o.running} of ${o.desired} running): wait for it to finish.`,
      o.facts,
      threshold,
    );
  }
  if (o.state === "FAILED") {
    return checkResult(
      "rollout",
      "warn",
      `The last rollout of ${o.name} FAILED (${o.stateReason ?? "no reason given"}).`,
      o.facts,
      threshold,
    );
  }
  return checkResult(
    "rollout",
    "pass",
    `No rollout in progress for ${o.name} (${o.runs}, ${o.running} of ${o.desired} running).`,
    o.facts,
    threshold,
  );
}
