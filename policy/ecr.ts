import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceRule } from "./lib/define";
import { isPublicPrincipal, statementsOf } from "./lib/iamDocument";
import { parseJson, rec, seen } from "./lib/values";

const REPOSITORY = "aws:ecr/repository:Repository";

/** Conditions that scope an Allow to known callers, so a `*` principal is not the public. */
const SCOPING_CONDITION_KEYS = [
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceowner",
  "aws:principalaccount",
  "aws:principalorgid",
  "aws:principalarn",
];

export const ecrScanOnPush = resourceRule({
  name: "ecr-scan-on-push",
  description: "ECR repositories scan every image on push (Security Hub ECR.1, checkov CKV_AWS_163).",
  remediation: "Set imageScanningConfiguration: { scanOnPush: true } on the repository.",
  severity: "high",
  types: [REPOSITORY],
  validate(props, ctx) {
    const scan = rec(props.imageScanningConfiguration)?.scanOnPush;
    if (scan !== true) ctx.report(`imageScanningConfiguration.scanOnPush is ${seen(scan)}; images must be scanned on push (true).`);
  },
});

export const ecrImmutableTags = resourceRule({
  name: "ecr-immutable-tags",
  description:
    "ECR image tags are immutable, so a tag in stack config always names the same image (Security Hub ECR.2, checkov CKV_AWS_51).",
  remediation: 'Set imageTagMutability: "IMMUTABLE" on the repository.',
  severity: "high",
  types: [REPOSITORY],
  validate(props, ctx) {
    const mutability = props.imageTagMutability;
    if (mutability !== "IMMUTABLE") ctx.report(`imageTagMutability is ${seen(mutability)}; it must be "IMMUTABLE".`);
  },
});

export const ecrNotPublic = resourceRule({
  name: "ecr-not-public",
  description:
    "ECR repositories are private: no public (ecrpublic) repository, and no repository policy that allows everyone (principal *) without a condition naming the account or organization (checkov CKV_AWS_32).",
  remediation:
    "Use a private aws.ecr.Repository, and grant named principals (accounts, roles) in its RepositoryPolicy, or scope a `*` principal with aws:PrincipalOrgID / aws:SourceAccount.",
  severity: "critical",
  types: ["aws:ecrpublic/repository:Repository", "aws:ecr/repositoryPolicy:RepositoryPolicy"],
  validate(props, ctx) {
    if (ctx.type === "aws:ecrpublic/repository:Repository") {
      ctx.report("the repository is an ECR Public repository; images must live in a private ECR repository.");
      return;
    }
    const doc = parseJson(props.policy);
    const statements = doc.ok ? statementsOf(doc.value) : doc;
    if (!statements.ok) {
      ctx.report(`policy is ${statements.error}; expected an IAM policy document.`);
      return;
    }
    for (const s of statements.value) {
      const scoped = Object.values(s.condition ?? {}).some((block) =>
        Object.keys(rec(block) ?? {}).some((k) => SCOPING_CONDITION_KEYS.includes(k.toLowerCase())),
      );
      if (s.effect === "Allow" && isPublicPrincipal(s.principal) && !scoped) {
        ctx.report(
          `policy ${s.label} allows principal "*" with no condition on the caller's account or organization; the repository would be public.`,
        );
      }
    }
  },
});

export const ecrPolicies: ResourceValidationPolicy[] = [ecrScanOnPush, ecrImmutableTags, ecrNotPublic];
