import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProgressiveDeploymentConfig } from "../../infra/config";
import { driveInProgress } from "../../validators/canary/drive";
import { FileStackLock } from "../../validators/lock";
import { LocalRecordStore } from "../../validators/records";
import { afterValidation } from "../../validators/workflows/validateAndRollback";
import { Progress } from "../../validators/core/progress";
import { harness } from "../release/harness";
import { check, FakeStacks, lastGood, manifest, MemoryRegistry, report, service, serviceReport } from "../release/support";
import { SimulatedDeployment, type Traffic } from "./simulation";

/**
 * `deployctl validate --wait` after a plain `pulumi up` (the pipeline): progressive services with a
 * deployment in progress are driven through their steps, then judged; a failed step's service is
 * restored by ECS, so the rollback skips its fast path and the record names the step.
 */
const POLICY: ProgressiveDeploymentConfig = {
  strategy: "canary",
  steps: [5, 25, 50, 100],
  stepMinutes: 10,
  bakeMinutes: 10,
  maxExtensionMinutes: 20,
};
const api = service("api", {
  imageTag: "sha-new1111",
  deployment: {
    ...POLICY,
    strategy: "canary",
    alternateTargetGroup: "targetgroup/staging-api-alt/fedcba9876543210",
    verdictParameter: "/delivery/staging/api/canary-verdict",
  },
});
const web = service("web", { imageTag: "sha-new1111" });
const m = manifest([api, web]);
const failAt25: Traffic = (share) => ({
  canary: { requests: 40 * share, errors5xx: share >= 25 ? Math.round(40 * share * 0.06) : 0, p99: 0.3 },
  baseline: { requests: 40 * (100 - share), errors5xx: 1, p99: 0.3 },
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "drive-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup() {
  const h = harness({
    manifest: m,
    stacks: FakeStacks.withTags({ api: "sha-new1111", web: "sha-new1111" }),
    registry: MemoryRegistry.with([lastGood("api", "sha-old0000")]),
    reports: () => report({ api: "pass" }),
  });
  const sim = new SimulatedDeployment(api, POLICY, 5, failAt25, h.clock.now);
  const lines: string[] = [];
  const drive = () =>
    driveInProgress(
      { manifest: m, runId: "run-3" },
      {
        clients: { ecs: sim.ecs, cloudwatch: sim.cloudwatch, ssm: sim.ssm },
        progress: new Progress((l) => lines.push(l), h.clock.now),
        now: h.clock.now,
        sleep: h.clock.sleep,
      },
    );
  return { h, sim, lines, drive };
}

describe("driveInProgress", () => {
  it("drives only the progressive service with a deployment in progress, and stops it at its failing step", async () => {
    const { sim, lines, drive } = setup();
    const driven = await drive();
    expect([...driven.results.keys()]).toEqual(["api"]);
    expect([driven.results.get("api")?.outcome, driven.failedStep?.percent, sim.stops.length]).toEqual(["failed", 25, 1]);
    expect(lines[0]).toBe("api: its canary deployment is in progress; judging each traffic step before validating");
    expect(driven.actions.filter((a) => a.kind === "traffic-step").map((a) => a.message)).toEqual([
      "api at 5%: pass after 10 min",
      "api at 25%: fail after 0 min",
    ]);
  });

  it("leaves a progressive service alone when its newest deployment is not in progress", async () => {
    const { sim, drive } = setup();
    sim.status = "SUCCESSFUL";
    const driven = await drive();
    expect([driven.results.size, driven.actions, sim.stops]).toEqual([0, [], []]);
  });
});

describe("afterValidation with driven steps", () => {
  it("rolls the failed service back without the fast path (ECS restored it) and records the failed step", async () => {
    const { h, drive } = setup();
    const driven = await drive();
    const result = await afterValidation(
      {
        manifest: m,
        rollback: true,
        record: true,
        outcome: { ...report({ api: "fail" }), services: [serviceReport("api", [check("rollout", "fail")])] },
        before: driven,
      },
      {
        ...h.deps,
        store: new LocalRecordStore(join(dir, "records")),
        lock: new FileStackLock(join(dir, "locks"), h.clock.now),
        who: "ci@runner",
        runId: "run-3",
      },
    );
    expect([result.record.exitCode, result.record.outcome, h.updateServiceCalls()]).toEqual([1, "rolled-back", []]);
    expect(result.record.rollback?.failedStep).toMatchObject({
      service: "api",
      percent: 25,
      step: 2,
      verdict: "fail",
      rolledBackBy: "deployctl",
      secondsToRollback: 0,
    });
    expect(result.record.validations.slice(0, 2).map((v) => [v.verdict, v.services[0]?.checks[0]?.name])).toEqual([
      ["pass", "canary"],
      ["fail", "canary"],
    ]);
  });
});
