import { BadInputError } from "../core/errors";
import type { LastGoodRelease, ReleaseRegistry } from "../release/lastGood";

/** What a service is rolled back to. */
export interface RollbackTarget {
  service: string;
  release: LastGoodRelease;
}

/** A service that has nothing to roll back to, and why. */
export interface MissingTarget {
  service: string;
  reason: string;
}

/**
 * The release each service goes back to: its last good release, or with `toTag` the newest
 * recorded release with that image tag (from the parameter's history). A service with no last good
 * release is reported as missing (nothing to roll back to); an unknown `toTag` is bad input.
 */
export async function resolveTargets(
  registry: ReleaseRegistry,
  stack: string,
  services: readonly { name: string }[],
  toTag?: string,
): Promise<{ targets: RollbackTarget[]; missing: MissingTarget[] }> {
  const targets: RollbackTarget[] = [];
  const missing: MissingTarget[] = [];
  const unknownTag: string[] = [];
  for (const service of services) {
    if (toTag === undefined) {
      const release = await registry.get(stack, service.name);
      if (release) targets.push({ service: service.name, release });
      else
        missing.push({
          service: service.name,
          reason: `no last good release of ${service.name} in /delivery/${stack}/${service.name}/last-good: nothing to roll back to`,
        });
      continue;
    }
    const history = await registry.history(stack, service.name);
    const match = history.find((v) => v.release?.imageTag === toTag)?.release;
    if (match) targets.push({ service: service.name, release: match });
    else {
      const known = [...new Set(history.flatMap((v) => (v.release ? [v.release.imageTag] : [])))];
      unknownTag.push(`${service.name} (validated tags: ${known.length > 0 ? known.join(", ") : "none"})`);
    }
  }
  if (unknownTag.length > 0) {
    throw new BadInputError(
      `--to ${toTag}: no validated release with this tag for ${unknownTag.join("; ")}. Roll back only to a tag that passed validation.`,
    );
  }
  return { targets, missing };
}
