import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_TEST_SUITES, parseEnvironmentConfig } from "../../infra/config";
import { DEFAULT_ANALYSIS_RULES } from "../../validators/analysis/rules";
import { rawConfig, service } from "./helpers";

const CONNECTION = "arn:aws:codeconnections:us-east-1:123456789012:connection/7d2f4c1e-0b5a-4c8e";
const source = { connectionArn: CONNECTION, repository: "example/app" };

function problems(pipeline: unknown, tier = "dev"): string[] {
  try {
    parseEnvironmentConfig(rawConfig({ tier, services: [service()], pipeline }, { stack: tier }));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path} ${p.message}`);
    throw err;
  }
  return [];
}

describe("delivery:pipeline", () => {
  it.each([
    [
      "missing on a cloud tier",
      undefined,
      "delivery:pipeline is missing; the dev tier runs a pipeline: set source (connectionArn, repository, branch) and pulumiAccessTokenSecret, or enabled: false.",
    ],
    [
      "without a source",
      { pulumiAccessTokenSecret: "t" },
      "delivery:pipeline.source is missing; give connectionArn and repository (owner/name), or s3Bucket for an S3 source.",
    ],
    [
      "with both kinds of source",
      { source: { ...source, s3Bucket: "bucket-a" }, pulumiAccessTokenSecret: "t" },
      "delivery:pipeline.source has both a connection (connectionArn, repository) and an S3 source (s3Bucket, s3Key); choose one.",
    ],
    [
      "without the token secret",
      { source },
      "delivery:pipeline.pulumiAccessTokenSecret is missing; name the Secrets Manager secret holding the Pulumi access token the deploy step uses.",
    ],
    [
      "with a token instead of a secret name",
      { source, pulumiAccessTokenSecret: `pul-${"a".repeat(40)}` },
      `delivery:pipeline.pulumiAccessTokenSecret is "pul-${"a".repeat(40)}"; looks like a Pulumi access token; give the name of the secret holding it.`,
    ],
    [
      "requiring approval without approvers",
      { source, pulumiAccessTokenSecret: "t", requireApproval: true },
      "delivery:pipeline.approvers is empty; a pipeline that requires approval needs at least one approver email to notify.",
    ],
    [
      "with a repository not in owner/name form",
      { source: { connectionArn: CONNECTION, repository: "app" }, pulumiAccessTokenSecret: "t" },
      'delivery:pipeline.source.repository is "app"; expected owner/name.',
    ],
    [
      "with duplicate suites",
      {
        source,
        pulumiAccessTokenSecret: "t",
        testSuites: [
          { name: "unit", commands: ["a"] },
          { name: "unit", commands: ["b"] },
        ],
      },
      'delivery:pipeline.testSuites[1].name is "unit"; suite names must be unique (testSuites[0] has it too).',
    ],
  ])("reports a pipeline %s", (_name, pipeline, expected) => {
    expect(problems(pipeline)).toEqual([expected]);
  });

  it("needs no pipeline on the local tier", () => {
    const config = parseEnvironmentConfig(
      rawConfig(
        { tier: "local", services: [service()], pipeline: undefined },
        {
          stack: "local",
          extra: {
            "aws:skipCredentialsValidation": true,
            "aws:skipRequestingAccountId": true,
            "aws:endpoints": [
              Object.fromEntries(
                [
                  "appautoscaling",
                  "cloudwatch",
                  "codebuild",
                  "codepipeline",
                  "dynamodb",
                  "ec2",
                  "ecr",
                  "ecs",
                  "elbv2",
                  "events",
                  "iam",
                  "kms",
                  "logs",
                  "s3",
                  "sns",
                  "ssm",
                  "sts",
                ].map((s) => [s, "http://localhost:4566"]),
              ),
            ],
          },
        },
      ),
    );
    expect(config.pipeline).toBeUndefined();
  });

  it("fills defaults: main branch, one critical unit suite, approval only in prod, the default analysis rules", () => {
    const config = parseEnvironmentConfig(
      rawConfig({ tier: "dev", services: [service()], pipeline: { source, pulumiAccessTokenSecret: "delivery/dev/token" } }),
    );
    expect(config.pipeline).toEqual({
      source: { kind: "connection", connectionArn: CONNECTION, repository: "example/app", branch: "main" },
      buildImage: "aws/codebuild/standard:7.0",
      testSuites: DEFAULT_TEST_SUITES,
      requireApproval: false,
      approvers: [],
      pulumiAccessTokenSecret: "delivery/dev/token",
      analysis: DEFAULT_ANALYSIS_RULES,
    });
  });

  it("requires approval in prod by default", () => {
    const config = parseEnvironmentConfig(
      rawConfig(
        { tier: "prod", services: [service()], pipeline: { source, pulumiAccessTokenSecret: "t", approvers: ["a@example.com"] } },
        { stack: "prod" },
      ),
    );
    expect(config.pipeline?.requireApproval).toBe(true);
  });

  it("reads an S3 source", () => {
    const config = parseEnvironmentConfig(
      rawConfig({ tier: "dev", services: [service()], pipeline: { source: { s3Bucket: "src-bucket" }, pulumiAccessTokenSecret: "t" } }),
    );
    expect(config.pipeline?.source).toEqual({ kind: "s3", bucket: "src-bucket", key: "source.zip" });
  });
});

describe("delivery:pipeline.analysis", () => {
  it("suggests the closest key for a misspelt rules key", () => {
    expect(problems({ source, pulumiAccessTokenSecret: "t", analysis: { servics: {} } })).toEqual([
      "delivery:pipeline.analysis.servics is not a known key; did you mean 'services'? Known keys: categories, ignore, sharedConfig, decisions, services.",
    ]);
  });
});
