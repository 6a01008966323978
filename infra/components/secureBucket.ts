import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { albLogDeliveryStatement, bucketPolicy, type PolicyStatement } from "./lib/policies";

export interface SecureBucketArgs {
  /** SSE-KMS with this key (and an S3 bucket key). @default SSE-S3 (AES256), which ALB access logs require */
  kmsKeyArn?: pulumi.Input<string>;
  /** Keep object versions. @default false */
  versioned?: boolean;
  /** Days before current objects expire. @default never */
  expireDays?: number;
  /** Days before non-current versions expire (with versioned). @default 30 */
  noncurrentDays?: number;
  /** Delete the bucket with its objects on destroy (never in prod). @default false */
  forceDestroy?: boolean;
  /** Let Elastic Load Balancing write access logs under `<prefix>/`. @default none */
  albLogDelivery?: {
    prefix: string;
    partition: string;
    region: string;
    accountId: pulumi.Input<string>;
    elbAccountArn: pulumi.Input<string>;
  };
  tags: Record<string, string>;
}

/**
 * An S3 bucket with every public access blocked, default encryption, a TLS-only policy and a
 * lifecycle (incomplete uploads aborted; versions and objects expired as configured).
 */
export class SecureBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  /** The bucket policy: depend on it before a service writes (the ALB checks it when created). */
  public readonly policy: aws.s3.BucketPolicy;

  constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:storage:SecureBucket", name, {}, opts);
    const parent = { parent: this };
    const bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false, tags: args.tags }, parent);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      name,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      parent,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      {
        bucket: bucket.id,
        rules: [
          args.kmsKeyArn
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ],
      },
      parent,
    );
    let versioning: aws.s3.BucketVersioning | undefined;
    if (args.versioned) {
      versioning = new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, parent);
    }
    new aws.s3.BucketLifecycleConfiguration(
      name,
      { bucket: bucket.id, rules: lifecycleRules(args) },
      { parent: this, dependsOn: versioning ? [versioning] : [] },
    );

    const delivery = args.albLogDelivery;
    const policy = pulumi
      .all([bucket.arn, delivery?.accountId ?? "", delivery?.elbAccountArn ?? ""])
      .apply(([bucketArn, accountId, elbAccountArn]) => {
        const extra: PolicyStatement[] = delivery
          ? [
              albLogDeliveryStatement({
                ctx: { partition: delivery.partition, region: delivery.region, accountId },
                bucketArn,
                prefix: delivery.prefix,
                elbAccountArn,
              }),
            ]
          : [];
        return JSON.stringify(bucketPolicy(bucketArn, extra));
      });
    this.policy = new aws.s3.BucketPolicy(name, { bucket: bucket.id, policy }, { parent: this, dependsOn: [publicAccess] });

    this.bucketName = bucket.bucket;
    this.arn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}

/** The bucket's lifecycle rules (pure: the component passes them as they are). */
export function lifecycleRules(args: Pick<SecureBucketArgs, "versioned" | "expireDays" | "noncurrentDays">) {
  const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
    { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
  ];
  if (args.versioned) {
    rules.push({
      id: "expire-noncurrent-versions",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: args.noncurrentDays ?? 30 },
    });
  }
  if (args.expireDays !== undefined) {
    rules.push({ id: "expire-objects", status: "Enabled", filter: {}, expiration: { days: args.expireDays } });
  }
  return rules;
}
