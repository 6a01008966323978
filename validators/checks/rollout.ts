import { formatSeconds } from "../../contract/duration";
import type { CheckResult, CheckStatus } from "../../contract/report";
import type { RolloutObservation } from "../providers/runtime";
import { checkResult, plural } from "./result";

export interface RolloutInput {
  /** The service's rollout as the runtime saw it. */
  rollout: RolloutObservation;
  /** How long the validator waited for an in-progress rollout, and how long it was allowed to. */
  waitedSeconds: number;
  waitSeconds: number;
}

/**
 * The rollout check: the newest revision's rollout state (COMPLETED passes, FAILED fails,
 * IN_PROGRESS after the allowed wait fails with the state), running equals desired, the revision
 * is the one the manifest expects, and the count of replicas that failed to start.
 */
export function judgeRollout(input: RolloutInput): CheckResult {
  const { rollout } = input;
  const { words } = rollout;
  const expected = rollout.revision?.expected ?? "(none)";
  const threshold = { taskDefinition: expected, waitSeconds: input.waitSeconds };
  if (!rollout.found) {
    return checkResult("rollout", "fail", `${words.service} was not found in ${words.location}.`, { found: false }, threshold);
  }
  const revision = rollout.revision;
  if (rollout.unusable || !revision) {
    const why = rollout.unusable?.reason ?? "has no revision being rolled out";
    return checkResult("rollout", "fail", `${words.service} ${why}.`, { status: rollout.unusable?.status ?? null }, threshold);
  }
  const { desired, running, failedStarts, state } = revision;
  const observed = {
    deploymentId: revision.id,
    rolloutState: state,
    rolloutStateReason: revision.stateReason,
    taskDefinition: revision.runs,
    desired,
    running,
    pending: revision.pending,
    failedTasks: failedStarts,
    deployments: revision.revisions,
    createdAt: revision.createdAt,
    waitedSeconds: input.waitedSeconds,
  };

  const failures: string[] = [];
  if (state === "FAILED") failures.push(`rollout FAILED${revision.stateReason ? ` (${revision.stateReason})` : ""}`);
  if (state === "IN_PROGRESS") {
    failures.push(
      input.waitSeconds > 0
        ? `rollout still IN_PROGRESS after waiting ${input.waitedSeconds} s (--wait ${formatSeconds(input.waitSeconds)})`
        : "rollout still IN_PROGRESS (use --wait, e.g. --wait 5m, to wait for it)",
    );
  }
  if (!revision.isExpected) failures.push(`the primary deployment runs ${revision.runs}, the manifest expects ${expected}`);
  if (running !== desired) failures.push(`${running} of ${desired} desired ${words.replica}s running`);

  let status: CheckStatus = failures.length > 0 ? "fail" : "pass";
  const notes = [...failures];
  if (failedStarts > 0) {
    notes.push(`${plural(failedStarts, words.replica)} failed to start during the rollout`);
    if (status === "pass") status = "warn";
  }
  const id = revision.id ?? "?";
  const summary =
    status === "fail"
      ? `${words.revision} ${id}: ${notes.join("; ")}.`
      : `${words.revision} ${id} ${state}: ${running} of ${desired} running ${revision.runs}` +
        (notes.length > 0 ? `; ${notes.join("; ")}.` : ".");
  return checkResult("rollout", status, summary, observed, threshold);
}
