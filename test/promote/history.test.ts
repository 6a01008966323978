import { describe, expect, it } from "vitest";
import { lastRunProblem } from "../../validators/promote/history";
import type { RunRecord } from "../../validators/records";
import { check, report, runRecord, serviceReport } from "../release/support";

const WHICH = "run r-2 (deploy by ci at 2024-05-02T10:00:00.000Z)";
const newest = (overrides: Partial<RunRecord>) =>
  runRecord({ runId: "r-2", who: "ci", startedAt: "2024-05-02T10:00:00.000Z", ...overrides });
const older = runRecord({
  runId: "r-1",
  outcome: "rolled-back",
  verdict: "fail",
  rollback: { reason: "old trouble", services: ["api"], status: "ok" },
});

describe("lastRunProblem", () => {
  it.each<[string, RunRecord[], string | undefined]>([
    [
      "the newest run rolled the service back",
      [newest({ outcome: "rolled-back", verdict: "fail", rollback: { reason: "api: errorRate failed", services: ["api"], status: "ok" } })],
      `its last run in staging rolled it back: ${WHICH}: api: errorRate failed`,
    ],
    [
      "the newest run's rollback of the service failed",
      [
        newest({
          outcome: "rollback-failed",
          verdict: "fail",
          rollback: { reason: "api: smoke failed", services: ["api"], status: "failed" },
        }),
      ],
      `its last run in staging rolled it back and the rollback failed: ${WHICH}: api: smoke failed`,
    ],
    [
      "the newest run's validation of the service failed",
      [
        newest({
          outcome: "failed",
          verdict: "fail",
          validations: [{ ...report({}), services: [serviceReport("api", [check("rollout", "pass"), check("errorRate", "fail")])] }],
        }),
      ],
      `its last run in staging failed: ${WHICH}: errorRate failed (errorRate is fail)`,
    ],
    [
      "the newest run failed without a verdict for the service (its stack update failed)",
      [newest({ outcome: "failed", verdict: "fail", error: "the stack update for api sha-2 failed" })],
      `its last run in staging failed: ${WHICH}: the stack update for api sha-2 failed`,
    ],
    ["the newest run passed, after an older rollback", [newest({}), older], undefined],
    [
      "the newest run was inconclusive",
      [newest({ outcome: "inconclusive", verdict: "inconclusive", validations: [report({ api: "inconclusive" })] }), older],
      undefined,
    ],
    [
      "the newest run was the validator's own error",
      [newest({ outcome: "error", verdict: "inconclusive", error: "CloudWatch unreachable" }), older],
      undefined,
    ],
    [
      "another service failed in the newest run, this one passed",
      [
        newest({
          outcome: "failed",
          verdict: "fail",
          services: [{ name: "api" }, { name: "web" }],
          validations: [report({ api: "pass", web: "fail" })],
        }),
      ],
      undefined,
    ],
    ["no run touched the service", [newest({ services: [{ name: "web" }] })], undefined],
  ])("%s", (_case, records, reason) => {
    expect(lastRunProblem(records, "staging", "api")?.reason).toBe(reason);
  });

  it("skips the newer runs that did not touch the service", () => {
    const problem = lastRunProblem([newest({ runId: "r-3", services: [{ name: "web" }] }), older], "staging", "api");

    expect(problem).toEqual({
      kind: "rolled-back",
      runId: "r-1",
      reason: "its last run in staging rolled it back: run r-1 (deploy by dev@laptop at 2024-05-01T10:00:00.000Z): old trouble",
    });
  });
});
