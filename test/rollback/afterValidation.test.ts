import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStackLock } from "../../validators/lock";
import { LocalRecordStore } from "../../validators/records";
import { afterValidation, type AfterValidationOptions } from "../../validators/workflows/validateAndRollback";
import { harness } from "../release/harness";
import { check, clock, FakeStacks, lastGood, manifest, MemoryRegistry, report, service, serviceReport } from "../release/support";

const m = manifest([service("api", { imageTag: "sha-new0000" }), service("web", { imageTag: "sha-new0000", dependsOn: ["api"] })]);
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "after-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(
  reports: Parameters<typeof harness>[0]["reports"] = [],
  registry = MemoryRegistry.with([lastGood("api", "sha-old0000"), lastGood("web", "sha-old0000")]),
) {
  const h = harness({ manifest: m, stacks: FakeStacks.withTags({ api: "sha-new0000", web: "sha-new0000" }), registry, reports });
  const store = new LocalRecordStore(join(dir, "records"));
  const lock = new FileStackLock(join(dir, "locks"), h.clock.now);
  const run = (options: Partial<AfterValidationOptions> & Pick<AfterValidationOptions, "outcome">) =>
    afterValidation(
      { manifest: m, rollback: false, record: true, ...options },
      { ...h.deps, store, lock, who: "ci@runner", runId: "run-1" },
    );
  return { ...h, store, lock, run };
}

describe("afterValidation", () => {
  it("records each passing service as last good and exits 0", async () => {
    const h = setup();

    const result = await h.run({ outcome: report({ api: "pass", web: "pass" }) });

    expect(result.record.exitCode).toBe(0);
    expect(result.record.outcome).toBe("released");
    expect(await h.registry.get("staging", "web")).toEqual({
      stack: "staging",
      service: "web",
      imageTag: "sha-new0000",
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-web:2",
      validatedAt: "2024-05-01T10:00:00.000Z",
      runId: "run-1",
      who: "ci@runner",
    });
  });

  it("records nothing as last good with record false (--no-record), and still writes the run record", async () => {
    const h = setup();

    const result = await h.run({ outcome: report({ api: "pass", web: "pass" }), record: false });

    expect((await h.registry.history("staging", "api")).map((v) => v.release?.imageTag)).toEqual(["sha-old0000"]);
    expect((await h.store.list()).map((r) => r.runId)).toEqual(["run-1"]);
    expect(result.record.exitCode).toBe(0);
  });

  it("resolves the alerts of services that pass", async () => {
    const h = setup();

    await h.run({ outcome: report({ api: "pass", web: "fail" }) });

    expect(h.alerts.resolved).toEqual([{ stack: "staging", service: "api", runId: "run-1" }]);
  });

  it("alerts (warning) on fail without --rollback, rolls nothing back, exits 1", async () => {
    const h = setup();

    const result = await h.run({ outcome: report({ api: "pass", web: "fail" }) });

    expect(result.record.exitCode).toBe(1);
    expect(result.record.outcome).toBe("failed");
    expect(h.updateServiceCalls()).toEqual([]);
    expect(h.alerts.sent.map((a) => [a.service, a.severity, a.action])).toEqual([
      ["web", "warning", "none: run with --rollback (or deployctl rollback --stack staging) to restore the last good release"],
    ]);
  });

  it("rolls failing services back with --rollback, alerts with the restored release, exits 1", async () => {
    const h = setup([report({ web: "pass" })]);

    const result = await h.run({ outcome: report({ api: "pass", web: "fail" }), rollback: true });

    expect(result.record.exitCode).toBe(1);
    expect(result.record.outcome).toBe("rolled-back");
    expect(result.record.verdict).toBe("fail");
    expect(h.updateServiceCalls()).toEqual([["staging-web", "arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-web:1"]]);
    expect(h.alerts.sent.map((a) => [a.service, a.severity, a.action])).toEqual([
      [
        "web",
        "warning",
        "rolled back to sha-old0000 (arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-web:1) and validated again",
      ],
    ]);
    expect(h.alerts.sent[0]?.checks).toEqual([
      {
        name: "errorRate",
        status: "fail",
        message: "errorRate is fail",
        observed: { errorRatePercent: 12.5, requests: 400 },
        threshold: { criticalPercent: 5 },
      },
    ]);
  });

  it("validates a service whose rollout is still in progress again before rolling it back", async () => {
    const inProgress = {
      ...report({ web: "fail" }),
      services: [serviceReport("web", [check("rollout", "fail", { rolloutState: "IN_PROGRESS" })])],
    };
    const h = setup([report({ web: "pass" })]);

    const result = await h.run({
      outcome: { ...report({ api: "pass" }), verdict: "fail", services: [...report({ api: "pass" }).services, ...inProgress.services] },
      rollback: true,
    });

    expect(result.record.exitCode).toBe(0);
    expect(h.validateCalls.map((c) => c.services)).toEqual([["web"]]);
    expect(h.updateServiceCalls()).toEqual([]);
    expect(result.report?.verdict).toBe("pass");
    expect(result.record.validations).toHaveLength(2);
  });

  it("rolls back once the rollout is still in progress after two more validations", async () => {
    const inProgress = {
      ...report({ web: "fail" }),
      services: [serviceReport("web", [check("rollout", "fail", { rolloutState: "IN_PROGRESS" })])],
    };
    const h = setup([inProgress, inProgress, report({ web: "pass" })]);

    const result = await h.run({ outcome: inProgress, rollback: true });

    expect(result.record.exitCode).toBe(1);
    expect(result.record.outcome).toBe("rolled-back");
    expect(h.validateCalls.map((c) => c.services)).toEqual([["web"], ["web"], ["web"]]);
    expect(h.updateServiceCalls()).toEqual([["staging-web", "arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-web:1"]]);
  });

  it("never rolls back on an inconclusive verdict: warns and exits 3", async () => {
    const h = setup();

    const result = await h.run({ outcome: report({ api: "pass", web: "inconclusive" }), rollback: true });

    expect(result.record.exitCode).toBe(3);
    expect(h.updateServiceCalls()).toEqual([]);
    expect(h.stacks.changes()).toEqual([]);
    expect(h.alerts.sent.map((a) => [a.service, a.severity, a.verdict])).toEqual([["web", "warning", "inconclusive"]]);
  });

  it("never rolls back on the validator's own error: alerts, records the error, exits 4", async () => {
    const h = setup();

    const result = await h.run({ outcome: new Error("CloudWatch GetMetricData: AccessDenied"), rollback: true });

    expect(result.record.exitCode).toBe(4);
    expect(result.record).toMatchObject({ outcome: "error", error: "CloudWatch GetMetricData: AccessDenied" });
    expect(h.updateServiceCalls()).toEqual([]);
    expect(h.alerts.sent.map((a) => [a.verdict, a.action])).toEqual([
      ["error", "none: the validator could not judge (exit 4), so nothing was rolled back: CloudWatch GetMetricData: AccessDenied"],
    ]);
  });

  it("alerts critical and exits 1 when there is no last good release to roll back to", async () => {
    const h = setup([], new MemoryRegistry());

    const result = await h.run({ outcome: report({ api: "fail" }), rollback: true });

    expect(result.record.exitCode).toBe(1);
    expect(result.record.outcome).toBe("rollback-failed");
    expect(h.alerts.sent.map((a) => [a.service, a.severity, a.action])).toEqual([
      ["api", "critical", "not rolled back: no last good release of api in /delivery/staging/api/last-good: nothing to roll back to"],
    ]);
  });

  it("escalates with everything known when the rollback itself fails", async () => {
    const h = setup([report({ web: "fail" })]);

    await h.run({ outcome: report({ web: "fail" }), rollback: true });

    expect(h.alerts.sent).toHaveLength(1);
    expect(h.alerts.sent[0]).toMatchObject({
      severity: "critical",
      dedup: false,
      action: "rollback FAILED (to sha-old0000): validation after the rollback: verdict fail",
      details: [
        "validation after the rollback: verdict fail",
        "target web: sha-old0000 (arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-web:1), validated 2024-04-30T09:00:00.000Z in run run-web-sha-old0000",
        "validation after the rollback #1: fail (web fail)",
      ],
    });
  });

  it("does not roll back while another run holds the stack: alerts critical, exits 5", async () => {
    const h = setup();
    await h.lock.tryAcquire({ stack: "staging", who: "ana@laptop", what: "deploy sha-x", leaseSeconds: 600 });

    const result = await h.run({ outcome: report({ web: "fail" }), rollback: true });

    expect(result.record.exitCode).toBe(5);
    expect(h.updateServiceCalls()).toEqual([]);
    expect(h.alerts.sent[0]?.action).toBe(
      "not rolled back: stack staging is locked by ana@laptop (deploy sha-x) since 2024-05-01T10:00:00.000Z",
    );
  });

  it("releases the stack lock after the rollback", async () => {
    const h = setup([report({ web: "pass" })]);
    await h.run({ outcome: report({ web: "fail" }), rollback: true });

    expect((await h.lock.tryAcquire({ stack: "staging", who: "next", what: "deploy", leaseSeconds: 60 })).acquired).toBe(true);
  });

  it("exits 4 when a passing release cannot be recorded as last good", async () => {
    const h = setup();
    h.registry.failPut = true;

    const result = await h.run({ outcome: report({ api: "pass" }) });

    expect(result.record.exitCode).toBe(4);
    expect(result.record.actions.find((a) => a.kind === "record-last-good")).toMatchObject({
      status: "failed",
      message: "cannot write SSM parameter: AccessDenied",
    });
  });

  it("writes one run record with who, services, the validation and the actions", async () => {
    const h = setup();

    const result = await h.run({ outcome: report({ api: "pass" }) });

    const [stored] = await h.store.list();
    expect(stored).toEqual(result.record);
    expect(stored).toMatchObject({
      runId: "run-1",
      command: "validate",
      who: "ci@runner",
      stack: "staging",
      services: [{ name: "api", tagBefore: "sha-new0000", tagAfter: "sha-new0000" }],
      verdict: "pass",
      exitCode: 0,
    });
    expect(stored?.validations).toEqual([report({ api: "pass" })]);
  });

  it("uses the clock it is given", async () => {
    const t = clock("2030-01-01T00:00:00.000Z");
    const h = setup();

    const result = await afterValidation(
      { manifest: m, outcome: report({ api: "pass" }), rollback: false, record: true },
      { ...h.deps, now: t.now, store: h.store, lock: h.lock, who: "x", runId: "r" },
    );

    expect(result.record.startedAt).toBe("2030-01-01T00:00:00.000Z");
  });
});
