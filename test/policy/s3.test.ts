import { describe, expect, it } from "vitest";
import { s3KmsEncryption, s3NoForceDestroyProd, s3PublicAccessBlocked, s3TlsOnly, s3Versioning } from "../../policy/s3";
import { checkResource, checkStack, res, type TestResource } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1";
const bucket = (name = "records", props: Record<string, unknown> = {}) =>
  res("aws:s3/bucket:Bucket", name, { id: `${name}-abc1234`, ...props });
const versioning = (b: string, status = "Enabled") =>
  res("aws:s3/bucketVersioning:BucketVersioning", `${b}-v`, { bucket: `${b}-abc1234`, versioningConfiguration: { status } });
const encryption = (b: string, byDefault: Record<string, unknown> = { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }) =>
  res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${b}-e`, {
    bucket: `${b}-abc1234`,
    rules: [{ applyServerSideEncryptionByDefault: byDefault }],
  });
const block = (b: string, overrides: Record<string, unknown> = {}) =>
  res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${b}-pab`, {
    bucket: `${b}-abc1234`,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
    ...overrides,
  });
const tlsStatement = (overrides: Record<string, unknown> = {}) => ({
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
  Resource: ["arn:aws:s3:::records-abc1234", "arn:aws:s3:::records-abc1234/*"],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
  ...overrides,
});
const bucketPolicy = (b: string, statements: Record<string, unknown>[]) =>
  res("aws:s3/bucketPolicy:BucketPolicy", `${b}-p`, {
    bucket: `${b}-abc1234`,
    policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
  });
const alb = (logBucket: string) =>
  res("aws:lb/loadBalancer:LoadBalancer", "alb", { accessLogs: { bucket: `${logBucket}-abc1234`, enabled: true } });
const secure = (b: string): TestResource[] => [bucket(b), versioning(b), encryption(b), block(b), bucketPolicy(b, [tlsStatement()])];

describe("s3-kms-encryption", () => {
  it("passes a bucket with SSE-KMS", () => {
    expect(checkStack(s3KmsEncryption, secure("records"))).toEqual({ violations: [] });
  });

  it("passes SSE-S3 on a bucket an ALB writes access logs to", () => {
    expect(checkStack(s3KmsEncryption, [bucket("logs"), encryption("logs", { sseAlgorithm: "AES256" }), alb("logs")])).toEqual({
      violations: [],
    });
  });

  it("passes a bucket whose encryption is matched by its name rather than its id", () => {
    const named = res("aws:s3/bucket:Bucket", "records", { bucket: "records-abc1234" });
    expect(checkStack(s3KmsEncryption, [named, encryption("records")])).toEqual({ violations: [] });
  });

  it.each([
    [
      "a bucket with no encryption configuration",
      [bucket()],
      "records: bucket records has no server-side encryption configuration; it must default to SSE-KMS with a KMS key.",
    ],
    [
      "SSE-S3 on a bucket no ALB logs to",
      [bucket(), encryption("records", { sseAlgorithm: "AES256" })],
      'records: bucket records encrypts with "AES256" without kmsMasterKeyId; it must use sseAlgorithm "aws:kms" with a kmsMasterKeyId.',
    ],
    [
      "SSE-KMS without a key",
      [bucket(), encryption("records", { sseAlgorithm: "aws:kms" })],
      'records: bucket records encrypts with "aws:kms" without kmsMasterKeyId; it must use sseAlgorithm "aws:kms" with a kmsMasterKeyId.',
    ],
    [
      "another bucket's encryption",
      [bucket(), encryption("other")],
      "records: bucket records has no server-side encryption configuration; it must default to SSE-KMS with a KMS key.",
    ],
  ])("reports %s", (_label, resources, message) => {
    expect(checkStack(s3KmsEncryption, resources).violations).toEqual([message]);
  });
});

describe("s3-versioning", () => {
  it("passes a versioned bucket", () => {
    expect(checkStack(s3Versioning, secure("records"))).toEqual({ violations: [] });
  });

  it("passes an unversioned ALB access-log bucket", () => {
    expect(checkStack(s3Versioning, [bucket("logs"), alb("logs")])).toEqual({ violations: [] });
  });

  it.each([
    ["a bucket with no versioning", [bucket()], 'records: bucket records has no versioning configuration; versioning must be "Enabled".'],
    [
      "suspended versioning",
      [bucket(), versioning("records", "Suspended")],
      'records: bucket records versioning status is "Suspended"; it must be "Enabled".',
    ],
  ])("reports %s", (_label, resources, message) => {
    expect(checkStack(s3Versioning, resources).violations).toEqual([message]);
  });
});

describe("s3-public-access-blocked", () => {
  it("passes a bucket with all four settings on", () => {
    expect(checkStack(s3PublicAccessBlocked, secure("records"))).toEqual({ violations: [] });
  });

  it.each([
    [
      "a bucket with no public access block",
      [bucket()],
      "records: bucket records has no public access block; all four settings must be true.",
    ],
    [
      "one setting off",
      [bucket(), block("records", { blockPublicPolicy: false })],
      "records: bucket records public access block has blockPublicPolicy false; all four must be true.",
    ],
    [
      "one setting missing and one off",
      [bucket(), block("records", { ignorePublicAcls: undefined, restrictPublicBuckets: false })],
      "records: bucket records public access block has ignorePublicAcls not set, restrictPublicBuckets false; all four must be true.",
    ],
  ])("reports %s", (_label, resources, message) => {
    expect(checkStack(s3PublicAccessBlocked, resources).violations).toEqual([message]);
  });
});

describe("s3-tls-only", () => {
  it("passes a bucket policy denying insecure transport", () => {
    expect(checkStack(s3TlsOnly, secure("records"))).toEqual({ violations: [] });
  });

  it("passes a deny on s3:* with a boolean condition value", () => {
    const statement = tlsStatement({ Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": false } } });
    expect(checkStack(s3TlsOnly, [bucket(), bucketPolicy("records", [statement])])).toEqual({ violations: [] });
  });

  const missing =
    'records: bucket records policy has no statement denying everyone s3:GetObject and s3:PutObject when aws:SecureTransport is "false".';
  it.each([
    [
      "a bucket with no policy",
      [bucket()],
      'records: bucket records has no bucket policy; one must deny requests where aws:SecureTransport is "false".',
    ],
    ["an Allow instead of a Deny", [bucket(), bucketPolicy("records", [tlsStatement({ Effect: "Allow" })])], missing],
    ["a Deny that leaves PutObject", [bucket(), bucketPolicy("records", [tlsStatement({ Action: ["s3:GetObject"] })])], missing],
    [
      "a Deny on secure transport",
      [bucket(), bucketPolicy("records", [tlsStatement({ Condition: { Bool: { "aws:SecureTransport": "true" } } })])],
      missing,
    ],
    [
      "a Deny for one account only",
      [bucket(), bucketPolicy("records", [tlsStatement({ Principal: { AWS: "arn:aws:iam::123456789012:root" } })])],
      missing,
    ],
  ])("reports %s", (_label, resources, message) => {
    expect(checkStack(s3TlsOnly, resources).violations).toEqual([message]);
  });
});

describe("s3-no-force-destroy-prod", () => {
  it("reports a prod bucket that would be force-destroyed", () => {
    expect(checkResource(s3NoForceDestroyProd, "aws:s3/bucket:Bucket", { forceDestroy: true }, { tier: "prod" }).violations).toEqual([
      "forceDestroy is true; prod buckets must never be force-destroyed.",
    ]);
  });

  it("passes a prod bucket without forceDestroy", () => {
    expect(checkResource(s3NoForceDestroyProd, "aws:s3/bucket:Bucket", { forceDestroy: false }, { tier: "prod" })).toEqual({
      violations: [],
    });
  });
});
