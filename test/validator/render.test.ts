import { describe, expect, it } from "vitest";
import type { ValidationReport } from "../../contract/report";
import { renderJson, renderMarkdown, renderText } from "../../validators/render";
import { alertSubject, groupAlertActions } from "../../validators/render/alerts";

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

describe("alert lines", () => {
  const at = "2025-03-01T12:10:02.000Z";
  const failed = (service: string) => ({
    kind: "alert",
    target: "sns",
    status: "failed" as const,
    message: "SNS Publish: NotFound: Topic does not exist",
    at,
    details: { stack: "staging", service, severity: "warning" },
  });
  const sent = (service: string) => ({
    kind: "alert",
    target: "slack",
    status: "ok" as const,
    message: "sent",
    at,
    details: { stack: "staging", service },
  });

  it("name the service each alert is for, and one failure repeated is one line with the reason", () => {
    const text = renderText({ ...report, actions: [failed("api"), failed("api"), failed("web"), sent("api")] });

    expect(text.split("\n").filter((l) => l.startsWith("action "))).toEqual([
      "action alert sns for api, web: failed: SNS Publish: NotFound: Topic does not exist",
      "action alert slack for api: ok: sent",
    ]);
  });

  it("in a release command's summary too", () => {
    const record = { actions: [failed("api"), failed("api"), sent("web")] };

    expect(groupAlertActions(record.actions).map((g) => `${alertSubject(g)}: ${g.status}`)).toEqual([
      "alert sns for api: failed",
      "alert slack for web: ok",
    ]);
  });
});
