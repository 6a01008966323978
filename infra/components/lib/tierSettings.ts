import type { Tier } from "../../config";

/**
 * What the components do differently per tier, in one table (no tier checks scattered through the
 * code). Task counts, sizes, autoscaling, log retention and deletion protection are the config
 * layer's tier defaults (infra/config/tiers.ts); these are the infrastructure's own.
 */
export interface TierSettings {
  /** NAT gateways when the stack creates its VPC: one per AZ in prod, one shared below. */
  natGateways: 1 | 2;
  /** ECR: images kept (rollbacks need old images), and days before untagged images expire. */
  keepImages: number;
  untaggedImageDays: number;
  /** ECR repositories and buckets can be deleted with content (never in prod). */
  forceDelete: boolean;
  /** Log groups encrypted with the environment key. */
  encryptLogs: boolean;
  /** The stack keeps run records in S3 and its lock in DynamoDB (else a local directory and lock file). */
  cloudHistory: boolean;
  /** DynamoDB point-in-time recovery on the lock table. */
  pointInTimeRecovery: boolean;
  /** Days before non-current record versions and access logs expire. */
  recordVersionDays: number;
  accessLogDays: number;
  /** KMS key deletion window. */
  keyDeletionDays: number;
  deregistrationDelaySeconds: number;
}

export const TIER_SETTINGS: Record<Tier, TierSettings> = {
  local: {
    natGateways: 1,
    keepImages: 10,
    untaggedImageDays: 1,
    forceDelete: true,
    encryptLogs: false,
    cloudHistory: false,
    pointInTimeRecovery: false,
    recordVersionDays: 7,
    accessLogDays: 7,
    keyDeletionDays: 7,
    deregistrationDelaySeconds: 5,
  },
  dev: {
    natGateways: 1,
    keepImages: 30,
    untaggedImageDays: 7,
    forceDelete: true,
    encryptLogs: false,
    cloudHistory: true,
    pointInTimeRecovery: false,
    recordVersionDays: 30,
    accessLogDays: 30,
    keyDeletionDays: 7,
    deregistrationDelaySeconds: 30,
  },
  staging: {
    natGateways: 1,
    keepImages: 50,
    untaggedImageDays: 7,
    forceDelete: true,
    encryptLogs: false,
    cloudHistory: true,
    pointInTimeRecovery: false,
    recordVersionDays: 90,
    accessLogDays: 90,
    keyDeletionDays: 14,
    deregistrationDelaySeconds: 30,
  },
  prod: {
    natGateways: 2,
    keepImages: 100,
    untaggedImageDays: 14,
    forceDelete: false,
    encryptLogs: true,
    cloudHistory: true,
    pointInTimeRecovery: true,
    recordVersionDays: 365,
    accessLogDays: 365,
    keyDeletionDays: 30,
    deregistrationDelaySeconds: 60,
  },
};
