import { OperationalError } from "../core/errors";
import type { ImageObservation } from "../providers/gateObservations";
import { type RegistryOptions, registryTagExists } from "../providers/oci/registry";
import type { ImageCheck, ImageMove, PromotionImages } from "./images";

/**
 * Kubernetes: the stacks pull their images from the OCI registry their config names
 * (`image.repository`, as is: no per-stack repository). The source's proven image is looked up
 * there over the distribution API (`HEAD /v2/<repository>/manifests/<tag>`, as the gate does); the
 * target needs nothing copied when both stacks name the same repository. promote copies no image
 * between registries: when the target names another repository, the tag must already be there
 * (same digest), else the service is refused saying how to copy it.
 */
export function registryImages(options: RegistryOptions = {}): PromotionImages {
  return {
    locate: (_stack, repository) => repository,
    check: (move) => checkRegistryImage(move, options),
    copy: (move) =>
      Promise.reject(new OperationalError(`promote copies no image between registries (${move.source} to ${move.target})`, "promote")),
    remove: () => Promise.resolve(),
  };
}

/** Where the tag stands in the registry (or registries) of the source and target repositories. */
export async function checkRegistryImage(move: ImageMove, options: RegistryOptions = {}): Promise<ImageCheck> {
  const { source, target, tag } = move;
  const proven = await registryTagExists(source, tag, options);
  if (proven.state === "missing")
    return {
      kind: "refused",
      reason: `image ${source}:${tag} is no longer in its registry (${proven.why}): deploy and validate a new build, then promote it`,
    };
  if (source === target) {
    if (proven.state === "unknown") return { kind: "unchecked", reason: `${proven.reason}: the image was not checked` };
    return { kind: "present", digest: proven.digest ?? null };
  }
  const there = await registryTagExists(target, tag, options);
  return againstTarget(move, proven, there);
}

function againstTarget(move: ImageMove, proven: ImageObservation, there: ImageObservation): ImageCheck {
  const { source, target, tag } = move;
  if (there.state === "unknown")
    return { kind: "refused", reason: `${there.reason}: cannot check that ${target}:${tag} is the image proven in ${source}` };
  if (there.state === "missing")
    return {
      kind: "refused",
      reason: `image ${target}:${tag} is not in the target's repository (${there.why}); promote copies no image between registries: copy it (crane copy ${source}:${tag} ${target}:${tag}), then promote again`,
    };
  const provenDigest = proven.state === "exists" ? proven.digest : undefined;
  if (provenDigest && there.digest && provenDigest !== there.digest)
    return {
      kind: "refused",
      reason: `tag ${tag} in ${target} is another image (${there.digest}) than the one proven in ${source} (${provenDigest}): tags must not be reused; build and validate a new tag`,
    };
  return { kind: "present", digest: there.digest ?? provenDigest ?? null };
}
