import { describe, expect, it } from "vitest";
import { codepipelineArtifactsKms, codepipelineProdApproval } from "../../policy/codepipeline";
import { pipelineStages } from "../../infra/pipeline/stages";
import { checkResource } from "./helpers";

const PIPELINE = "aws:codepipeline/pipeline:Pipeline";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1";
const stages = (approval: boolean) =>
  pipelineStages({
    source: { kind: "s3", bucket: "src", key: "source.zip" },
    builds: [{ service: "api", project: "build-api" }],
    suites: [{ suite: "unit", project: "test-unit" }],
    approval: approval ? { topicArn: "arn:aws:sns:us-east-1:123456789012:approvals", stack: "prod" } : undefined,
    deployProject: "deploy",
    validateProject: "validate",
  });
const pipeline = (overrides: Record<string, unknown> = {}) => ({
  artifactStores: [{ location: "artifacts", type: "S3", encryptionKey: { id: KEY, type: "KMS" } }],
  stages: stages(true),
  ...overrides,
});

describe("codepipeline-artifacts-kms", () => {
  it("passes a KMS-encrypted artifact store", () => {
    expect(checkResource(codepipelineArtifactsKms, PIPELINE, pipeline())).toEqual({ violations: [] });
  });

  it.each([
    [
      "no store",
      { artifactStores: undefined },
      "artifactStores is not set; the pipeline needs an S3 artifact store encrypted with a KMS key.",
    ],
    [
      "a store without a key",
      { artifactStores: [{ location: "artifacts", type: "S3" }] },
      'artifactStores[0].encryptionKey is type not set, id not set; it must be a KMS key (type "KMS" with its ARN).',
    ],
  ])("reports %s", (_label, overrides, message) => {
    expect(checkResource(codepipelineArtifactsKms, PIPELINE, pipeline(overrides)).violations).toEqual([message]);
  });
});

describe("codepipeline-prod-approval", () => {
  it("passes the pipeline stages with an approval before Deploy", () => {
    expect(checkResource(codepipelineProdApproval, PIPELINE, pipeline(), { tier: "prod" })).toEqual({ violations: [] });
  });

  it("reports prod stages with no approval before Deploy", () => {
    expect(checkResource(codepipelineProdApproval, PIPELINE, pipeline({ stages: stages(false) }), { tier: "prod" }).violations).toEqual([
      'stage "Deploy" deploys with no manual approval before it; prod releases need a person\'s approval.',
    ]);
  });

  it("reports an approval that comes after the deploy", () => {
    const [source, build, test, approval, deploy, validate] = stages(true);
    const props = pipeline({ stages: [source, build, test, deploy, approval, validate] });
    expect(checkResource(codepipelineProdApproval, PIPELINE, props, { tier: "prod" }).violations).toEqual([
      'stage "Deploy" deploys with no manual approval before it; prod releases need a person\'s approval.',
    ]);
  });

  it("does not apply to dev", () => {
    expect(checkResource(codepipelineProdApproval, PIPELINE, pipeline({ stages: stages(false) }), { tier: "dev" }).notApplicable).toBe(
      "applies to the prod tier(s); this stack is dev",
    );
  });
});
