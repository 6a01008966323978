import { ECSClient, ListServiceDeploymentsCommand, StopServiceDeploymentCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import type { ProgressiveDeploymentConfig } from "../../infra/config";
import { watchProgressiveRollout } from "../../validators/canary/watch";
import { Progress } from "../../validators/core/progress";
import { clock } from "../release/support";
import { testManifest } from "../validator/support/manifest";
import { canaryService } from "./support";
import { SimulatedDeployment, type Traffic } from "./simulation";
import type { PublishedVerdict } from "../../contract/verdict";

/**
 * The watch against a simulated ECS progressive deployment (LINEAR in 5% steps, the release
 * policy's 5/25/50/100 held by the real hook logic), on a manual clock: 30 s between polls.
 */
const POLICY: ProgressiveDeploymentConfig = {
  strategy: "canary",
  steps: [5, 25, 50, 100],
  stepMinutes: 10,
  bakeMinutes: 10,
  maxExtensionMinutes: 20,
};
const api = canaryService("api", { taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:2" });
const manifest = testManifest([api]);

/** Per minute, 4000 requests split by share; the canary's 5xx rate and p99 as given. */
const traffic =
  (canary: (share: number) => { rate: number; p99: number }): Traffic =>
  (share) => ({
    canary: { requests: 40 * share, errors5xx: Math.round(40 * share * canary(share).rate), p99: canary(share).p99 },
    baseline: { requests: 40 * (100 - share), errors5xx: Math.round(40 * (100 - share) * 0.0005), p99: 0.3 },
  });
const healthy = traffic(() => ({ rate: 0.0005, p99: 0.31 }));

function world(t: Traffic) {
  const time = clock("2025-03-01T12:00:00.000Z");
  const sim = new SimulatedDeployment(api, POLICY, 5, t, time.now);
  const lines: string[] = [];
  const run = () =>
    watchProgressiveRollout(
      { manifest, service: "api", since: time.now(), runId: "run-9" },
      {
        clients: { ecs: sim.ecs, cloudwatch: sim.cloudwatch, ssm: sim.ssm },
        progress: new Progress((l) => lines.push(l), time.now),
        now: time.now,
        sleep: time.sleep,
      },
    );
  return { sim, lines, run, time };
}

describe("watchProgressiveRollout", () => {
  it("promotes a healthy canary through 5, 25, 50 and 100%, each observed 10 minutes, then the bake", async () => {
    const { sim, run } = world(healthy);
    const result = await run();
    expect(result.outcome).toBe("promoted");
    expect(result.steps.map((s) => [s.percent, s.verdict, s.observedMinutes])).toEqual([
      [5, "pass", 10],
      [25, "pass", 10],
      [50, "pass", 10],
      [100, "pass", 10],
      [100, "pass", 0],
    ]);
    expect(sim.stops).toEqual([]);
    expect(sim.status).toBe("SUCCESSFUL");
  });

  it("holds traffic at each policy step until the pass covers 10 minutes, and lets the steps between pass at once", async () => {
    const { sim, run } = world(healthy);
    await run();
    const held = [...new Set(sim.hookAnswers.filter((a) => a.status === "IN_PROGRESS").map((a) => a.share))];
    const through = [...new Set(sim.hookAnswers.filter((a) => a.status === "SUCCEEDED").map((a) => a.share))];
    expect([held, through]).toEqual([
      [5, 25, 50, 100],
      [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100],
    ]);
  });

  it("publishes each step's verdict for the hook: the revision, its baseline, the step and the minutes behind it", async () => {
    const { sim, run } = world(healthy);
    await run();
    const passes = sim.published.filter((p): p is PublishedVerdict => "verdict" in p && p.verdict === "pass" && p.observedMinutes >= 10);
    expect(passes.map((p) => [p.percent, p.revision?.split("/").pop(), p.baselineRevision?.split("/").pop()])).toEqual([
      [5, "new", "old"],
      [25, "new", "old"],
      [50, "new", "old"],
      [100, "new", "old"],
    ]);
  });

  it("stops a canary failing at 25% at once: StopServiceDeployment ROLLBACK in the same poll as the verdict", async () => {
    const { sim, run } = world(traffic((share) => (share >= 25 ? { rate: 0.06, p99: 0.31 } : { rate: 0.0005, p99: 0.31 })));
    const result = await run();
    expect(result.outcome).toBe("failed");
    expect(result.steps.map((s) => [s.percent, s.verdict])).toEqual([
      [5, "pass"],
      [25, "fail"],
    ]);
    expect(sim.stops.map((s) => s.input)).toEqual([{ serviceDeploymentArn: result.deploymentArn, stopType: "ROLLBACK" }]);
    expect(result.failedStep).toMatchObject({
      service: "api",
      percent: 25,
      step: 2,
      verdict: "fail",
      rolledBackBy: "deployctl",
      rollbackStatus: "ROLLBACK_SUCCESSFUL",
    });
    const fromVerdict = (sim.stops[0]?.at.getTime() ?? Infinity) - Date.parse(result.failedStep?.verdictAt ?? "");
    expect(fromVerdict).toBeLessThanOrEqual(30_000);
    expect(result.failedStep?.secondsToRollback).toBe(0);
    expect(sim.published.at(-1)).toMatchObject({ percent: 25, verdict: "fail" });
  });

  it("extends an inconclusive step (too little traffic) and abandons it after the step plus 20 minutes, rolling back", async () => {
    const quiet: Traffic = (share) => ({
      canary: { requests: share > 0 ? 20 : 0, errors5xx: 0, p99: 0.3 },
      baseline: { requests: 400, errors5xx: 0, p99: 0.3 },
    });
    const { sim, run, time } = world(quiet);
    const started = time.now().getTime();
    const result = await run();
    expect([result.outcome, result.steps.map((s) => [s.percent, s.verdict, s.observedMinutes])]).toEqual([
      "abandoned",
      [[5, "inconclusive", 30]],
    ]);
    expect(result.failedStep).toMatchObject({
      percent: 5,
      step: 1,
      verdict: "inconclusive",
      reason: "still inconclusive after 30 minutes at 5% (the step plus its extension): not promoted",
    });
    expect(sim.stops).toHaveLength(1);
    expect(sim.published.some((p) => "verdict" in p && p.verdict === "pass")).toBe(false);
    expect((sim.stops[0]?.at.getTime() ?? 0) - started).toBeGreaterThanOrEqual(30 * 60_000);
  });

  it("shows each traffic step with its verdict as a stage", async () => {
    const { lines, run } = world(traffic((share) => (share >= 25 ? { rate: 0.06, p99: 0.31 } : { rate: 0.0005, p99: 0.31 })));
    await run();
    expect(lines.filter((l) => /^[→✓✗?↩]/.test(l))).toEqual([
      "→ api: traffic 5%",
      "✓ api: traffic 5%: ok (600.0s) pass after 10 min: 5xx 0% within 1% and not worse than the baseline; p99 310 ms within 1000 ms and 2x the baseline's 300 ms; no crash.",
      "→ api: traffic 25%",
      "✗ api: traffic 25%: failed (90.0s) fail after 0 min: 5xx 6% above 1% (even the interval's lower bound, 4.34%); p99 310 ms within 1000 ms and 2x the baseline's 300 ms; no crash.",
      "↩ api: rollback requested 0s after the fail verdict at 25%",
    ]);
  });

  it("ends with an error, and no rollback, when ECS starts no deployment", async () => {
    const { sim, time } = world(healthy);
    const none = new ECSClient({ region: "eu-west-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const ecs = mockClient(none);
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    const result = await watchProgressiveRollout(
      { manifest, service: "api", since: time.now(), runId: "run-9", tuning: { findMinutes: 2 } },
      {
        clients: { ecs: none, cloudwatch: sim.cloudwatch, ssm: sim.ssm },
        progress: new Progress(() => undefined, time.now),
        now: time.now,
        sleep: time.sleep,
      },
    );
    expect([result.outcome, result.error]).toEqual(["error", "ECS started no deployment of api-svc within 2 minutes of the stack update"]);
    expect([ecs.commandCalls(ListServiceDeploymentsCommand).length, ecs.commandCalls(StopServiceDeploymentCommand).length]).toEqual([5, 0]);
  });
});
