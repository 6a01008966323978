import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceRule } from "./lib/define";
import { arr, type Props, rec, seen, str } from "./lib/values";

const PIPELINE = "aws:codepipeline/pipeline:Pipeline";

export const codepipelineArtifactsKms = resourceRule({
  name: "codepipeline-artifacts-kms",
  description: "CodePipeline artifact stores are encrypted with a customer managed KMS key (checkov CKV_AWS_219).",
  remediation: 'Give every artifactStores entry encryptionKey: { id: <KMS key ARN>, type: "KMS" }.',
  severity: "high",
  types: [PIPELINE],
  validate(props, ctx) {
    const stores = arr(props.artifactStores);
    if (stores.length === 0) ctx.report("artifactStores is not set; the pipeline needs an S3 artifact store encrypted with a KMS key.");
    stores.forEach((s, i) => {
      const key = rec(rec(s)?.encryptionKey);
      if (key?.type !== "KMS" || typeof key.id !== "string" || key.id === "") {
        ctx.report(
          `artifactStores[${i}].encryptionKey is type ${seen(key?.type)}, id ${seen(key?.id)}; it must be a KMS key (type "KMS" with its ARN).`,
        );
      }
    });
  },
});

/** A stage that deploys: named Deploy, or holding an action of category Deploy or named Deploy. */
function deploys(stage: Props): boolean {
  if (/deploy/i.test(str(stage.name) ?? "")) return true;
  return arr(stage.actions).some((a) => rec(a)?.category === "Deploy" || /deploy/i.test(str(rec(a)?.name) ?? ""));
}

const approves = (stage: Props) => arr(stage.actions).some((a) => rec(a)?.category === "Approval" && rec(a)?.provider === "Manual");

export const codepipelineProdApproval = resourceRule({
  name: "codepipeline-prod-approval",
  description: "In prod, a person approves a release: the pipeline has a manual approval stage before its first deploy stage.",
  remediation:
    "Keep delivery:pipeline.requireApproval on for prod (its default) with at least one approver: the component adds an Approval stage before Deploy.",
  severity: "high",
  tiers: ["prod"],
  types: [PIPELINE],
  validate(props, ctx) {
    const stages = arr(props.stages).map((s) => rec(s) ?? {});
    const firstDeploy = stages.findIndex(deploys);
    if (firstDeploy < 0) return;
    if (!stages.slice(0, firstDeploy).some(approves)) {
      ctx.report(
        `stage ${JSON.stringify(stages[firstDeploy].name)} deploys with no manual approval before it; prod releases need a person's approval.`,
      );
    }
  },
});

export const codepipelinePolicies: ResourceValidationPolicy[] = [codepipelineArtifactsKms, codepipelineProdApproval];
