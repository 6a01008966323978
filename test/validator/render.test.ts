import { describe, expect, it } from "vitest";
import type { ValidationReport } from "../../contract/report";
import { renderJson, renderMarkdown, renderText } from "../../validators/render";

const report: ValidationReport = {
  schemaVersion: 1,
  stack: "staging",
  verdict: "fail",
  startedAt: "2025-03-01T12:10:00.000Z",
  finishedAt: "2025-03-01T12:10:02.500Z",
  services: [
    {
      name: "api",
      verdict: "fail",
      checks: [
        { name: "rollout", status: "pass", message: "Deployment ecs-svc/1 COMPLETED: 3 of 3 running api:2.", observed: {}, threshold: {} },
        { name: "errorRate", status: "fail", message: "60 5xx of 1000 requests | critical", observed: {}, threshold: {} },
        { name: "logs", status: "skipped", message: "Skipped on request (--skip logs).", observed: {}, threshold: {} },
      ],
    },
  ],
  actions: [{ kind: "alert", target: "sns", status: "ok", message: "critical alert sent", at: "2025-03-01T12:10:02.000Z" }],
};

describe("renderText", () => {
  it("prints one block per service, one row per check, then the verdict", () => {
    expect(renderText(report)).toBe(
      [
        "deployctl validate: stack staging, 1 service(s), 2.5 s",
        "",
        "api: FAIL",
        "  CHECK      STATUS   DETAILS",
        "  rollout    pass     Deployment ecs-svc/1 COMPLETED: 3 of 3 running api:2.",
        "  errorRate  fail     60 5xx of 1000 requests | critical",
        "  logs       skipped  Skipped on request (--skip logs).",
        "action alert sns: ok: critical alert sent",
        "",
        "Verdict: FAIL (1 pass, 1 fail, 1 skipped)",
        "",
      ].join("\n"),
    );
  });
});

describe("renderMarkdown", () => {
  it("prints a heading and a table, escaping pipes in messages", () => {
    expect(renderMarkdown(report)).toBe(
      [
        "### ❌ deployctl validate: stack `staging` is **fail**",
        "",
        "1 service(s), 1 pass, 1 fail, 1 skipped; finished 2025-03-01T12:10:02.500Z in 2.5 s.",
        "",
        "| Service | Check | Status | Details |",
        "| --- | --- | --- | --- |",
        "| **api** (fail) | rollout | ✅ pass | Deployment ecs-svc/1 COMPLETED: 3 of 3 running api:2. |",
        "|  | errorRate | ❌ fail | 60 5xx of 1000 requests \\| critical |",
        "|  | logs | ⏭️ skipped | Skipped on request (--skip logs). |",
        "",
        "**Actions**",
        "",
        "- alert sns: ok: critical alert sent",
        "",
      ].join("\n"),
    );
  });
});

describe("renderJson", () => {
  it("prints the report as one JSON document", () => {
    expect(JSON.parse(renderJson(report))).toEqual(report);
    expect(renderJson(report).trim().split("\n").at(-1)).toBe("}");
  });
});
