import { describe, expect, it } from "vitest";
import { ecrImmutableTags, ecrNotPublic, ecrScanOnPush } from "../../policy/ecr";
import { checkResource } from "./helpers";

const REPO = "aws:ecr/repository:Repository";
const REPO_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy";
const compliant = { name: "prod/delivery/api", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } };
const policyDoc = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

describe("ecr-scan-on-push", () => {
  it("passes a repository that scans on push", () => {
    expect(checkResource(ecrScanOnPush, REPO, compliant)).toEqual({ violations: [] });
  });

  it.each([
    [{ scanOnPush: false }, "imageScanningConfiguration.scanOnPush is false; images must be scanned on push (true)."],
    [undefined, "imageScanningConfiguration.scanOnPush is not set; images must be scanned on push (true)."],
  ])("reports imageScanningConfiguration %j", (scanning, message) => {
    expect(checkResource(ecrScanOnPush, REPO, { ...compliant, imageScanningConfiguration: scanning }).violations).toEqual([message]);
  });

  it("does not apply to other resource types", () => {
    expect(checkResource(ecrScanOnPush, "aws:s3/bucket:Bucket", {}).notApplicable).toBe(`applies to ${REPO}`);
  });
});

describe("ecr-immutable-tags", () => {
  it("passes a repository with immutable tags", () => {
    expect(checkResource(ecrImmutableTags, REPO, compliant)).toEqual({ violations: [] });
  });

  it.each([
    ["MUTABLE", 'imageTagMutability is "MUTABLE"; it must be "IMMUTABLE".'],
    [undefined, 'imageTagMutability is not set; it must be "IMMUTABLE".'],
  ])("reports imageTagMutability %s", (mutability, message) => {
    expect(checkResource(ecrImmutableTags, REPO, { ...compliant, imageTagMutability: mutability }).violations).toEqual([message]);
  });
});

describe("ecr-not-public", () => {
  it("passes a repository policy that grants a named account", () => {
    const doc = policyDoc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: ["ecr:BatchGetImage"] });
    expect(checkResource(ecrNotPublic, REPO_POLICY, { repository: "r", policy: doc })).toEqual({ violations: [] });
  });

  it("passes a * principal scoped to the organization", () => {
    const doc = policyDoc({
      Effect: "Allow",
      Principal: "*",
      Action: ["ecr:BatchGetImage"],
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
    });
    expect(checkResource(ecrNotPublic, REPO_POLICY, { repository: "r", policy: doc })).toEqual({ violations: [] });
  });

  it.each([
    ["*", "*"],
    ["{ AWS: * }", { AWS: "*" }],
  ])("reports an unconditioned Allow to principal %s", (_label, principal) => {
    const doc = policyDoc({ Sid: "Pull", Effect: "Allow", Principal: principal, Action: ["ecr:BatchGetImage"] });
    expect(checkResource(ecrNotPublic, REPO_POLICY, { repository: "r", policy: doc }).violations).toEqual([
      'policy statement 1 ("Pull") allows principal "*" with no condition on the caller\'s account or organization; the repository would be public.',
    ]);
  });

  it("reports a repository policy that is not JSON", () => {
    expect(checkResource(ecrNotPublic, REPO_POLICY, { repository: "r", policy: "{" }).violations).toEqual([
      "policy is not valid JSON; expected an IAM policy document.",
    ]);
  });

  it("reports an ECR Public repository", () => {
    expect(checkResource(ecrNotPublic, "aws:ecrpublic/repository:Repository", { repositoryName: "api" }).violations).toEqual([
      "the repository is an ECR Public repository; images must live in a private ECR repository.",
    ]);
  });
});
