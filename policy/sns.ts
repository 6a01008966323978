import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceRule } from "./lib/define";
import { seen } from "./lib/values";

export const snsEncrypted = resourceRule({
  name: "sns-encrypted",
  description: "SNS topics are encrypted at rest with a KMS key (Security Hub SNS.1, checkov CKV_AWS_26).",
  remediation:
    "Set kmsMasterKeyId on the topic to a customer managed key whose policy lets cloudwatch.amazonaws.com and events.amazonaws.com use it (alias/aws/sns does not let alarms publish).",
  severity: "medium",
  types: ["aws:sns/topic:Topic"],
  validate(props, ctx) {
    if (typeof props.kmsMasterKeyId !== "string" || props.kmsMasterKeyId === "") {
      ctx.report(`kmsMasterKeyId is ${seen(props.kmsMasterKeyId)}; the topic must be encrypted with a KMS key.`);
    }
  },
});

export const snsPolicies: ResourceValidationPolicy[] = [snsEncrypted];
