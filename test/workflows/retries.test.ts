import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CheckResult, ValidationReport } from "../../contract/report";
import { overallVerdict } from "../../contract/report";
import { FileStackLock } from "../../validators/lock";
import type { RestartAction } from "../../validators/providers/runtime";
import { LocalRecordStore } from "../../validators/records";
import type { ReleaseDeps, ValidateRequest } from "../../validators/rollback";
import { afterValidation, type AfterValidationOptions } from "../../validators/workflows/validateAndRollback";
import { deploy, type GateOutcome } from "../../validators/workflows/deploy/index";
import { harness } from "../release/harness";
import { check, FakeStacks, lastGood, manifest, MemoryRegistry, serviceReport } from "../release/support";

/** How a scripted validation judges a service. */
type Judged = "pass" | "smoke" | "tasks" | "errorRate" | "inconclusive" | Error;

const CHECKS: Record<Exclude<Judged, Error>, CheckResult[]> = {
  pass: [check("rollout", "pass"), check("tasks", "pass"), check("smoke", "pass")],
  smoke: [check("rollout", "pass"), check("tasks", "pass"), check("smoke", "fail", { status: 503 }, { status: 200 })],
  tasks: [check("rollout", "pass"), check("tasks", "fail", { running: 1, desired: 2 }), check("smoke", "pass")],
  errorRate: [check("rollout", "pass"), check("tasks", "pass"), check("smoke", "pass"), check("errorRate", "fail")],
  inconclusive: [check("rollout", "pass"), check("tasks", "pass"), check("smoke", "inconclusive")],
};

function reportOf(judged: Record<string, Exclude<Judged, Error>>, finishedAt = "2024-05-01T10:05:00.000Z"): ValidationReport {
  const services = Object.entries(judged).map(([name, j]) => serviceReport(name, CHECKS[j]));
  return {
    schemaVersion: 1,
    stack: "staging",
    verdict: overallVerdict(services),
    startedAt: "2024-05-01T10:04:00.000Z",
    finishedAt,
    services,
    actions: [],
  };
}

/** validate() answers each service from its script, one entry per validation (then pass). */
function scripted(script: Record<string, Judged[]>) {
  return (request: ValidateRequest): ValidationReport => {
    const judged: Record<string, Exclude<Judged, Error>> = {};
    for (const name of request.services) {
      const next = script[name]?.shift() ?? "pass";
      if (next instanceof Error) throw next;
      judged[name] = next;
    }
    return reportOf(judged, "2024-05-01T10:06:00.000Z");
  };
}

/** A runtime whose restart is recorded (the fast rollback stays the harness's mocked ECS one). */
function fakeRuntime(base: ReleaseDeps["runtime"], failRestart: string[] = []) {
  const restarts: string[][] = [];
  const runtime: ReleaseDeps["runtime"] = (m) => ({
    fastRollback: (targets, now) => base(m).fastRollback(targets, now),
    restart: async (services, now): Promise<RestartAction[]> => {
      restarts.push([...services]);
      return services.map((target) => ({
        kind: "force-new-deployment",
        target,
        status: failRestart.includes(target) ? "failed" : "ok",
        message: failRestart.includes(target) ? "ECS UpdateService failed (AWS error): ServiceNotActiveException" : `restarted ${target}`,
        at: now().toISOString(),
      }));
    },
  });
  return { runtime, restarts };
}

const lastGoodArn = (service: string) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-${service}:1`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "retries-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("validate --rollback --retries (afterValidation)", () => {
  const m = manifest([{ ...manifest().services[0], name: "api", ecsService: "staging-api" }]);

  function setup(script: Record<string, Judged[]>, options: { failRestart?: string[] } = {}) {
    const h = harness({ manifest: m, registry: MemoryRegistry.with([lastGood("api", "sha-old0000")]), reports: scripted(script) });
    const fake = fakeRuntime(h.deps.runtime, options.failRestart);
    const store = new LocalRecordStore(join(dir, "records"));
    const lock = new FileStackLock(join(dir, "locks"), h.clock.now);
    const run = (options: Partial<AfterValidationOptions> & Pick<AfterValidationOptions, "outcome">) =>
      afterValidation(
        { manifest: m, rollback: true, record: true, ...options },
        { ...h.deps, runtime: fake.runtime, store, lock, who: "ci@runner", runId: "run-1" },
      );
    const rollbacks = () => h.updateServiceCalls().filter(([, taskDefinition]) => taskDefinition !== undefined);
    return { ...h, ...fake, store, lock, run, rollbacks };
  }

  it("restarts a service whose smoke check failed, validates it again, and releases it when it passes: no rollback, two attempts", async () => {
    const h = setup({ api: ["pass"] });

    const result = await h.run({ outcome: reportOf({ api: "smoke" }), retries: 2 });

    expect(result.outcome).toBe("released");
    expect(result.record.exitCode).toBe(0);
    expect(h.restarts).toEqual([["api"]]);
    expect(h.rollbacks()).toEqual([]);
    expect(h.validateCalls.map((c) => [c.services, c.waitSeconds, c.since?.toISOString()])).toEqual([
      [["api"], 300, "2024-05-01T10:00:00.000Z"],
    ]);
    expect(result.record.attempts).toEqual([
      {
        attempt: 1,
        at: "2024-05-01T10:05:00.000Z",
        action: "validate",
        services: ["api"],
        verdict: "fail",
        failingChecks: [{ service: "api", check: "smoke", message: "smoke is fail" }],
      },
      { attempt: 2, at: "2024-05-01T10:00:00.000Z", action: "force-new-deployment", services: ["api"], verdict: "pass", failingChecks: [] },
    ]);
    expect(result.report?.attempts).toEqual(result.record.attempts);
    expect(result.report?.verdict).toBe("pass");
    expect(result.record.validations.map((v) => v.verdict)).toEqual(["fail", "pass"]);
    expect(result.record.actions.filter((a) => a.kind === "force-new-deployment").map((a) => [a.target, a.status])).toEqual([
      ["api", "ok"],
    ]);
    expect((await h.registry.get("staging", "api"))?.imageTag).toBe("sha-new0000");
    expect(h.lines).toContain("api: smoke failed: forcing a new deployment of the same revision, then validating again (retry 1 of 2)");
  });

  it("rolls back after N restarts when the health check fails N+1 times", async () => {
    const h = setup({ api: ["tasks", "smoke", "pass"] });

    const result = await h.run({ outcome: reportOf({ api: "smoke" }), retries: 2 });

    expect(result.outcome).toBe("rolled-back");
    expect(result.record.exitCode).toBe(1);
    expect(h.restarts).toEqual([["api"], ["api"]]);
    expect(h.rollbacks()).toEqual([["staging-api", lastGoodArn("api")]]);
    expect(result.record.attempts?.map((a) => [a.attempt, a.action, a.verdict, a.failingChecks.map((c) => c.check)])).toEqual([
      [1, "validate", "fail", ["smoke"]],
      [2, "force-new-deployment", "fail", ["tasks"]],
      [3, "force-new-deployment", "fail", ["smoke"]],
    ]);
    // The two validations after the restarts, then the one after the rollback.
    expect(h.validateCalls.map((c) => c.services)).toEqual([["api"], ["api"], ["api"]]);
    expect(result.record.rollback?.services).toEqual(["api"]);
    expect(result.record.rollback?.reason).toBe("api: smoke failed (still failing after 2 new deployments of the same revision)");
  });

  it("never restarts an inconclusive service: exits 3, nothing restarted or rolled back", async () => {
    const h = setup({});

    const result = await h.run({ outcome: reportOf({ api: "inconclusive" }), retries: 2 });

    expect(result.record.exitCode).toBe(3);
    expect(h.restarts).toEqual([]);
    expect(h.rollbacks()).toEqual([]);
    expect("attempts" in result.record).toBe(false);
  });

  it("does not restart a service that fails a check other than smoke or tasks: rolls it back at once", async () => {
    const h = setup({ api: ["pass"] });

    const result = await h.run({ outcome: reportOf({ api: "errorRate" }), retries: 2 });

    expect(result.outcome).toBe("rolled-back");
    expect(h.restarts).toEqual([]);
    expect(h.rollbacks()).toEqual([["staging-api", lastGoodArn("api")]]);
    expect("attempts" in result.record).toBe(false);
  });

  it("with --retries 0 behaves as before: a failing smoke check rolls back at once, no attempts in the record", async () => {
    const h = setup({ api: ["pass"] });

    const result = await h.run({ outcome: reportOf({ api: "smoke" }), retries: 0 });

    expect(result.outcome).toBe("rolled-back");
    expect(h.restarts).toEqual([]);
    expect(h.rollbacks()).toEqual([["staging-api", lastGoodArn("api")]]);
    expect("attempts" in result.record).toBe(false);
    expect(result.report && "attempts" in result.report).toBe(false);
  });

  it("never restarts without --rollback", async () => {
    const h = setup({});

    const result = await h.run({ outcome: reportOf({ api: "smoke" }), retries: 2, rollback: false });

    expect(result.outcome).toBe("failed");
    expect(h.restarts).toEqual([]);
  });

  it("rolls back without validating again when the restart fails; the attempt says why", async () => {
    const h = setup({ api: ["pass"] }, { failRestart: ["api"] });

    const result = await h.run({ outcome: reportOf({ api: "smoke" }), retries: 2 });

    expect(result.outcome).toBe("rolled-back");
    expect(h.restarts).toEqual([["api"]]);
    expect(result.record.attempts?.[1]).toEqual({
      attempt: 2,
      at: "2024-05-01T10:00:00.000Z",
      action: "force-new-deployment",
      services: ["api"],
      verdict: "fail",
      failingChecks: [{ service: "api", check: "smoke", message: "smoke is fail" }],
      error: "api: ECS UpdateService failed (AWS error): ServiceNotActiveException",
    });
    // Only the validation after the rollback.
    expect(h.validateCalls).toHaveLength(1);
    expect(result.record.rollback?.reason).toBe("api: smoke failed");
  });

  it("stops at the validator's own error after a restart: exit 4, nothing rolled back, the attempt kept", async () => {
    const h = setup({ api: [new Error("CloudWatch GetMetricData: AccessDenied")] });

    const result = await h.run({ outcome: reportOf({ api: "smoke" }), retries: 2 });

    expect(result.record.exitCode).toBe(4);
    expect(result.record.error).toBe("CloudWatch GetMetricData: AccessDenied");
    expect(h.rollbacks()).toEqual([]);
    expect(result.record.attempts?.map((a) => a.attempt)).toEqual([1]);
  });

  it("restarts nothing while another run holds the stack: alerts critical, exits 5", async () => {
    const h = setup({});
    await h.lock.tryAcquire({ stack: "staging", who: "ana@laptop", what: "deploy sha-x", leaseSeconds: 600 });

    const result = await h.run({ outcome: reportOf({ api: "smoke" }), retries: 2 });

    expect(result.record.exitCode).toBe(5);
    expect(h.restarts).toEqual([]);
    expect(h.rollbacks()).toEqual([]);
    expect(h.alerts.sent.map((a) => [a.service, a.severity])).toEqual([["api", "critical"]]);
    expect(h.alerts.sent[0]?.action).toMatch(/^not restarted nor rolled back: /);
  });
});

describe("deploy --retries", () => {
  const m = manifest([
    { ...manifest().services[0], name: "db", ecsService: "staging-db", imageTag: "sha-old0000" },
    { ...manifest().services[0], name: "api", ecsService: "staging-api", imageTag: "sha-old0000", dependsOn: ["db"] },
  ]);
  const passGate: GateOutcome = { verdict: "pass", services: [] };

  function setup(script: Record<string, Judged[]>) {
    const stacks = FakeStacks.withTags({ db: "sha-old0000", api: "sha-old0000" });
    const registry = MemoryRegistry.with([lastGood("db", "sha-old0000"), lastGood("api", "sha-old0000")]);
    const h = harness({ manifest: m, stacks, registry, manifestFromStacks: true, reports: scripted(script) });
    const fake = fakeRuntime(h.deps.runtime);
    const store = new LocalRecordStore(join(dir, "records"));
    const lock = new FileStackLock(join(dir, "locks"), h.clock.now);
    const run = (retries: number) =>
      deploy(
        m,
        { tag: "sha-new1111", waitSeconds: 300, retries },
        { ...h.deps, runtime: fake.runtime, gate: async () => passGate, store, lock, who: "ci@runner", runId: "run-7" },
      );
    const rollbacks = () => h.updateServiceCalls().filter(([, taskDefinition]) => taskDefinition !== undefined);
    return { ...h, ...fake, run, rollbacks };
  }

  it("restarts a service whose tasks check failed, validates it again, then deploys the next: released", async () => {
    const h = setup({ db: ["tasks", "pass"] });

    const result = await h.run(2);

    expect(result.outcome).toBe("released");
    expect(h.restarts).toEqual([["db"]]);
    expect(h.rollbacks()).toEqual([]);
    expect(h.validateCalls.map((c) => c.services)).toEqual([["db"], ["db"], ["api"]]);
    expect(result.record.attempts?.map((a) => [a.attempt, a.action, a.services, a.verdict])).toEqual([
      [1, "validate", ["db"], "fail"],
      [2, "force-new-deployment", ["db"], "pass"],
    ]);
  });

  it("rolls back what it deployed once the health check still fails after N restarts", async () => {
    const h = setup({ api: ["smoke", "smoke"] });

    const result = await h.run(1);

    expect(result.outcome).toBe("rolled-back");
    expect(h.restarts).toEqual([["api"]]);
    expect(result.record.rollback?.services).toEqual(["api", "db"]);
    expect(result.record.rollback?.reason).toBe("api: smoke failed (still failing after 1 new deployment of the same revision)");
    expect(result.record.attempts?.map((a) => [a.attempt, a.verdict])).toEqual([
      [1, "fail"],
      [2, "fail"],
    ]);
  });

  it("with --retries 0 rolls back at once, as before", async () => {
    const h = setup({ api: ["smoke"] });

    const result = await h.run(0);

    expect(result.outcome).toBe("rolled-back");
    expect(h.restarts).toEqual([]);
    expect("attempts" in result.record).toBe(false);
  });
});
