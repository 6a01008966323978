import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  LayersNotFoundException,
  PutImageCommand,
} from "@aws-sdk/client-ecr";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAwsClients } from "../../validators/providers/aws/clients";
import { OperationalError } from "../../validators/core/errors";
import { checkImage, copyImage, ImageCopyError, type ImageClients } from "../../validators/promote/images";
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from "../support/moto";
import { imageManifest } from "./world";

const MOVE = { source: "staging/delivery/api", target: "prod/delivery/api", tag: "sha-new1111" };

describe("the promoted image on moto", () => {
  let moto: MotoServer;
  let ecr: ECRClient;
  let clients: ImageClients;
  let digest: string;

  beforeAll(async () => {
    moto = await startMoto();
    ecr = createAwsClients({ region: "eu-west-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 }).ecr;
    clients = { source: ecr, target: ecr };
  });
  afterAll(async () => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    for (const name of [MOVE.source, MOVE.target]) await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const put = await ecr.send(
      new PutImageCommand({ repositoryName: MOVE.source, imageTag: MOVE.tag, imageManifest: imageManifest("api") }),
    );
    digest = put.image?.imageId?.imageDigest ?? "";
  });

  it("is to copy when the target repository lacks the tag", async () => {
    expect(await checkImage(clients, MOVE)).toEqual({ kind: "copy", digest });
  });

  it("is present when the target has the tag with the same digest", async () => {
    await ecr.send(new PutImageCommand({ repositoryName: MOVE.target, imageTag: MOVE.tag, imageManifest: imageManifest("api") }));

    expect(await checkImage(clients, MOVE)).toEqual({ kind: "present", digest });
  });

  it("is refused when the target's tag is another image", async () => {
    await ecr.send(new PutImageCommand({ repositoryName: MOVE.target, imageTag: MOVE.tag, imageManifest: imageManifest("other") }));
    const other = (await ecr.send(new DescribeImagesCommand({ repositoryName: MOVE.target }))).imageDetails?.[0]?.imageDigest;

    expect(await checkImage(clients, MOVE)).toEqual({
      kind: "refused",
      reason: `tag sha-new1111 in prod/delivery/api is another image (${other}) than the one proven in staging/delivery/api (${digest}): tags must not be reused; build and validate a new tag`,
    });
  });

  it("is refused when the source repository no longer has it", async () => {
    expect(await checkImage(clients, { ...MOVE, tag: "sha-gone000" })).toEqual({
      kind: "refused",
      reason:
        "image sha-gone000 is no longer in staging/delivery/api (expired by the repository's lifecycle policy?): deploy and validate a new build, then promote it",
    });
  });

  it("is refused when the target repository does not exist", async () => {
    expect(await checkImage(clients, { ...MOVE, target: "prod/delivery/none" })).toEqual({
      kind: "refused",
      reason: "the repository prod/delivery/none does not exist: update the target stack first (its stack update creates the repository)",
    });
  });

  it("copies the image into the target repository with the same tag and digest", async () => {
    await copyImage(clients, MOVE);

    const copied = await ecr.send(new DescribeImagesCommand({ repositoryName: MOVE.target, imageIds: [{ imageTag: MOVE.tag }] }));
    expect(copied.imageDetails?.map((d) => [d.imageDigest, d.imageTags])).toEqual([[digest, [MOVE.tag]]]);
  });
});

describe("copying an image ECR refuses", () => {
  const client = new ECRClient({ region: "eu-west-1" });
  const ecr = mockClient(client);
  const clients = { source: client, target: client };
  beforeEach(() => {
    ecr.reset();
    ecr.on(BatchGetImageCommand).resolves({
      images: [{ imageManifest: imageManifest("api"), imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json" }],
    });
  });

  it("is an ImageCopyError naming the missing layers and what to do", async () => {
    ecr.on(PutImageCommand).rejects(new LayersNotFoundException({ message: "The image layers are not in the repository", $metadata: {} }));

    const error = await copyImage(clients, MOVE).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ImageCopyError);
    expect((error as ImageCopyError).reason).toBe(
      "cannot copy image sha-new1111 from staging/delivery/api to prod/delivery/api: LayersNotFoundException: The image layers are not in the repository; " +
        "copy it with a registry tool that copies layers (crane copy, or docker pull, tag and push) or set up ECR replication, then promote again",
    );
  });

  it("is an operational error when access is denied", async () => {
    ecr
      .on(PutImageCommand)
      .rejects(Object.assign(new Error("User is not authorized to perform: ecr:PutImage"), { name: "AccessDeniedException" }));

    const error = await copyImage(clients, MOVE).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OperationalError);
    expect((error as Error).message).toBe(
      "ECR PutImage failed (access denied): AccessDeniedException: User is not authorized to perform: ecr:PutImage",
    );
  });
});
