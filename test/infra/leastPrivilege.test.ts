import { beforeAll, describe, expect, it } from "vitest";
import { renderStack, type RenderedStack, STACKS, T } from "../support/pulumi";

/**
 * Actions AWS authorises only on `Resource: "*"` (no resource-level permission in the Service
 * Authorization Reference), or that the program scopes with a condition key instead of an ARN.
 * Anything else granted on `*` is a finding: scope it to ARNs.
 */
const ONLY_ON_STAR = new Set([
  // No resource types at all: AWS requires "*".
  "ecr:GetAuthorizationToken",
  "ec2:DescribeAvailabilityZones",
  "ecs:DescribeTaskDefinition",
  "ecs:RegisterTaskDefinition",
  "ecs:DeregisterTaskDefinition",
  "cloudwatch:GetMetricData",
  "cloudwatch:DescribeAlarms",
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeListeners",
  "elasticloadbalancing:DescribeRules",
  "elasticloadbalancing:DescribeTargetHealth",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeVpcs",
  "codepipeline:ListPipelines",
  "codestar-connections:ListConnections",
  "ssm:DescribeParameters",
]);

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, unknown>;
  Principal?: unknown;
}

const rendered = new Map<string, RenderedStack>();
beforeAll(async () => {
  for (const stack of STACKS) rendered.set(stack, await renderStack(stack));
});

/** `stack resource Sid action` for every Allow of an action with resource-level permissions on `*` without a condition. */
function findings(stack: string): string[] {
  const out: string[] = [];
  for (const r of (rendered.get(stack) as RenderedStack).resources) {
    for (const value of Object.values(r.inputs)) {
      if (typeof value !== "string" || !value.includes('"Statement"')) continue;
      const doc = JSON.parse(value) as { Statement?: Statement[] };
      for (const s of doc.Statement ?? []) {
        const resources = [s.Resource ?? []].flat();
        // A resource policy (it names a Principal, e.g. a KMS key policy) uses `*` for the resource it is attached to.
        if (s.Effect !== "Allow" || s.Principal !== undefined || !resources.includes("*") || s.Condition !== undefined) continue;
        for (const action of [s.Action ?? []].flat()) {
          if (!ONLY_ON_STAR.has(action)) out.push(`${stack} ${r.name} ${s.Sid ?? "-"} ${action}`);
        }
      }
    }
  }
  return out;
}

describe("least privilege over every rendered policy", () => {
  it.each(STACKS)("stack %s grants no action with resource-level permissions on *", (stack) => {
    expect(findings(stack)).toEqual([]);
  });
});

describe("the pipeline's artifact bucket follows the tier's deletion rule", () => {
  const artifactBucket = (stack: string) =>
    (rendered.get(stack) as RenderedStack).resources.find((r) => r.type === T.bucket && r.name.endsWith("-pipeline-artifacts"));

  it("is never force-destroyed in prod", () => {
    expect(artifactBucket("prod")?.inputs.forceDestroy).toBe(false);
  });

  it.each(["local", "dev", "staging"])("is force-destroyed in %s, like its other buckets", (stack) => {
    expect(artifactBucket(stack)?.inputs.forceDestroy).toBe(true);
  });
});
