import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface SecureBucketArgs {
  /** KMS key for default encryption (SSE-KMS with a bucket key). */
  kmsKeyArn: pulumi.Input<string>;
  /** Objects expire after this many days; older versions a week after they are replaced. @default 90 */
  expireAfterDays?: number;
  /** Days a replaced version is kept. @default 7 */
  noncurrentVersionDays?: number;
  /** Delete the bucket with its objects on `pulumi destroy`. @default false */
  forceDestroy?: boolean;
  tags: Record<string, string>;
}

/**
 * An S3 bucket the way every bucket of ours is: versioned, KMS-encrypted, public access blocked,
 * TLS-only, with lifecycle expiry. Used for pipeline artifacts and run records.
 */
export class SecureBucket extends pulumi.ComponentResource {
  public readonly bucket: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:storage:SecureBucket", name, {}, opts);
    const parent = { parent: this };
    const bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false, tags: args.tags }, parent);
    new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, parent);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }],
      },
      parent,
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      parent,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire",
            status: "Enabled",
            filter: {},
            expiration: { days: args.expireAfterDays ?? 90 },
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? 7 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      parent,
    );
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      { bucket: bucket.id, policy: pulumi.jsonStringify(tlsOnlyPolicy(bucket.arn)) },
      { parent: this, dependsOn: [publicAccess] },
    );
    this.bucket = bucket.bucket;
    this.arn = bucket.arn;
    this.registerOutputs({ bucket: this.bucket, arn: this.arn });
  }
}

/** Denies every request that does not use TLS. */
export function tlsOnlyPolicy(bucketArn: pulumi.Input<string>): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
        Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}
