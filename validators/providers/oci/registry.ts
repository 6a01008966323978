import type { ImageObservation } from "../gateObservations";

/**
 * Whether an image tag exists in its registry, asked over the OCI distribution API:
 * `HEAD /v2/<repository>/manifests/<tag>`. 2xx: it exists; 404: it does not; 401/403 (deployctl
 * sends no credentials), any other status, no answer within the timeout or no connection: unknown,
 * saying why (never "exists" for lack of an answer).
 */

/** An image repository split into the registry to ask and the repository's name there. */
export interface ImageRepository {
  /** As written in the manifest (`registry.example.com/team/api`, `nginx`). */
  image: string;
  /** Host (and port) of the registry: `registry.example.com`, `registry-1.docker.io` for Docker Hub names. */
  registry: string;
  /** The repository's path in the registry: `team/api`, `library/nginx`. */
  repository: string;
  /** The registry's base URL: https, except http for a loopback registry (as Docker does). */
  baseUrl: string;
}

const DOCKER_HUB = "registry-1.docker.io";
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/;

/** Splits `image` (a repository without tag or digest) as Docker does: a first part with a dot, a colon or `localhost` is the registry. */
export function parseImageRepository(image: string): ImageRepository {
  const bare = image.replace(/@.*$/, "").replace(/:[^/]*$/, "");
  const slash = bare.indexOf("/");
  const first = slash >= 0 ? bare.slice(0, slash) : "";
  const hasRegistry = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasRegistry ? first : DOCKER_HUB;
  let repository = hasRegistry ? bare.slice(slash + 1) : bare;
  if (!hasRegistry && !repository.includes("/")) repository = `library/${repository}`;
  if (registry === "docker.io" || registry === "index.docker.io") return parseImageRepository(repository);
  const scheme = LOOPBACK.test(registry) ? "http" : "https";
  return { image: bare, registry, repository, baseUrl: `${scheme}://${registry}` };
}

export type RegistryFetch = (
  url: string,
  init: { method: "HEAD"; headers: Record<string, string>; signal: AbortSignal },
) => Promise<{ status: number; headers?: { get(name: string): string | null } }>;

export interface RegistryOptions {
  /** @default globalThis.fetch */
  fetch?: RegistryFetch;
  /** The request's limit; past it the answer is unknown. @default 5000 */
  timeoutMs?: number;
}

const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** Asks the image's registry whether `tag` exists (see the module's comment). */
export async function registryTagExists(image: string, tag: string, options: RegistryOptions = {}): Promise<ImageObservation> {
  const repo = parseImageRepository(image);
  const fetchFn = options.fetch ?? (globalThis.fetch as unknown as RegistryFetch);
  const timeoutMs = options.timeoutMs ?? 5000;
  const reference = `${repo.image}:${tag}`;
  const url = `${repo.baseUrl}/v2/${repo.repository}/manifests/${encodeURIComponent(tag)}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let status: number;
  let digest: string | null | undefined;
  try {
    const answer = await fetchFn(url, { method: "HEAD", headers: { accept: MANIFEST_TYPES }, signal: controller.signal });
    status = answer.status;
    digest = answer.headers?.get("docker-content-digest");
  } catch (err) {
    const why = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : describe(err);
    return {
      state: "unknown",
      image: reference,
      reason: `The registry ${repo.registry} of ${reference} is unreachable (${why})`,
      details: { url },
    };
  } finally {
    clearTimeout(timer);
  }
  if (status >= 200 && status < 300) return { state: "exists", repository: repo.image, ...(digest ? { digest } : {}) };
  if (status === 404)
    return { state: "missing", repository: repo.image, why: `the registry ${repo.registry} answered 404 for ${reference}` };
  const why =
    status === 401 || status === 403
      ? `answered ${status} for ${reference}: it wants credentials deployctl does not send`
      : `answered ${status} for ${reference}`;
  return { state: "unknown", image: reference, reason: `The registry ${repo.registry} ${why}`, details: { url, status } };
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
