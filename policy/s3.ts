import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ofType, resourceRule, type StackResource, stackRule } from "./lib/define";
import { isPublicPrincipal, type Statement, statementsOf } from "./lib/iamDocument";
import { actionMatches, arr, parseJson, rec, seen, str, strings } from "./lib/values";

/**
 * S3 buckets (the pipeline's artifacts, the run records, the ALB's access logs). A bucket's settings
 * are separate resources (aws v7): each rule finds them by their `bucket` input, which names the
 * bucket (its id or name).
 */

const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const ENCRYPTION = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const PUBLIC_ACCESS_BLOCK = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
const BUCKET_POLICY = ["aws:s3/bucketPolicy:BucketPolicy"];
const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];

/** The values that name a bucket: its id (the engine's outputs, the offline render) and its name. */
function bucketKeys(bucket: StackResource): string[] {
  return [bucket.props.id, bucket.props.bucket].filter((v): v is string => typeof v === "string" && v.length > 0);
}

/** The settings resources of the given types whose `bucket` names this bucket. */
export function settingsOf(bucket: StackResource, resources: readonly StackResource[], types: string[]): StackResource[] {
  const keys = bucketKeys(bucket);
  return ofType(resources, ...types).filter((r) => typeof r.props.bucket === "string" && keys.includes(r.props.bucket));
}

/** Buckets an ALB writes its access logs to: ELB log delivery supports SSE-S3 only, not SSE-KMS. */
function albLogBuckets(resources: readonly StackResource[]): string[] {
  return ofType(resources, ...LOAD_BALANCERS)
    .map((lb) => rec(lb.props.accessLogs))
    .filter((logs) => logs !== undefined && logs.enabled !== false)
    .map((logs) => str(logs?.bucket))
    .filter((b): b is string => b !== undefined);
}

function encryptionRules(bucket: StackResource, resources: readonly StackResource[]): Record<string, unknown>[] {
  const separate = settingsOf(bucket, resources, ENCRYPTION).flatMap((r) => arr(r.props.rules));
  // The deprecated inline form on the bucket itself: serverSideEncryptionConfiguration.rule.
  const inline = rec(bucket.props.serverSideEncryptionConfiguration)?.rule;
  return [...separate, ...(inline === undefined ? [] : [inline])].map((r) => rec(rec(r)?.applyServerSideEncryptionByDefault) ?? {});
}

export const s3KmsEncryption = stackRule({
  name: "s3-kms-encryption",
  description:
    "S3 buckets encrypt by default with a KMS key (SSE-KMS); a bucket an ALB writes access logs to may use SSE-S3, the only encryption ELB log delivery supports (Security Hub S3.17, checkov CKV_AWS_145).",
  remediation:
    'Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: <key ARN> } (SecureBucket does this).',
  severity: "high",
  validate(resources, ctx) {
    const logBuckets = albLogBuckets(resources);
    for (const bucket of ofType(resources, ...BUCKET_TYPES)) {
      const rules = encryptionRules(bucket, resources);
      const kms = rules.some(
        (r) => (r.sseAlgorithm === "aws:kms" || r.sseAlgorithm === "aws:kms:dsse") && typeof r.kmsMasterKeyId === "string",
      );
      const albLogs = bucketKeys(bucket).some((k) => logBuckets.includes(k));
      if (kms || (albLogs && rules.some((r) => r.sseAlgorithm === "AES256"))) continue;
      if (rules.length === 0) {
        ctx.report(
          `bucket ${bucket.name} has no server-side encryption configuration; it must default to SSE-KMS with a KMS key.`,
          bucket.urn,
        );
      } else {
        const seenAlgorithms = rules
          .map((r) => `${seen(r.sseAlgorithm)}${r.kmsMasterKeyId === undefined ? " without kmsMasterKeyId" : ""}`)
          .join(", ");
        ctx.report(
          `bucket ${bucket.name} encrypts with ${seenAlgorithms}; it must use sseAlgorithm "aws:kms" with a kmsMasterKeyId.`,
          bucket.urn,
        );
      }
    }
  },
});

export const s3Versioning = stackRule({
  name: "s3-versioning",
  description:
    "S3 buckets keep object versions, so an overwritten artifact or record can be recovered; an ALB access-log bucket (append-only logs, expired by lifecycle) is exempt (Security Hub S3.14, checkov CKV_AWS_21).",
  remediation: 'Add an aws.s3.BucketVersioning for the bucket with versioningConfiguration: { status: "Enabled" }.',
  severity: "medium",
  validate(resources, ctx) {
    const logBuckets = albLogBuckets(resources);
    for (const bucket of ofType(resources, ...BUCKET_TYPES)) {
      if (bucketKeys(bucket).some((k) => logBuckets.includes(k))) continue;
      const statuses = settingsOf(bucket, resources, VERSIONING).map((r) => rec(r.props.versioningConfiguration)?.status);
      if (statuses.includes("Enabled") || rec(bucket.props.versioning)?.enabled === true) continue;
      ctx.report(
        statuses.length === 0
          ? `bucket ${bucket.name} has no versioning configuration; versioning must be "Enabled".`
          : `bucket ${bucket.name} versioning status is ${statuses.map(seen).join(", ")}; it must be "Enabled".`,
        bucket.urn,
      );
    }
  },
});

const BLOCK_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const s3PublicAccessBlocked = stackRule({
  name: "s3-public-access-blocked",
  description: "S3 buckets block every form of public access (Security Hub S3.8, checkov CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56).",
  remediation:
    "Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
  severity: "critical",
  validate(resources, ctx) {
    for (const bucket of ofType(resources, ...BUCKET_TYPES)) {
      const blocks = settingsOf(bucket, resources, PUBLIC_ACCESS_BLOCK);
      if (blocks.length === 0) {
        ctx.report(`bucket ${bucket.name} has no public access block; all four settings must be true.`, bucket.urn);
        continue;
      }
      const off = BLOCK_SETTINGS.filter((k) => !blocks.some((b) => b.props[k] === true));
      if (off.length > 0)
        ctx.report(
          `bucket ${bucket.name} public access block has ${off.map((k) => `${k} ${seen(blocks[0].props[k])}`).join(", ")}; all four must be true.`,
          bucket.urn,
        );
    }
  },
});

/** Whether a statement denies object reads and writes over plain HTTP to everyone. */
function deniesInsecureTransport(statement: Statement): boolean {
  if (statement.effect !== "Deny" || !isPublicPrincipal(statement.principal)) return false;
  const secure = rec(statement.condition?.Bool)?.["aws:SecureTransport"];
  const values = typeof secure === "boolean" ? [String(secure)] : strings(secure);
  if (!values.includes("false")) return false;
  return ["s3:GetObject", "s3:PutObject"].every((action) => statement.actions.some((p) => actionMatches(p, action)));
}

export const s3TlsOnly = stackRule({
  name: "s3-tls-only",
  description:
    'S3 buckets refuse requests that do not use TLS: a bucket policy denies everyone when aws:SecureTransport is "false" (Security Hub S3.5).',
  remediation:
    'Add an aws.s3.BucketPolicy with a statement { Effect: "Deny", Principal: "*", Action: [object reads and writes, at least s3:GetObject and s3:PutObject], Resource: [bucket, bucket/*], Condition: { Bool: { "aws:SecureTransport": "false" } } }.',
  severity: "high",
  validate(resources, ctx) {
    for (const bucket of ofType(resources, ...BUCKET_TYPES)) {
      const policies = settingsOf(bucket, resources, BUCKET_POLICY);
      const ok = policies.some((p) => {
        const doc = parseJson(p.props.policy);
        const statements = doc.ok ? statementsOf(doc.value) : doc;
        return statements.ok && statements.value.some(deniesInsecureTransport);
      });
      if (ok) continue;
      ctx.report(
        policies.length === 0
          ? `bucket ${bucket.name} has no bucket policy; one must deny requests where aws:SecureTransport is "false".`
          : `bucket ${bucket.name} policy has no statement denying everyone s3:GetObject and s3:PutObject when aws:SecureTransport is "false".`,
        bucket.urn,
      );
    }
  },
});

export const s3NoForceDestroyProd = resourceRule({
  name: "s3-no-force-destroy-prod",
  description: "In prod, no bucket is force-destroyed: `pulumi destroy` must not delete its objects (docs/infra.md, the tier rule).",
  remediation: "Leave forceDestroy unset or false on prod buckets (the tier's forceDelete is false in prod).",
  severity: "high",
  tiers: ["prod"],
  types: BUCKET_TYPES,
  validate(props, ctx) {
    if (props.forceDestroy === true) ctx.report(`forceDestroy is ${seen(props.forceDestroy)}; prod buckets must never be force-destroyed.`);
  },
});

export const s3Policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
  s3KmsEncryption,
  s3Versioning,
  s3PublicAccessBlocked,
  s3TlsOnly,
  s3NoForceDestroyProd,
];
