import { describe, expect, it } from "vitest";
import { buildsImages, codebuildEncryptedArtifacts, codebuildLogs, codebuildPrivilegedOnlyForImages } from "../../policy/codebuild";
import { readBuildspec } from "../../infra/pipeline/buildProject";
import { checkResource } from "./helpers";

const PROJECT = "aws:codebuild/project:Project";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1";
const project = (overrides: Record<string, unknown> = {}) => ({
  name: "delivery-prod-test-unit",
  encryptionKey: KEY,
  source: { type: "CODEPIPELINE", buildspec: readBuildspec("test") },
  artifacts: { type: "CODEPIPELINE" },
  environment: { type: "LINUX_CONTAINER", image: "aws/codebuild/standard:7.0", privilegedMode: false },
  logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: "/aws/codebuild/delivery-prod-test-unit" } },
  ...overrides,
});
const privileged = (buildspec: string) => project({ source: { type: "CODEPIPELINE", buildspec }, environment: { privilegedMode: true } });

describe("codebuild-privileged-only-for-images", () => {
  it("passes an unprivileged project", () => {
    expect(checkResource(codebuildPrivilegedOnlyForImages, PROJECT, project())).toEqual({ violations: [] });
  });

  it("passes the privileged image build project (the shipped build buildspec)", () => {
    expect(checkResource(codebuildPrivilegedOnlyForImages, PROJECT, privileged(readBuildspec("build")))).toEqual({ violations: [] });
  });

  it.each([
    ["docker build -t x .", true],
    ["docker buildx build --push .", true],
    ["docker image build .", true],
    ["docker push x", false],
    ["npm run build", false],
  ])("reads %j as an image build: %s", (command, expected) => {
    expect(buildsImages(command)).toBe(expected);
  });

  it("reports a privileged project whose buildspec builds no image", () => {
    expect(checkResource(codebuildPrivilegedOnlyForImages, PROJECT, privileged(readBuildspec("test"))).violations).toEqual([
      "environment.privilegedMode is true but the buildspec runs no docker build; only image builds may be privileged.",
    ]);
  });

  it("reports a privileged project whose buildspec is a file it cannot read", () => {
    expect(checkResource(codebuildPrivilegedOnlyForImages, PROJECT, privileged("buildspec.yml")).violations).toEqual([
      'environment.privilegedMode is true and source.buildspec is the file "buildspec.yml"; privileged mode needs an inline buildspec that builds images.',
    ]);
  });
});

describe("codebuild-encrypted-artifacts", () => {
  it("passes a project with a KMS key", () => {
    expect(checkResource(codebuildEncryptedArtifacts, PROJECT, project())).toEqual({ violations: [] });
  });

  it.each([
    ["no key", { encryptionKey: undefined }, "encryptionKey is not set; artifacts must be encrypted with a KMS key."],
    [
      "encryption off",
      { artifacts: { type: "S3", encryptionDisabled: true } },
      "artifacts.encryptionDisabled is true; artifacts must be encrypted.",
    ],
    [
      "a secondary artifact unencrypted",
      { secondaryArtifacts: [{ type: "S3", encryptionDisabled: true }] },
      "secondaryArtifacts[0].encryptionDisabled is true; artifacts must be encrypted.",
    ],
  ])("reports %s", (_label, overrides, message) => {
    expect(checkResource(codebuildEncryptedArtifacts, PROJECT, project(overrides)).violations).toEqual([message]);
  });
});

describe("codebuild-logs", () => {
  it("passes CloudWatch logs to a named group", () => {
    expect(checkResource(codebuildLogs, PROJECT, project())).toEqual({ violations: [] });
  });

  it("passes S3 logs", () => {
    expect(
      checkResource(
        codebuildLogs,
        PROJECT,
        project({ logsConfig: { cloudwatchLogs: { status: "DISABLED" }, s3Logs: { status: "ENABLED", location: "b/logs" } } }),
      ),
    ).toEqual({
      violations: [],
    });
  });

  it.each([
    [
      "no logs config",
      { logsConfig: undefined },
      "logsConfig has cloudwatchLogs status not set, groupName not set and s3Logs status not set; logs must go to a named CloudWatch log group or to S3.",
    ],
    [
      "CloudWatch logs off",
      { logsConfig: { cloudwatchLogs: { status: "DISABLED", groupName: "g" } } },
      'logsConfig has cloudwatchLogs status "DISABLED", groupName "g" and s3Logs status not set; logs must go to a named CloudWatch log group or to S3.',
    ],
    [
      "unencrypted S3 logs",
      { logsConfig: { s3Logs: { status: "ENABLED", location: "b/logs", encryptionDisabled: true } } },
      "logsConfig.s3Logs.encryptionDisabled is true; S3 build logs must be encrypted.",
    ],
  ])("reports %s", (_label, overrides, message) => {
    expect(checkResource(codebuildLogs, PROJECT, project(overrides)).violations).toEqual([message]);
  });
});
