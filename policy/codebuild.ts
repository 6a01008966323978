import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceRule } from "./lib/define";
import { arr, rec, seen, str } from "./lib/values";

const PROJECT = "aws:codebuild/project:Project";

/** A buildspec that builds container images: `docker build`, `docker buildx build`, `docker image build`. */
export function buildsImages(buildspec: string): boolean {
  return /\bdocker\s+(buildx\s+|image\s+)?build\b/.test(buildspec);
}

export const codebuildPrivilegedOnlyForImages = resourceRule({
  name: "codebuild-privileged-only-for-images",
  description:
    "CodeBuild projects run privileged (Docker daemon access) only when their inline buildspec builds container images (Security Hub CodeBuild.5, checkov CKV_AWS_316).",
  remediation:
    "Set environment.privilegedMode to false; only the per-service image build projects, whose buildspec runs docker build, need it.",
  severity: "high",
  types: [PROJECT],
  validate(props, ctx) {
    if (rec(props.environment)?.privilegedMode !== true) return;
    const buildspec = str(rec(props.source)?.buildspec);
    if (buildspec === undefined || !buildspec.includes("\n")) {
      ctx.report(
        `environment.privilegedMode is true and source.buildspec is ${buildspec === undefined ? "not set" : `the file ${JSON.stringify(buildspec)}`}; privileged mode needs an inline buildspec that builds images.`,
      );
    } else if (!buildsImages(buildspec)) {
      ctx.report("environment.privilegedMode is true but the buildspec runs no docker build; only image builds may be privileged.");
    }
  },
});

export const codebuildEncryptedArtifacts = resourceRule({
  name: "codebuild-encrypted-artifacts",
  description:
    "CodeBuild projects encrypt their artifacts with a customer managed KMS key and never turn artifact encryption off (checkov CKV_AWS_78, CKV_AWS_147).",
  remediation:
    "Set encryptionKey to the pipeline's artifact KMS key ARN and remove encryptionDisabled from artifacts and secondaryArtifacts.",
  severity: "high",
  types: [PROJECT],
  validate(props, ctx) {
    if (typeof props.encryptionKey !== "string" || props.encryptionKey === "")
      ctx.report(`encryptionKey is ${seen(props.encryptionKey)}; artifacts must be encrypted with a KMS key.`);
    if (rec(props.artifacts)?.encryptionDisabled === true) ctx.report("artifacts.encryptionDisabled is true; artifacts must be encrypted.");
    arr(props.secondaryArtifacts).forEach((a, i) => {
      if (rec(a)?.encryptionDisabled === true)
        ctx.report(`secondaryArtifacts[${i}].encryptionDisabled is true; artifacts must be encrypted.`);
    });
  },
});

export const codebuildLogs = resourceRule({
  name: "codebuild-logs",
  description:
    "CodeBuild projects say where their logs go: CloudWatch Logs (a group the stack manages) or S3, encrypted (Security Hub CodeBuild.3, CodeBuild.4, checkov CKV_AWS_314).",
  remediation: 'Set logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: <the project\'s log group> } } (BuildProject does this).',
  severity: "medium",
  types: [PROJECT],
  validate(props, ctx) {
    const logs = rec(props.logsConfig);
    const cloudwatch = rec(logs?.cloudwatchLogs);
    const s3 = rec(logs?.s3Logs);
    const cloudwatchOn = cloudwatch !== undefined && cloudwatch.status !== "DISABLED" && typeof cloudwatch.groupName === "string";
    const s3On = s3?.status === "ENABLED";
    if (!cloudwatchOn && !s3On) {
      ctx.report(
        `logsConfig has cloudwatchLogs status ${seen(cloudwatch?.status)}, groupName ${seen(cloudwatch?.groupName)} and s3Logs status ${seen(s3?.status)}; logs must go to a named CloudWatch log group or to S3.`,
      );
    }
    if (s3?.encryptionDisabled === true) ctx.report("logsConfig.s3Logs.encryptionDisabled is true; S3 build logs must be encrypted.");
  },
});

export const codebuildPolicies: ResourceValidationPolicy[] = [codebuildPrivilegedOnlyForImages, codebuildEncryptedArtifacts, codebuildLogs];
