import { z } from "zod";
import { type AnalysisRules, analysisRulesSchema, analysisRulesShape, DEFAULT_ANALYSIS_RULES } from "../../contract/analysisRules";
import type { ConfigProblem } from "./errors";
import type { Tier, TierDefaults } from "../../contract/tiers";
import { zodProblems } from "./zodProblems";

/** A test suite the pipeline's Test stage runs, one CodeBuild action each, in parallel. */
export const testSuiteSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, { error: "expected a suite name: lowercase letters, digits or '-'" }),
  /** What the change analysis calls this suite (unit, integration, security, performance...). @default the name */
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/, { error: "expected a suite kind such as unit or performance" })
    .optional(),
  commands: z.array(z.string().min(1)).min(1, { error: "must list at least one command" }),
  /** A critical suite's failure stops the pipeline; another's is recorded as a warning. @default true */
  critical: z.boolean().optional(),
});

export const pipelineSchema = z.strictObject({
  /** @default true, except for the local tier */
  enabled: z.boolean().optional(),
  source: z
    .strictObject(
      {
        connectionArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/, {
            error: "expected a CodeConnections (CodeStar) connection ARN",
          })
          .optional(),
        repository: z
          .string()
          .regex(/^[\w.-]+\/[\w.-]+$/, { error: "expected owner/name" })
          .optional(),
        /** @default "main" */
        branch: z.string().min(1).optional(),
        s3Bucket: z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "expected an S3 bucket name" })
          .optional(),
        /** @default "source.zip" */
        s3Key: z.string().min(1).optional(),
      },
      { error: "expected { connectionArn, repository, branch } or { s3Bucket, s3Key }" },
    )
    .optional(),
  /** @default "aws/codebuild/standard:7.0" */
  buildImage: z.string().min(1).optional(),
  testSuites: z.array(testSuiteSchema).optional(),
  /** @default true for prod only */
  requireApproval: z.boolean().optional(),
  approvers: z.array(z.email({ error: "expected an email address" })).optional(),
  /** Name of the Secrets Manager secret holding the Pulumi access token (never the token). */
  pulumiAccessTokenSecret: z
    .string()
    .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, { error: "expected a Secrets Manager secret name, not a token" })
    .refine((v) => !/^pul-[0-9a-f]{40}$/.test(v), { error: "looks like a Pulumi access token; give the name of the secret holding it" })
    .optional(),
  /** Change-analysis rules (see `deployctl analyze`); each top-level key overrides the default. */
  analysis: z.unknown().optional(),
});

export type PipelineSource =
  | { kind: "connection"; connectionArn: string; repository: string; branch: string }
  | { kind: "s3"; bucket: string; key: string };

export interface TestSuiteConfig {
  name: string;
  kind: string;
  commands: string[];
  critical: boolean;
}

export interface PipelineConfig {
  source: PipelineSource;
  buildImage: string;
  testSuites: TestSuiteConfig[];
  requireApproval: boolean;
  approvers: string[];
  pulumiAccessTokenSecret: string;
  analysis: AnalysisRules;
}

export const DEFAULT_TEST_SUITES: TestSuiteConfig[] = [{ name: "unit", kind: "unit", commands: ["npm ci", "npm test"], critical: true }];

const ROOT = "delivery:pipeline";

/** Resolves `delivery:pipeline` (undefined when the stack has no pipeline), pushing every problem. */
export function resolvePipeline(value: unknown, tier: Tier, defaults: TierDefaults, problems: ConfigProblem[]): PipelineConfig | undefined {
  const enabledDefault = defaults.pipelineEnabled;
  if (value === undefined) {
    if (enabledDefault) {
      problems.push({
        code: "missing",
        path: ROOT,
        message: `is missing; the ${tier} tier runs a pipeline: set source (connectionArn, repository, branch) and pulumiAccessTokenSecret, or enabled: false.`,
      });
    }
    return undefined;
  }
  const parsed = pipelineSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    problems.push(...zodProblems(ROOT, parsed.error, pipelineSchema));
    return undefined;
  }
  const p = parsed.data;
  if (!(p.enabled ?? enabledDefault)) return undefined;

  const source = p.source ? resolveSource(p.source, problems) : undefined;
  if (!p.source) {
    problems.push({
      code: "missing",
      path: `${ROOT}.source`,
      message: "is missing; give connectionArn and repository (owner/name), or s3Bucket for an S3 source.",
    });
  }
  if (p.pulumiAccessTokenSecret === undefined) {
    problems.push({
      code: "missing",
      path: `${ROOT}.pulumiAccessTokenSecret`,
      message: "is missing; name the Secrets Manager secret holding the Pulumi access token the deploy step uses.",
    });
  }
  const suites = (p.testSuites ?? DEFAULT_TEST_SUITES).map((s) => ({
    name: s.name,
    kind: s.kind ?? s.name,
    commands: s.commands,
    critical: s.critical ?? true,
  }));
  suites.forEach((s, i) => {
    const first = suites.findIndex((o) => o.name === s.name);
    if (first !== i)
      problems.push({
        code: "duplicate",
        path: `${ROOT}.testSuites[${i}].name`,
        message: `is "${s.name}"; suite names must be unique (testSuites[${first}] has it too).`,
      });
  });
  const requireApproval = p.requireApproval ?? defaults.requireApproval;
  if (requireApproval && (p.approvers ?? []).length === 0) {
    problems.push({
      code: "missing",
      path: `${ROOT}.approvers`,
      message: "is empty; a pipeline that requires approval needs at least one approver email to notify.",
    });
  }
  let analysis: AnalysisRules = DEFAULT_ANALYSIS_RULES;
  if (p.analysis !== undefined) {
    const rules = analysisRulesSchema.safeParse(p.analysis, { reportInput: true });
    if (rules.success) analysis = rules.data;
    else problems.push(...zodProblems(`${ROOT}.analysis`, rules.error, analysisRulesShape));
  }
  if (!source || p.pulumiAccessTokenSecret === undefined) return undefined;
  return {
    source,
    buildImage: p.buildImage ?? "aws/codebuild/standard:7.0",
    testSuites: suites,
    requireApproval,
    approvers: p.approvers ?? [],
    pulumiAccessTokenSecret: p.pulumiAccessTokenSecret,
    analysis,
  };
}

function resolveSource(s: NonNullable<z.infer<typeof pipelineSchema>["source"]>, problems: ConfigProblem[]): PipelineSource | undefined {
  const connection = s.connectionArn !== undefined || s.repository !== undefined;
  const bucket = s.s3Bucket !== undefined || s.s3Key !== undefined;
  if (connection && bucket) {
    problems.push({
      code: "invalid",
      path: `${ROOT}.source`,
      message: "has both a connection (connectionArn, repository) and an S3 source (s3Bucket, s3Key); choose one.",
    });
    return undefined;
  }
  if (bucket) {
    if (!s.s3Bucket) {
      problems.push({
        code: "missing",
        path: `${ROOT}.source.s3Bucket`,
        message: "is missing; an S3 source needs the bucket holding the source archive.",
      });
      return undefined;
    }
    return { kind: "s3", bucket: s.s3Bucket, key: s.s3Key ?? "source.zip" };
  }
  for (const key of ["connectionArn", "repository"] as const) {
    if (s[key] === undefined) {
      problems.push({
        code: "missing",
        path: `${ROOT}.source.${key}`,
        message: "is missing; give connectionArn and repository (owner/name), or s3Bucket for an S3 source.",
      });
    }
  }
  if (!s.connectionArn || !s.repository) return undefined;
  return { kind: "connection", connectionArn: s.connectionArn, repository: s.repository, branch: s.branch ?? "main" };
}
