import { BatchDeleteImageCommand, BatchGetImageCommand, DescribeImagesCommand, type ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { repositoryName } from "../../contract/names";
import { awsErrorName, toOperationalError } from "../providers/aws/call";

/**
 * The promoted image in ECR. Repositories are per stack (`<stack>/<image.repository>`,
 * infra/components/lib/naming.ts), so the image proven in the source stack is in the source
 * stack's repository and must be in the target's before the target's stack update can run it.
 */
export interface ImageMove {
  /** The source stack's repository, e.g. `staging/delivery/api`. */
  source: string;
  /** The target stack's repository, e.g. `prod/delivery/api`. */
  target: string;
  tag: string;
}

/**
 * Where the image stands: already in the target (same digest; null when the registry did not say
 * it), to copy, unchecked (the registry could not be asked, `reason` says why; the target pulls from
 * the very repository the source ran it from), or why it cannot be promoted.
 */
export type ImageCheck =
  | { kind: "present"; digest: string | null }
  | { kind: "copy"; digest: string }
  | { kind: "unchecked"; reason: string }
  | { kind: "refused"; reason: string };

/**
 * Where a runtime keeps the promoted images: ECR repositories per stack (ECS), or the OCI registry
 * the stacks' config names (Kubernetes, `registryImages.ts`). The workflow only goes through this.
 */
export interface PromotionImages {
  /** The repository a stack runs a service's image from, given its config's `image.repository`. */
  locate(stack: string, repository: string): string;
  check(move: ImageMove): Promise<ImageCheck>;
  /** Copies the image (only asked for a `copy` check); an ImageCopyError is a refusal. */
  copy(move: ImageMove): Promise<void>;
  /** Removes a copy this run made (undoing a promotion refused half way). */
  remove(move: ImageMove): Promise<void>;
}

/** ECS: per-stack ECR repositories (`<stack>/<image.repository>`); copies with BatchGetImage and PutImage. */
export function ecrImages(clients: ImageClients): PromotionImages {
  return {
    locate: (stack, repository) => repositoryName(stack, repository),
    check: (move) => checkImage(clients, move),
    copy: (move) => copyImage(clients, move),
    remove: (move) => removeImage(clients, move),
  };
}

/** The ECR clients: the source stack's region and the target's (the same client when they share one). */
export interface ImageClients {
  source: ECRClient;
  target: ECRClient;
}

/** ECR answers that say something about the image or repository (a refusal), not about access (exit 4). */
const IMAGE_ERRORS = new Set([
  "LayersNotFoundException",
  "ImageTagAlreadyExistsException",
  "ReferencedImagesNotFoundException",
  "ImageDigestDoesNotMatchException",
  "InvalidLayerException",
  "UnsupportedImageTypeException",
  "RepositoryNotFoundException",
]);

/** Looks the tag up in both repositories (DescribeImages); an access or network failure is an OperationalError. */
export async function checkImage(clients: ImageClients, move: ImageMove): Promise<ImageCheck> {
  const { source, target, tag } = move;
  const proven = await digestOf(clients.source, source, tag);
  if (proven.kind === "no-repository")
    return {
      kind: "refused",
      reason: `the repository ${source} does not exist, so the image proven in it is gone: deploy and validate a new build`,
    };
  if (proven.kind === "absent") {
    return {
      kind: "refused",
      reason: `image ${tag} is no longer in ${source} (expired by the repository's lifecycle policy?): deploy and validate a new build, then promote it`,
    };
  }
  const there = await digestOf(clients.target, target, tag);
  if (there.kind === "no-repository")
    return {
      kind: "refused",
      reason: `the repository ${target} does not exist: update the target stack first (its stack update creates the repository)`,
    };
  if (there.kind === "absent") return { kind: "copy", digest: proven.digest };
  if (there.digest !== proven.digest) {
    return {
      kind: "refused",
      reason: `tag ${tag} in ${target} is another image (${there.digest}) than the one proven in ${source} (${proven.digest}): tags must not be reused; build and validate a new tag`,
    };
  }
  return { kind: "present", digest: proven.digest };
}

/** The image could not be copied; `reason` says why and what to do. */
export class ImageCopyError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = "ImageCopyError";
  }
}

/**
 * Copies the image's manifest from the source repository into the target one with the same tag
 * (BatchGetImage, then PutImage): the digest stays the same. ECR keeps layers per repository, so
 * PutImage fails with LayersNotFoundException when the target repository lacks them: an
 * ImageCopyError (a refusal) naming a registry tool that copies layers too.
 */
export async function copyImage(clients: ImageClients, move: ImageMove): Promise<void> {
  const { source, target, tag } = move;
  const what = `cannot copy image ${tag} from ${source} to ${target}`;
  let manifest: { imageManifest?: string; imageManifestMediaType?: string } | undefined;
  try {
    const got = await clients.source.send(new BatchGetImageCommand({ repositoryName: source, imageIds: [{ imageTag: tag }] }));
    manifest = got.images?.[0];
    if (!manifest?.imageManifest) {
      const failure = got.failures?.[0];
      throw new ImageCopyError(`${what}: ${failure?.failureCode ?? "ImageNotFound"}: ${failure?.failureReason ?? "no manifest returned"}`);
    }
  } catch (err) {
    throw copyFailure(err, what, "ECR BatchGetImage");
  }
  try {
    await clients.target.send(
      new PutImageCommand({
        repositoryName: target,
        imageTag: tag,
        imageManifest: manifest.imageManifest,
        imageManifestMediaType: manifest.imageManifestMediaType,
      }),
    );
  } catch (err) {
    if (awsErrorName(err) === "ImageAlreadyExistsException") return; // the same manifest under the same tag: nothing to do
    throw copyFailure(err, what, "ECR PutImage");
  }
}

/** Removes a tag copyImage put into the target repository (undoing a promotion that was refused half way). */
export async function removeImage(clients: ImageClients, move: ImageMove): Promise<void> {
  try {
    await clients.target.send(new BatchDeleteImageCommand({ repositoryName: move.target, imageIds: [{ imageTag: move.tag }] }));
  } catch (err) {
    throw toOperationalError("ECR BatchDeleteImage", err);
  }
}

function copyFailure(err: unknown, what: string, operation: string): Error {
  if (err instanceof ImageCopyError) return err;
  const name = awsErrorName(err);
  if (!IMAGE_ERRORS.has(name)) return toOperationalError(operation, err);
  const detail = err instanceof Error && err.message && err.message !== name ? `${name}: ${err.message}` : name;
  const todo =
    name === "LayersNotFoundException"
      ? "copy it with a registry tool that copies layers (crane copy, or docker pull, tag and push) or set up ECR replication, then promote again"
      : "fix the repository or build and validate a new tag, then promote again";
  return new ImageCopyError(`${what}: ${detail}; ${todo}`, { cause: err });
}

type Lookup = { kind: "found"; digest: string } | { kind: "absent" } | { kind: "no-repository" };

async function digestOf(ecr: ECRClient, repository: string, tag: string): Promise<Lookup> {
  try {
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }));
    const detail = (out.imageDetails ?? []).find((d) => (d.imageTags ?? []).includes(tag));
    return detail?.imageDigest ? { kind: "found", digest: detail.imageDigest } : { kind: "absent" };
  } catch (err) {
    const name = awsErrorName(err);
    if (name === "ImageNotFoundException") return { kind: "absent" };
    if (name === "RepositoryNotFoundException") return { kind: "no-repository" };
    throw toOperationalError("ECR DescribeImages", err);
  }
}
