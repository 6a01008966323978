import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runByPolicyHost } from "../../policy/index";
import { policies } from "../../policy/policies";

const RULES = [
  "ecr-scan-on-push",
  "ecr-immutable-tags",
  "ecr-not-public",
  "s3-kms-encryption",
  "s3-versioning",
  "s3-public-access-blocked",
  "s3-tls-only",
  "s3-no-force-destroy-prod",
  "logs-retention-set",
  "logs-retention-prod",
  "logs-kms-prod",
  "sns-encrypted",
  "iam-no-wildcard-action",
  "iam-no-service-wildcard-action",
  "iam-passrole-scoped",
  "iam-no-admin-access",
  "ecs-task-not-privileged",
  "ecs-task-no-host-namespaces",
  "ecs-task-readonly-root-filesystem",
  "ecs-task-log-configuration",
  "ecs-task-no-secrets-in-environment",
  "ecs-task-distinct-roles",
  "ecs-service-circuit-breaker",
  "ecs-service-deployment-alarms",
  "ecs-service-no-public-ip",
  "ecs-service-min-tasks",
  "ecs-service-latest-platform",
  "ecs-cluster-container-insights",
  "alb-drop-invalid-headers",
  "alb-access-logs-prod",
  "alb-deletion-protection-prod",
  "alb-listener-tls12",
  "alb-https-prod",
  "codebuild-privileged-only-for-images",
  "codebuild-encrypted-artifacts",
  "codebuild-logs",
  "codepipeline-artifacts-kms",
  "codepipeline-prod-approval",
  "alarms-service-5xx-critical",
  "tags-required",
];

describe("the delivery policy pack", () => {
  it("has exactly the documented rules, in order", () => {
    expect(policies.map((p) => p.name)).toEqual(RULES);
  });

  it.each(policies.map((p) => [p.name, p]))("%s is mandatory by default, describes itself and says how to fix it", (_name, p) => {
    expect({
      enforcementLevel: p.enforcementLevel,
      described: p.description.length > 20,
      remediation: (p.remediationSteps ?? "").length > 20,
      tierConfig: p.configSchema?.properties.tier,
    }).toEqual({
      enforcementLevel: "mandatory",
      described: true,
      remediation: true,
      tierConfig: {
        type: "string",
        enum: ["local", "dev", "staging", "prod"],
        description: "The stack's tier: local, dev, staging or prod.",
      },
    });
  });

  it("has a row for every rule in docs/policy.md", () => {
    const docs = readFileSync(join(__dirname, "..", "..", "docs", "policy.md"), "utf8");
    expect(RULES.filter((r) => !docs.includes(`| \`${r}\` |`))).toEqual([]);
  });
});

describe("policy/index.ts", () => {
  it.each([
    ["/work/node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js", true],
    ["C:\\repo\\node_modules\\@pulumi\\pulumi\\cmd\\run-policy-pack\\index.js", true],
    ["/work/node_modules/vitest/dist/workers/forks.js", false],
  ])("serves the pack when the main module is %s: %s", (main, expected) => {
    expect(runByPolicyHost(main)).toBe(expected);
  });
});
