import { DescribeImagesCommand, type ECRClient } from "@aws-sdk/client-ecr";
import { DescribeTaskDefinitionCommand, type ECSClient } from "@aws-sdk/client-ecs";
import type { EcsManifestService } from "../../../contract/manifest";
import { mapLimit } from "../../core/pool";
import type { ImageObservation } from "../gateObservations";
import { awsCall, awsErrorName, toOperationalError } from "./call";

/** An ECR image reference split into its parts. */
export interface EcrImage {
  registryId: string;
  region: string;
  repository: string;
  /** `<registry>/<repository>`, what people paste into docker pull. */
  uri: string;
}

const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::[^@]+)?(?:@.+)?$/;

/** Parses `123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:sha-1`; undefined for non-ECR images. */
export function parseEcrImage(image: string): EcrImage | undefined {
  const m = ECR_IMAGE.exec(image);
  if (!m) return undefined;
  const host = image.slice(0, image.indexOf("/"));
  return { registryId: m[1], region: m[2], repository: m[3], uri: `${host}/${m[3]}` };
}

/**
 * Whether the new tag exists in each service's ECR repository. The repository is not in the
 * manifest: it comes from the container image of the service's task definition
 * (DescribeTaskDefinition, once per task definition), then DescribeImages once per repository.
 */
export async function observeEcrImages(
  services: readonly EcsManifestService[],
  tag: string,
  clients: { ecs: ECSClient; ecr: ECRClient },
  concurrency = 10,
): Promise<Map<string, ImageObservation>> {
  const taskDefinitions = [...new Set(services.map((s) => s.taskDefinitionArn))];
  const images = new Map<string, string | undefined>();
  await mapLimit(taskDefinitions, concurrency, async (arn) => {
    const response = await awsCall("ECS DescribeTaskDefinition", () =>
      clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
    );
    images.set(arn, response.taskDefinition?.containerDefinitions?.map((c) => c.image ?? "").join("\n"));
  });
  const repoOf = (s: EcsManifestService): EcrImage | undefined => {
    const candidates = (images.get(s.taskDefinitionArn) ?? "").split("\n").filter(Boolean);
    const own = candidates.find((image) => image.endsWith(`:${s.imageTag}`)) ?? candidates[0];
    return own ? parseEcrImage(own) : undefined;
  };
  const repos = new Map<string, EcrImage>();
  for (const s of services) {
    const repo = repoOf(s);
    if (repo) repos.set(repo.uri, repo);
  }
  const found = new Map<string, { ok: boolean; why?: string }>();
  await mapLimit([...repos.values()], concurrency, async (repo) => {
    found.set(repo.uri, await tagExists(clients.ecr, repo, tag));
  });

  const results = new Map<string, ImageObservation>();
  for (const s of services) {
    const repo = repoOf(s);
    if (!repo) {
      const image = (images.get(s.taskDefinitionArn) ?? "").split("\n")[0] || "(none)";
      results.set(s.name, { state: "unknown", image, reason: `The image ${image} of ${s.name} is not in ECR` });
      continue;
    }
    const outcome = found.get(repo.uri) ?? { ok: false, why: "not checked" };
    results.set(
      s.name,
      outcome.ok ? { state: "exists", repository: repo.uri } : { state: "missing", repository: repo.uri, why: outcome.why ?? "?" },
    );
  }
  return results;
}

async function tagExists(ecr: ECRClient, repo: EcrImage, tag: string): Promise<{ ok: boolean; why?: string }> {
  try {
    const response = await ecr.send(
      new DescribeImagesCommand({ registryId: repo.registryId, repositoryName: repo.repository, imageIds: [{ imageTag: tag }] }),
    );
    const match = (response.imageDetails ?? []).some((d) => (d.imageTags ?? []).includes(tag));
    return match ? { ok: true } : { ok: false, why: "no image has that tag" };
  } catch (err) {
    const name = awsErrorName(err);
    if (name === "ImageNotFoundException") return { ok: false, why: "no image has that tag" };
    if (name === "RepositoryNotFoundException") return { ok: false, why: "the repository does not exist" };
    throw toOperationalError("ECR DescribeImages", err);
  }
}
