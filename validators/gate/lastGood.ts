import type { LastGoodRelease } from "../../contract/lastGood";
import { checkResult } from "../checks/result";
import type { CheckResult, GateCheckName } from "../../contract/report";
import { mapLimit } from "../core/pool";
import { MalformedReleaseError, type ReleaseRegistry } from "../release/lastGood";

/** The fields of a last-good record the gate shows (never the whole value: only known, non-secret fields). */
const SHOWN_FIELDS = ["imageTag", "taskDefinitionArn", "validatedAt", "runId"] as const;

/** What the registry holds for one service: a release, nothing, or a value that is not a release. */
export interface LastGoodObservation {
  /** Where it is kept (`/delivery/<stack>/<service>/last-good`, `ConfigMap <ns>/delivery-releases key <service>`). */
  location: string;
  release?: LastGoodRelease;
  /** Why the value there is not a release. */
  problem?: string;
}

/**
 * Each service's last good release, from the stack's ReleaseRegistry (SSM on ECS, the ConfigMap
 * delivery-releases on Kubernetes, `.delivery/` on Docker). A value that is not a release is an
 * observation (the check warns); a registry that cannot be read throws (exit 4).
 */
export async function observeLastGood(
  registry: Pick<ReleaseRegistry, "get" | "location">,
  stack: string,
  services: readonly string[],
  concurrency = 10,
): Promise<Map<string, LastGoodObservation>> {
  const where = (service: string) => registry.location?.(stack, service) ?? `the last good release of ${service} in stack ${stack}`;
  const results = new Map<string, LastGoodObservation>();
  await mapLimit(services, concurrency, async (service) => {
    try {
      const release = await registry.get(stack, service);
      results.set(service, { location: where(service), ...(release ? { release } : {}) });
    } catch (err) {
      if (!(err instanceof MalformedReleaseError)) throw err;
      results.set(service, { location: err.location, problem: err.problem });
    }
  });
  return results;
}

/**
 * The lastGood check: the service has a last good release to roll back to. Missing warns (a first
 * deploy has none yet); a value a rollback could not use warns, naming what is wrong.
 */
export function judgeLastGood(observation: LastGoodObservation): CheckResult<GateCheckName> {
  const parameter = observation.location;
  const threshold = { parameter };
  if (observation.problem !== undefined) {
    return checkResult(
      "lastGood",
      "warn",
      `${parameter} is not a JSON release record (${observation.problem}): a rollback could not use it.`,
      { parameter, found: true },
      threshold,
    );
  }
  const release = observation.release;
  if (!release) {
    return checkResult(
      "lastGood",
      "warn",
      `No last good release at ${parameter}: nothing to roll back to (expected on a first deploy).`,
      { parameter, found: false },
      threshold,
    );
  }
  const what = `image ${release.imageTag}, validated ${release.validatedAt}`;
  return checkResult("lastGood", "pass", `Last good release: ${what}.`, { parameter, found: true, ...shown(release) }, threshold);
}

/** Only the known, non-secret fields of the release, in a fixed order. */
function shown(release: LastGoodRelease): Pick<LastGoodRelease, (typeof SHOWN_FIELDS)[number]> {
  return Object.fromEntries(SHOWN_FIELDS.map((f) => [f, release[f]])) as Pick<LastGoodRelease, (typeof SHOWN_FIELDS)[number]>;
}
