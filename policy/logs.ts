import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceRule } from "./lib/define";
import { seen } from "./lib/values";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/** What prod keeps at least (CloudWatch.16 and CKV_AWS_338 use a year). */
export const PROD_MIN_RETENTION_DAYS = 365;

export const logsRetentionSet = resourceRule({
  name: "logs-retention-set",
  description: "CloudWatch log groups set a retention period instead of keeping logs forever (checkov CKV_AWS_66).",
  remediation: "Set retentionInDays on the log group (the stack config's delivery:logRetentionDays, by tier).",
  severity: "low",
  types: [LOG_GROUP],
  validate(props, ctx) {
    const days = props.retentionInDays;
    if (typeof days !== "number" || days <= 0) ctx.report(`retentionInDays is ${seen(days)}; a log group must set a retention period.`);
  },
});

export const logsRetentionProd = resourceRule({
  name: "logs-retention-prod",
  description: `In prod, CloudWatch log groups keep logs at least ${PROD_MIN_RETENTION_DAYS} days (Security Hub CloudWatch.16, checkov CKV_AWS_338).`,
  remediation: `Set retentionInDays to ${PROD_MIN_RETENTION_DAYS} or more (delivery:logRetentionDays in Pulumi.prod.yaml; the prod default is 365).`,
  severity: "medium",
  tiers: ["prod"],
  types: [LOG_GROUP],
  validate(props, ctx) {
    const days = props.retentionInDays;
    if (typeof days !== "number" || days < PROD_MIN_RETENTION_DAYS) {
      ctx.report(`retentionInDays is ${seen(days)}; prod log groups keep logs at least ${PROD_MIN_RETENTION_DAYS} days.`);
    }
  },
});

export const logsKmsProd = resourceRule({
  name: "logs-kms-prod",
  description: "In prod, CloudWatch log groups are encrypted with a KMS key (checkov CKV_AWS_158).",
  remediation:
    "Set kmsKeyId on the log group to the environment's KMS key ARN (its key policy must let logs.<region>.amazonaws.com use it).",
  severity: "medium",
  tiers: ["prod"],
  types: [LOG_GROUP],
  validate(props, ctx) {
    if (typeof props.kmsKeyId !== "string" || props.kmsKeyId === "")
      ctx.report(`kmsKeyId is ${seen(props.kmsKeyId)}; prod log groups must be encrypted with a KMS key.`);
  },
});

export const logsPolicies: ResourceValidationPolicy[] = [logsRetentionSet, logsRetentionProd, logsKmsProd];
