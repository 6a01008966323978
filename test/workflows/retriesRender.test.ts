import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import type { RetryAttempt, ValidationReport } from "../../contract/report";
import { renderMarkdown, renderText, reportJsonSchema } from "../../validators/render";
import { renderRunMarkdown, renderRunSummary } from "../../validators/render/deploy";
import { runRecord } from "../release/support";

const attempts: RetryAttempt[] = [
  {
    attempt: 1,
    at: "2025-03-01T12:10:02.500Z",
    action: "validate",
    services: ["api"],
    verdict: "fail",
    failingChecks: [{ service: "api", check: "smoke", message: "GET /health answered 503" }],
  },
  { attempt: 2, at: "2025-03-01T12:10:03.000Z", action: "force-new-deployment", services: ["api"], verdict: "pass", failingChecks: [] },
];

const report: ValidationReport = {
  schemaVersion: 1,
  stack: "staging",
  verdict: "pass",
  startedAt: "2025-03-01T12:10:00.000Z",
  finishedAt: "2025-03-01T12:12:00.000Z",
  services: [
    {
      name: "api",
      verdict: "pass",
      checks: [{ name: "smoke", status: "pass", message: "GET /health answered 200", observed: {}, threshold: {} }],
    },
  ],
  actions: [],
  attempts,
};

describe("the attempts of --retries in the report and the run record", () => {
  it("fits the report's JSON schema, which refuses an attempt of an unknown action", () => {
    const ajv = new Ajv2020({ allErrors: true });
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const schema = reportJsonSchema("validate");

    expect(ajv.validate(schema, report)).toBe(true);
    expect(ajv.validate(schema, { ...report, attempts: [{ ...attempts[0], action: "reboot" }] })).toBe(false);
  });

  it("lists each attempt in the text report, before the actions", () => {
    expect(
      renderText(report)
        .split("\n")
        .filter((l) => l.startsWith("attempt")),
    ).toEqual([
      "attempt 1 (validate api) at 2025-03-01T12:10:02.500Z: fail (api smoke: GET /health answered 503)",
      "attempt 2 (force-new-deployment api) at 2025-03-01T12:10:03.000Z: pass",
    ]);
  });

  it("lists each attempt in the markdown report", () => {
    const md = renderMarkdown(report);

    expect(md).toContain(
      [
        "**Attempts** (--retries)",
        "",
        "- attempt 1 (validate api) at 2025-03-01T12:10:02.500Z: fail (api smoke: GET /health answered 503)",
        "- attempt 2 (force-new-deployment api) at 2025-03-01T12:10:03.000Z: pass",
      ].join("\n"),
    );
  });

  it("shows a deploy's attempts in its summary and its markdown, with why a restart could not be made", () => {
    const failedRestart: RetryAttempt = { ...attempts[1]!, verdict: "fail", error: "api: ECS UpdateService failed" };
    const saved = { record: runRecord({ attempts: [attempts[0]!, failedRestart] }), location: "/r/1.json" };

    expect(
      renderRunSummary(saved)
        .split("\n")
        .filter((l) => l.includes("attempt")),
    ).toEqual([
      "  attempt 1 (validate api) at 2025-03-01T12:10:02.500Z: fail (api smoke: GET /health answered 503)",
      "  attempt 2 (force-new-deployment api) at 2025-03-01T12:10:03.000Z: fail; not restarted: api: ECS UpdateService failed",
    ]);
    expect(renderRunMarkdown(saved)).toContain(
      [
        "| Attempt | Action | Services | Verdict | Failing checks |",
        "|---|---|---|---|---|",
        "| 1 | validate | api | fail | api smoke: GET /health answered 503 |",
        "| 2 | force-new-deployment | api | fail | not restarted: api: ECS UpdateService failed |",
      ].join("\n"),
    );
  });

  it("prints nothing about attempts when nothing was retried", () => {
    const { attempts: _none, ...plain } = report;

    expect(renderText(plain)).not.toContain("attempt");
    expect(renderMarkdown(plain)).not.toContain("Attempts");
    expect(renderRunMarkdown({ record: runRecord(), location: "/r/1.json" })).not.toContain("Attempt");
  });
});
