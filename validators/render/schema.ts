import {
  ACTION_STATUSES,
  CHECK_NAMES,
  CHECK_STATUSES,
  COMPARISON_CHECK_NAMES,
  GATE_CHECK_NAMES,
  REPORT_SCHEMA_VERSION,
  RETRY_ATTEMPT_ACTIONS,
  VERDICTS,
} from "../../contract/report";

/**
 * The JSON Schema (draft 2020-12) of what `deployctl validate --output json` prints (and, with
 * `kind: "gate"`, `deployctl gate`). Tests validate real output against it; consumers may too.
 */
export function reportJsonSchema(kind: "validate" | "gate" = "validate"): Record<string, unknown> {
  const checkNames = kind === "gate" ? GATE_CHECK_NAMES : [...CHECK_NAMES, ...COMPARISON_CHECK_NAMES];
  const verdict = { type: "string", enum: [...VERDICTS] };
  const timestamp = { type: "string", format: "date-time" };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://delivery.local/schemas/${kind}-report.json`,
    title: `deployctl ${kind} report`,
    type: "object",
    additionalProperties: false,
    required: ["schemaVersion", "stack", "verdict", "startedAt", "finishedAt", "services", "actions"],
    properties: {
      schemaVersion: { const: REPORT_SCHEMA_VERSION },
      stack: { type: "string", minLength: 1 },
      verdict,
      startedAt: timestamp,
      finishedAt: timestamp,
      services: {
        type: "array",
        items: {
          type: "object",
          additionalProperties: false,
          required: ["name", "verdict", "checks"],
          properties: {
            name: { type: "string", minLength: 1 },
            verdict,
            checks: {
              type: "array",
              items: {
                type: "object",
                additionalProperties: false,
                required: ["name", "status", "message", "observed", "threshold"],
                properties: {
                  name: { type: "string", enum: [...checkNames] },
                  status: { type: "string", enum: [...CHECK_STATUSES] },
                  message: { type: "string", minLength: 1 },
                  observed: { type: "object" },
                  threshold: { type: "object" },
                },
                ...(kind === "validate" ? checkSpecificRules() : {}),
              },
            },
          },
        },
      },
      attempts: {
        type: "array",
        items: {
          type: "object",
          additionalProperties: false,
          required: ["attempt", "at", "action", "services", "verdict", "failingChecks"],
          properties: {
            attempt: { type: "integer", minimum: 1 },
            at: timestamp,
            action: { type: "string", enum: [...RETRY_ATTEMPT_ACTIONS] },
            services: { type: "array", items: { type: "string", minLength: 1 } },
            verdict,
            failingChecks: {
              type: "array",
              items: {
                type: "object",
                additionalProperties: false,
                required: ["service", "check", "message"],
                properties: { service: { type: "string" }, check: { type: "string" }, message: { type: "string" } },
              },
            },
            error: { type: "string" },
          },
        },
      },
      dryRun: { const: true },
      actions: {
        type: "array",
        items: {
          type: "object",
          required: ["kind", "status", "message", "at"],
          properties: {
            kind: { type: "string" },
            target: { type: "string" },
            status: { type: "string", enum: [...ACTION_STATUSES] },
            message: { type: "string" },
            at: timestamp,
            details: { type: "object" },
          },
        },
      },
    },
  };
}

/**
 * The contract's minimum `observed` fields: errorRate (requests, errors5xx, ratePercent) and tasks
 * (desired, running, stopped), present whenever the check ran, numbers when it judged (null only
 * when the data was unavailable and the check is inconclusive); canary (sharePercent, and the
 * canary and baseline sides) whenever it compared.
 */
function checkSpecificRules(): Record<string, unknown> {
  const rule = (name: string, fields: string[], statuses: string[], type: string | string[]) => ({
    if: { properties: { name: { const: name }, status: { enum: statuses } }, required: ["name", "status"] },
    then: {
      properties: {
        observed: { type: "object", required: fields, properties: Object.fromEntries(fields.map((f) => [f, { type }])) },
      },
    },
  });
  const judged = ["pass", "warn", "fail"];
  const errorRate = ["requests", "errors5xx", "ratePercent"];
  const tasks = ["desired", "running", "stopped"];
  return {
    allOf: [
      rule("errorRate", errorRate, ["inconclusive"], ["number", "null"]),
      rule("errorRate", errorRate, judged, "number"),
      rule("tasks", tasks, [...judged, "inconclusive"], "number"),
      // The canary check reports both sides, whenever it compared them.
      rule("canary", ["canary", "baseline"], [...judged, "inconclusive"], "object"),
      rule("canary", ["sharePercent"], [...judged, "inconclusive"], "number"),
    ],
  };
}
