import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../fixtures/ports";
import { checkRegistryImage } from "../../validators/promote/registryImages";

/**
 * Where a Kubernetes stack's promoted image stands, asked of a small local OCI distribution
 * endpoint: `proven/api:v2` and `mirror/api:v2` hold the same manifest, `other/api:v2` another one,
 * `private/*` wants credentials.
 */
const PROVEN = `sha256:${"ab".repeat(32)}`;
const OTHER = `sha256:${"cd".repeat(32)}`;
let server: Server;
let host: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const digest: Record<string, string> = {
      "/v2/proven/api/manifests/v2": PROVEN,
      "/v2/mirror/api/manifests/v2": PROVEN,
      "/v2/other/api/manifests/v2": OTHER,
    };
    const found = digest[req.url ?? ""];
    const status = found ? 200 : req.url?.startsWith("/v2/private/") ? 401 : 404;
    res.writeHead(status, found ? { "docker-content-digest": found } : {});
    res.end();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  host = `127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const move = (source: string, target: string, tag = "v2") => ({ source: `${host}/${source}`, target: `${host}/${target}`, tag });

describe("the image of a promotion between Kubernetes stacks", () => {
  it("is present when both stacks name the same repository and the registry has the tag, with its digest", async () => {
    expect(await checkRegistryImage(move("proven/api", "proven/api"))).toEqual({ kind: "present", digest: PROVEN });
  });

  it("is present in another repository holding the same digest", async () => {
    expect(await checkRegistryImage(move("proven/api", "mirror/api"))).toEqual({ kind: "present", digest: PROVEN });
  });

  it("is refused when the registry answers 404 for the source's tag", async () => {
    expect(await checkRegistryImage(move("proven/api", "proven/api", "v9"))).toEqual({
      kind: "refused",
      reason: `image ${host}/proven/api:v9 is no longer in its registry (the registry ${host} answered 404 for ${host}/proven/api:v9): deploy and validate a new build, then promote it`,
    });
  });

  it("is refused, naming the copy to make, when the target's repository lacks the tag", async () => {
    expect(await checkRegistryImage(move("proven/api", "prod/api"))).toEqual({
      kind: "refused",
      reason: `image ${host}/prod/api:v2 is not in the target's repository (the registry ${host} answered 404 for ${host}/prod/api:v2); promote copies no image between registries: copy it (crane copy ${host}/proven/api:v2 ${host}/prod/api:v2), then promote again`,
    });
  });

  it("is refused when the target's tag is another image", async () => {
    expect(await checkRegistryImage(move("proven/api", "other/api"))).toEqual({
      kind: "refused",
      reason: `tag v2 in ${host}/other/api is another image (${OTHER}) than the one proven in ${host}/proven/api (${PROVEN}): tags must not be reused; build and validate a new tag`,
    });
  });

  it("is unchecked, saying why, when the shared repository wants credentials", async () => {
    expect(await checkRegistryImage(move("private/api", "private/api"))).toEqual({
      kind: "unchecked",
      reason: `The registry ${host} answered 401 for ${host}/private/api:v2: it wants credentials deployctl does not send: the image was not checked`,
    });
  });
});
