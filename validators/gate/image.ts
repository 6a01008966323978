import { checkResult } from "../checks/result";
import type { CheckResult, GateCheckName } from "../../contract/report";
import type { ImageObservation } from "../providers/gateObservations";

/**
 * The image check: the new tag exists where the runtime pulls the service's image from. Missing
 * fails; a runtime that could not find out (credentials, an unreachable registry, an image it
 * cannot ask about) warns, naming why: never a pass for lack of data.
 */
export function judgeImage(tag: string, observation: ImageObservation): CheckResult<GateCheckName> {
  const threshold = { tag };
  switch (observation.state) {
    case "exists":
      return checkResult(
        "image",
        "pass",
        `Tag ${tag} exists in ${observation.repository}.`,
        { repository: observation.repository, tag, exists: true },
        threshold,
      );
    case "missing":
      return checkResult(
        "image",
        "fail",
        `Tag ${tag} is missing from ${observation.repository}: ${observation.why}.`,
        { repository: observation.repository, tag, exists: false },
        threshold,
      );
    case "unknown":
      return checkResult(
        "image",
        "warn",
        `${observation.reason}: cannot check that tag ${tag} exists.`,
        { image: observation.image, ...observation.details },
        threshold,
      );
  }
}
