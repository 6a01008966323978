import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LOCK_TABLE_KEY, LOCK_TTL_ATTRIBUTE } from "../../contract/names";
import { SecureBucket } from "./secureBucket";

export interface HistoryArgs {
  kmsKeyArn: pulumi.Input<string>;
  /** Days non-current record versions are kept. @default 90 */
  recordVersionDays?: number;
  /** DynamoDB point-in-time recovery. @default false */
  pointInTimeRecovery?: boolean;
  /** Deletion protection on the table; and the bucket is never force-destroyed. @default false */
  deletionProtection?: boolean;
  /** Delete the bucket with its records on destroy. @default false */
  forceDestroy?: boolean;
  tags: Record<string, string>;
}

/**
 * Where deployctl keeps this environment's history (cloud tiers): an S3 bucket for run records
 * (versioned, KMS, public access blocked, TLS only, old versions expired) and a DynamoDB table for
 * the per-stack change lock (key `lockId`, TTL on the lease end, KMS, PITR in prod).
 */
export class History extends pulumi.ComponentResource {
  public readonly bucket: SecureBucket;
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly lockTable: aws.dynamodb.Table;
  public readonly lockTableName: pulumi.Output<string>;
  public readonly lockTableArn: pulumi.Output<string>;

  constructor(name: string, args: HistoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:history:History", name, {}, opts);
    this.bucket = new SecureBucket(
      `${name}-records`,
      {
        kmsKeyArn: args.kmsKeyArn,
        versioned: true,
        noncurrentDays: args.recordVersionDays ?? 90,
        forceDestroy: (args.forceDestroy ?? false) && !args.deletionProtection,
        tags: args.tags,
      },
      { parent: this },
    );
    this.lockTable = new aws.dynamodb.Table(
      `${name}-locks`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: LOCK_TABLE_KEY,
        attributes: [{ name: LOCK_TABLE_KEY, type: "S" }],
        ttl: { attributeName: LOCK_TTL_ATTRIBUTE, enabled: true },
        pointInTimeRecovery: { enabled: args.pointInTimeRecovery ?? false },
        serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
        deletionProtectionEnabled: args.deletionProtection ?? false,
        tags: args.tags,
      },
      { parent: this },
    );
    this.bucketName = this.bucket.bucketName;
    this.bucketArn = this.bucket.arn;
    this.lockTableName = this.lockTable.name;
    this.lockTableArn = this.lockTable.arn;
    this.registerOutputs({ bucketName: this.bucketName, lockTableName: this.lockTableName });
  }
}
