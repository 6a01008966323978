import { describe, expect, it } from "vitest";
import { runMetrics, taskDefinitionRevision } from "../../validators/records/metrics";
import type { RunRecord } from "../../validators/records";
import { report } from "../release/support";

const record = (overrides: Partial<RunRecord>): RunRecord => ({
  schemaVersion: 1,
  runId: "run-1",
  command: "validate",
  who: "ci@runner",
  stack: "staging",
  startedAt: "2024-05-01T10:00:00.000Z",
  finishedAt: "2024-05-01T10:05:00.000Z",
  services: [],
  validations: [],
  verdict: "pass",
  outcome: "released",
  actions: [],
  exitCode: 0,
  ...overrides,
});
const rows = (r: RunRecord) => runMetrics(r).map((d) => `${d.service} ${d.metric}=${d.value}`);

describe("taskDefinitionRevision", () => {
  it.each([
    ["arn:aws:ecs:eu-west-1:123456789012:task-definition/delivery-prod-api:42", 42],
    ["arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/x:1", 1],
    ["delivery/api:sha-abc1234", undefined],
    ["Deployment shop/api registry/api:sha-abc1234", undefined],
    [undefined, undefined],
  ])("%s -> %s", (handle, revision) => {
    expect(taskDefinitionRevision(handle)).toBe(revision);
  });
});

describe("runMetrics", () => {
  it("counts an inconclusive verdict in neither ValidationsPassed nor ValidationsFailed", () => {
    const r = record({ services: [{ name: "api" }], validations: [report({ api: "inconclusive" })], verdict: "inconclusive" });
    expect(rows(r)).toEqual(["api Deployments=0", "api Rollbacks=0", "api ValidationsFailed=0", "api ValidationsPassed=0"]);
  });

  it("counts a deployment only for deploy, and a rollback whether it succeeded or not", () => {
    const r = record({
      command: "deploy",
      services: [{ name: "api", tagDeployed: "sha-new", taskDefinitionAfter: "arn:aws:ecs:r:1:task-definition/f:9" }],
      rollback: { reason: "x", services: ["api"], status: "failed" },
      outcome: "rollback-failed",
    });
    expect(rows(r)).toEqual([
      "api Deployments=1",
      "api Rollbacks=1",
      "api ValidationsFailed=0",
      "api ValidationsPassed=0",
      "api RunningRevision=9",
    ]);
  });

  it("touches the services validated or rolled back even when no change was recorded for them, in that order", () => {
    const r = record({ rollback: { reason: "x", services: ["web"], status: "ok" }, validations: [report({ api: "fail", web: "pass" })] });
    expect(runMetrics(r).map((d) => [d.service, d.metric])).toEqual([
      ["web", "Deployments"],
      ["web", "Rollbacks"],
      ["web", "ValidationsFailed"],
      ["web", "ValidationsPassed"],
      ["api", "Deployments"],
      ["api", "Rollbacks"],
      ["api", "ValidationsFailed"],
      ["api", "ValidationsPassed"],
    ]);
  });

  it("publishes nothing for a run that touched no service", () => {
    expect(runMetrics(record({ outcome: "nothing-to-do" }))).toEqual([]);
  });

  it("stamps every datum with the run's end", () => {
    const at = runMetrics(record({ services: [{ name: "api" }] })).map((d) => d.at.toISOString());
    expect(new Set(at)).toEqual(new Set(["2024-05-01T10:05:00.000Z"]));
  });
});
