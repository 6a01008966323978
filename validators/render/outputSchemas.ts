import { VERDICTS } from "../../contract/report";
import { OUTPUT_SCHEMA_VERSION } from "./document";
import { reportJsonSchema } from "./schema";

type Schema = Record<string, unknown>;

const OBJECT = { type: "object" };
const ARRAY_OF_OBJECTS = { type: "array", items: OBJECT };
const STRING = { type: "string" };
const NULLABLE_STRING = { type: ["string", "null"] };

/** A top-level document: schemaVersion 1, these fields (all required unless listed in `optional`). */
function document(id: string, title: string, properties: Record<string, Schema>, optional: readonly string[] = []): Schema {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://delivery.local/schemas/${id}.json`,
    title,
    type: "object",
    required: ["schemaVersion", ...Object.keys(properties).filter((k) => !optional.includes(k))],
    properties: { schemaVersion: { const: OUTPUT_SCHEMA_VERSION }, ...properties },
  };
}

/**
 * The JSON Schema of every document `--output json` prints, by file name under contract/outputs/
 * (`npm run schema` writes them; a test regenerates and compares). The validate and gate reports are
 * exact (render/schema.ts); the others fix the top level (every field, its type, schemaVersion) and
 * leave the inner objects open, so a consumer can rely on the fields it reads being there.
 */
export function outputJsonSchemas(): Record<string, Schema> {
  const verdict = { type: "string", enum: [...VERDICTS] };
  return {
    "validate.schema.json": reportJsonSchema("validate"),
    "gate.schema.json": reportJsonSchema("gate"),
    "run-record.schema.json": document(
      "run-record",
      "deployctl deploy / rollback (--output json): the run record",
      {
        runId: STRING,
        command: { type: "string", enum: ["validate", "deploy", "rollback"] },
        who: STRING,
        stack: STRING,
        startedAt: { type: "string", format: "date-time" },
        finishedAt: { type: "string", format: "date-time" },
        services: ARRAY_OF_OBJECTS,
        validations: ARRAY_OF_OBJECTS,
        verdict,
        outcome: STRING,
        rollback: OBJECT,
        actions: ARRAY_OF_OBJECTS,
        exitCode: { type: "integer" },
        error: STRING,
      },
      ["rollback", "error"],
    ),
    "rollback-plan.schema.json": document(
      "rollback-plan",
      "deployctl rollback --dry-run --output json: what the rollback would do (nothing is changed)",
      {
        dryRun: { const: true },
        command: { const: "rollback" },
        stack: STRING,
        toTag: STRING,
        withMigrations: { type: "boolean" },
        services: {
          type: "array",
          items: {
            type: "object",
            required: ["service", "why"],
            properties: { service: STRING, tagBefore: STRING, tagAfter: STRING, release: STRING, validatedAt: STRING, why: STRING },
          },
        },
        exitCode: { type: "integer", enum: [0, 1] },
      },
      ["toTag"],
    ),
    "deploy-plan.schema.json": document(
      "deploy-plan",
      "deployctl deploy --dry-run --output json: what the deploy would do (nothing is changed)",
      {
        dryRun: { const: true },
        command: { const: "deploy" },
        stack: STRING,
        runtime: { type: "string", enum: ["ecs", "kubernetes", "docker"] },
        tag: STRING,
        outcome: { type: "string", enum: ["would-deploy", "would-refuse", "nothing-to-do"] },
        reason: STRING,
        gate: {
          type: "object",
          required: ["verdict", "services"],
          properties: { verdict, services: ARRAY_OF_OBJECTS },
        },
        services: {
          type: "array",
          items: {
            type: "object",
            required: ["service", "from", "to", "configPath", "migration", "steps"],
            properties: {
              service: STRING,
              from: STRING,
              to: STRING,
              configPath: STRING,
              migration: STRING,
              traffic: STRING,
              steps: { type: "array", items: STRING },
            },
          },
        },
        holdBack: {
          type: "array",
          items: { type: "object", required: ["service", "path", "tag"], properties: { service: STRING, path: STRING, tag: STRING } },
        },
        skipMigrations: { type: "boolean" },
        then: { type: "object", required: ["pass", "fail"], properties: { pass: STRING, fail: STRING } },
        exitCode: { type: "integer", enum: [0, 1] },
      },
      ["tag", "reason", "gate"],
    ),
    "history.schema.json": document("history", "deployctl history --output json", {
      stack: STRING,
      recordStore: STRING,
      stats: OBJECT,
      releases: ARRAY_OF_OBJECTS,
      runs: ARRAY_OF_OBJECTS,
    }),
    "promote.schema.json": document(
      "promote",
      "deployctl promote --output json",
      {
        from: STRING,
        to: STRING,
        stackFile: STRING,
        outcome: { type: "string", enum: ["promoted", "would-promote", "nothing-to-change", "refused", "cancelled"] },
        exitCode: { type: "integer" },
        maxAgeDays: { type: "number" },
        services: ARRAY_OF_OBJECTS,
        changes: ARRAY_OF_OBJECTS,
        drift: {},
        dryRun: { const: true },
      },
      ["drift", "dryRun"],
    ),
    "analyze.schema.json": document("analyze", "deployctl analyze --output json", {
      repo: STRING,
      base: OBJECT,
      head: OBJECT,
      firstCommit: { type: "boolean" },
      files: ARRAY_OF_OBJECTS,
      categories: OBJECT,
      decision: OBJECT,
      suites: ARRAY_OF_OBJECTS,
      services: { type: ["array", "null"], items: OBJECT },
    }),
    "pipeline-status.schema.json": document("pipeline-status", "deployctl pipeline status --output json", {
      pipeline: STRING,
      region: STRING,
      version: { type: ["integer", "null"] },
      executions: ARRAY_OF_OBJECTS,
      stages: ARRAY_OF_OBJECTS,
      failed: { type: "boolean" },
    }),
    "config-set-tag.schema.json": document(
      "config-set-tag",
      "deployctl config set-tag --output json",
      {
        file: STRING,
        changes: {
          type: "array",
          items: {
            type: "object",
            required: ["service", "path", "from", "to", "changed"],
            properties: { service: STRING, path: STRING, from: NULLABLE_STRING, to: STRING, changed: { type: "boolean" } },
          },
        },
        skipped: { type: "array", items: STRING },
        dryRun: { const: true },
      },
      ["dryRun"],
    ),
    "config-set-env.schema.json": document("config-set-env", "deployctl config set-env --output json", {
      path: STRING,
      file: STRING,
      service: STRING,
      environmentPath: STRING,
      changes: {
        type: "array",
        items: {
          type: "object",
          required: ["key", "path", "from", "to", "changed"],
          properties: { key: STRING, path: STRING, from: NULLABLE_STRING, to: STRING, changed: { type: "boolean" } },
        },
      },
      dryRun: { type: "boolean" },
      written: { type: "boolean" },
    }),
    "synth.schema.json": document("synth", "deployctl synth --output json", {
      stacks: {
        type: "array",
        items: {
          type: "object",
          required: ["stack", "tier", "region", "resourceCount", "resourcesByType", "services", "policy"],
          properties: { stack: STRING, tier: STRING, region: STRING, resourceCount: { type: "integer" }, services: ARRAY_OF_OBJECTS },
        },
      },
    }),
    "synth-diff.schema.json": document("synth-diff", "deployctl synth --diff BASE --output json", {
      diffs: {
        type: "array",
        items: {
          type: "object",
          required: ["stack", "changes", "counts"],
          properties: { stack: STRING, changes: ARRAY_OF_OBJECTS, counts: OBJECT },
        },
      },
    }),
    "error.schema.json": {
      ...document("error", "deployctl --output json on exit 2 or 4: the error document", {
        error: {
          type: "object",
          additionalProperties: false,
          required: ["exitCode", "kind", "message"],
          properties: {
            exitCode: { type: "integer", enum: [2, 4, 5] },
            kind: { type: "string", enum: ["bad-input", "operational", "locked"] },
            message: { type: "string", minLength: 1 },
          },
        },
      }),
      additionalProperties: false,
    },
  };
}
