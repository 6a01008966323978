/**
 * The AWS side of a promotion on moto: per-stack ECR repositories (`<stack>/delivery/<service>`)
 * with the source stack's images, the source stack's last good releases in SSM, its history
 * bucket, the lock table, and both stacks' `deployment` manifests written as files.
 */
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { CreateRepositoryCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AwsClients, createAwsClients } from "../../validators/providers/aws/clients";
import { LOCK_TABLE_KEY } from "../../validators/lock";
import { S3RecordStore } from "../../validators/records";
import { SsmReleaseRegistry } from "../../validators/release";
import { MOTO_CREDENTIALS } from "../support/moto";
import { manifest, service } from "../release/support";

export const SERVICES = ["api", "web"] as const;
/** The tag staging proved (its last good release) and promote moves to prod. */
export const NEW_TAG = "sha-new1111";
export const LOCK_TABLE = "delivery-locks";
export const HISTORY_BUCKET = "delivery-staging-history";

/** A small image manifest (schema 2); `seed` makes its digest distinct. */
export function imageManifest(seed: string): string {
  const digest = (text: string) => `sha256:${createHash("sha256").update(`${seed}:${text}`).digest("hex")}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 1469, digest: digest("config") },
    layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: 3370628, digest: digest("layer") }],
  });
}

export interface PromoteWorld {
  clients: AwsClients;
  registry: SsmReleaseRegistry;
  /** The staging stack's run records (S3). */
  records: S3RecordStore;
  fromManifest: string;
  toManifest: string;
  /** Records a last good release of a staging service. */
  release(name: string, tag?: string, validatedAt?: string): Promise<void>;
}

/** A day ago: a last good release fresh enough for the default --max-age. */
export function yesterday(): string {
  return new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString();
}

export async function promoteWorld(endpoint: string, dir: string): Promise<PromoteWorld> {
  const clients = createAwsClients({ region: "eu-west-1", endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
  for (const name of SERVICES) {
    for (const stack of ["staging", "prod"])
      await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: `${stack}/delivery/${name}` }));
    await clients.ecr.send(
      new PutImageCommand({ repositoryName: `staging/delivery/${name}`, imageTag: NEW_TAG, imageManifest: imageManifest(name) }),
    );
  }
  await clients.s3.send(
    new CreateBucketCommand({ Bucket: HISTORY_BUCKET, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }),
  );
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: LOCK_TABLE,
      KeySchema: [{ AttributeName: LOCK_TABLE_KEY, KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: LOCK_TABLE_KEY, AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const services = SERVICES.map((name) => service(name));
  const fromManifest = join(dir, "staging.deployment.json");
  const toManifest = join(dir, "prod.deployment.json");
  writeFileSync(
    fromManifest,
    JSON.stringify(manifest(services, { history: { bucket: HISTORY_BUCKET, prefix: "staging", lockTable: LOCK_TABLE } })),
  );
  writeFileSync(
    toManifest,
    JSON.stringify(
      manifest(services, {
        stack: "prod",
        cluster: "prod",
        history: { bucket: "delivery-prod-history", prefix: "prod", lockTable: LOCK_TABLE },
      }),
    ),
  );
  const registry = new SsmReleaseRegistry(clients.ssm);
  return {
    clients,
    registry,
    records: new S3RecordStore(clients.s3, HISTORY_BUCKET, "staging"),
    fromManifest,
    toManifest,
    release: async (name, tag = NEW_TAG, validatedAt = yesterday()) => {
      await registry.put({
        stack: "staging",
        service: name,
        imageTag: tag,
        taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/delivery-staging-${name}:7`,
        validatedAt,
        runId: `20240501T100000Z-${name}0000`,
        who: "ci",
      });
    },
  };
}
