import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProgressiveDeploymentConfig } from "../../infra/config";
import { openRestoreGate } from "../../validators/canary/verdictStore";
import { watchProgressiveRollout } from "../../validators/canary/watch";
import { deploy, renderRunSummary } from "../../validators/workflows/deploy/index";
import { FileStackLock } from "../../validators/lock";
import { LocalRecordStore } from "../../validators/records";
import { SimulatedDeployment, type Traffic } from "../canary/simulation";
import { harness } from "../release/harness";
import { FakeStacks, lastGood, manifest, MemoryRegistry, report, service } from "../release/support";

/**
 * `deploy` of a prod-like canary (5, 25, 50, 100; 10 minutes each) against a simulated ECS
 * progressive deployment driven by the real hook logic, on a manual clock. The release fails at
 * 25%: traffic goes back at once, the stack config follows, and the record says which step failed.
 */
const POLICY: ProgressiveDeploymentConfig = {
  strategy: "canary",
  steps: [5, 25, 50, 100],
  stepMinutes: 10,
  bakeMinutes: 10,
  maxExtensionMinutes: 20,
};
const api = service("api", {
  imageTag: "sha-old0000",
  deployment: {
    strategy: "canary",
    steps: [5, 25, 50, 100],
    stepMinutes: 10,
    bakeMinutes: 10,
    maxExtensionMinutes: 20,
    alternateTargetGroup: "targetgroup/staging-api-alt/fedcba9876543210",
    verdictParameter: "/delivery/staging/api/canary-verdict",
  },
});
const m = manifest([api]);

/** 4000 requests per minute split by share; the new revision errs 6% from 25% of the traffic on (or never). */
const traffic =
  (failFrom: number): Traffic =>
  (share) => ({
    canary: { requests: 40 * share, errors5xx: share >= failFrom ? Math.round(40 * share * 0.06) : 0, p99: 0.3 },
    baseline: { requests: 40 * (100 - share), errors5xx: 1, p99: 0.3 },
  });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "deploy-progressive-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(failFrom: number) {
  const stacks = FakeStacks.withTags({ api: "sha-old0000" });
  const h = harness({
    manifest: m,
    stacks,
    registry: MemoryRegistry.with([lastGood("api", "sha-old0000")]),
    manifestFromStacks: true,
    reports: () => report({ api: "pass" }),
  });
  const sim = new SimulatedDeployment(api, POLICY, 5, traffic(failFrom), h.clock.now);
  const clients = { ecs: sim.ecs, cloudwatch: sim.cloudwatch, ssm: sim.ssm };
  const run = () =>
    deploy(
      m,
      { tag: "sha-new1111", waitSeconds: 300 },
      {
        ...h.deps,
        restoreGate: (targets, reason) => openRestoreGate(sim.ssm, m, targets, { now: h.clock.now, runId: "run-7", reason }),
        gate: async () => ({ verdict: "pass", services: [] }),
        store: new LocalRecordStore(join(dir, "records")),
        lock: new FileStackLock(join(dir, "locks"), h.clock.now),
        who: "ci@runner",
        runId: "run-7",
        progressive: (request) =>
          watchProgressiveRollout(request, { clients, progress: h.deps.progress, now: h.clock.now, sleep: h.clock.sleep }),
      },
    );
  return { h, sim, run };
}

describe("deploy of a canary that fails at 25%", () => {
  it("returns all traffic to the old revision at once, rolls the config back, and exits 1 (rolled back)", async () => {
    const { h, sim, run } = setup(25);
    const result = await run();
    expect([result.record.exitCode, result.record.outcome, result.record.verdict]).toEqual([1, "rolled-back", "fail"]);
    expect(sim.stops.map((s) => s.input.stopType)).toEqual(["ROLLBACK"]);
    expect(sim.status).toBe("ROLLBACK_SUCCESSFUL");
    // ECS already restored api: no fast-path UpdateService; the stack path sets the config back.
    expect(h.updateServiceCalls()).toEqual([]);
    expect(h.stacks.changes()).toEqual([
      { op: "setConfig", stack: "staging", values: [{ path: "delivery:services[0].image.tag", value: "sha-new1111" }] },
      { op: "up", stack: "staging", message: "deployctl deploy api sha-new1111 (run run-7)" },
      { op: "setConfig", stack: "staging", values: [{ path: "delivery:services[0].image.tag", value: "sha-old0000" }] },
      expect.objectContaining({ op: "up", stack: "staging" }),
    ]);
  });

  it("records which step failed, why, and that the rollback was requested within 30 s of the failing verdict", async () => {
    const { sim, run } = setup(25);
    const { record } = await run();
    expect(record.rollback).toEqual({
      reason:
        "api: step 25%: fail: 5xx 6% above 1% (even the interval's lower bound, 4.34%); p99 300 ms within 1000 ms and 2x the baseline's 300 ms; no crash.",
      services: ["api"],
      status: "ok",
      failedStep: {
        service: "api",
        percent: 25,
        step: 2,
        verdict: "fail",
        reason:
          "fail: 5xx 6% above 1% (even the interval's lower bound, 4.34%); p99 300 ms within 1000 ms and 2x the baseline's 300 ms; no crash.",
        rolledBackBy: "deployctl",
        verdictAt: "2024-05-01T10:11:30.000Z",
        rollbackRequestedAt: "2024-05-01T10:11:30.000Z",
        secondsToRollback: 0,
        rollbackStatus: "ROLLBACK_SUCCESSFUL",
      },
    });
    const verdictAt = Date.parse(record.rollback?.failedStep?.verdictAt ?? "");
    expect((sim.stops[0]?.at.getTime() ?? Infinity) - verdictAt).toBeLessThanOrEqual(30_000);
  });

  it("keeps each traffic step with its verdict, the canary reports and the traffic rollback in the record", async () => {
    const { run } = setup(25);
    const { record } = await run();
    expect(
      record.actions
        .filter((a) => ["traffic-step", "rollback-traffic", "restore-gate"].includes(a.kind))
        .map((a) => [a.kind, a.status, a.message]),
    ).toEqual([
      ["traffic-step", "ok", "api at 5%: pass after 10 min"],
      ["traffic-step", "failed", "api at 25%: fail after 0 min"],
      ["rollback-traffic", "ok", "StopServiceDeployment ROLLBACK 0s after the verdict at 25%: 100% of traffic back to the old revision"],
      ["restore-gate", "ok", "the canary hook lets api sha-old0000 through until 2024-05-01T11:41:30.000Z (a validated release restored)"],
    ]);
    expect(record.validations.map((v) => [v.verdict, v.services[0]?.checks.map((c) => c.name).join(",")])).toEqual([
      ["pass", "canary"],
      ["fail", "canary"],
      // The validation after the rollback (the harness' scripted validator reports these two checks).
      ["pass", "rollout,errorRate"],
    ]);
  });

  it("tells the hook: the fail verdict for the new revision, then the restore of the last good release", async () => {
    const { sim, run } = setup(25);
    await run();
    expect(sim.published.slice(-2).map((p) => ("restore" in p ? ["restore", p.restore.imageTag] : [p.verdict, p.percent]))).toEqual([
      ["fail", 25],
      ["restore", "sha-old0000"],
    ]);
  });

  it("prints each traffic step with its verdict, and the failed step", async () => {
    const { h, run } = setup(25);
    const saved = await run();
    expect(h.lines.filter((l) => /^[→✓✗↩] api: (traffic|rollback)/.test(l))).toEqual([
      "→ api: traffic 5%",
      "✓ api: traffic 5%: ok (600.0s) pass after 10 min: 5xx 0% within 1% and not worse than the baseline; p99 300 ms within 1000 ms and 2x the baseline's 300 ms; no crash.",
      "→ api: traffic 25%",
      "✗ api: traffic 25%: failed (90.0s) fail after 0 min: 5xx 6% above 1% (even the interval's lower bound, 4.34%); p99 300 ms within 1000 ms and 2x the baseline's 300 ms; no crash.",
      "↩ api: rollback requested 0s after the fail verdict at 25%",
    ]);
    expect(renderRunSummary(saved)).toContain(
      "  failed step: api at 25% (step 2): fail: fail: 5xx 6% above 1% (even the interval's lower bound, 4.34%); p99 300 ms within 1000 ms and 2x the baseline's 300 ms; no crash.; traffic back 0s after the verdict (deployctl, ROLLBACK_SUCCESSFUL)\n",
    );
  });
});

describe("deploy of a healthy canary", () => {
  it("goes through every step and the bake, then validates and records the release (exit 0)", async () => {
    const { h, sim, run } = setup(Infinity);
    const result = await run();
    expect([result.record.exitCode, result.record.outcome, sim.status, sim.stops.length]).toEqual([0, "released", "SUCCESSFUL", 0]);
    expect(result.record.actions.filter((a) => a.kind === "traffic-step").map((a) => a.message)).toEqual([
      "api at 5%: pass after 10 min",
      "api at 25%: pass after 10 min",
      "api at 50%: pass after 10 min",
      "api at 100%: pass after 10 min",
      "api bake at 100%: pass (ECS: SUCCESSFUL)",
    ]);
    expect(h.validateCalls.map((c) => c.services)).toEqual([["api"]]);
    expect((await h.registry.get("staging", "api"))?.imageTag).toBe("sha-new1111");
  });
});
