import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { RunRecorder } from "../../validators/records";
import { ReleaseRegistryError } from "../../validators/release/lastGood";
import { rollbackServices } from "../../validators/rollback";
import { harness } from "../release/harness";
import { check, clock, FakeStacks, lastGood, manifest, MemoryRegistry, report, service, serviceReport } from "../release/support";

const three = manifest([service("db"), service("api", { dependsOn: ["db"] }), service("web", { dependsOn: ["api"] })]);

function recorder() {
  return new RunRecorder({ runId: "run-9", command: "rollback", who: "ci@runner", stack: "staging", now: clock().now });
}

function setup(reports = [report({ db: "pass", api: "pass", web: "pass" })]) {
  return harness({
    manifest: three,
    stacks: FakeStacks.withTags({ db: "sha-new0000", api: "sha-new0000", web: "sha-new0000" }),
    registry: MemoryRegistry.with([lastGood("db", "sha-db00001", 1), lastGood("api", "sha-api0001", 1), lastGood("web", "sha-web0001", 1)]),
    reports,
  });
}

describe("rollbackServices", () => {
  it("rolls back in reverse deploy order: UpdateService, then one config edit and one stack update", async () => {
    const h = setup();

    const result = await rollbackServices(
      { manifest: three, services: ["db", "api", "web"], reason: "web: errorRate failed", waitSeconds: 60, recorder: recorder() },
      h.deps,
    );

    expect(result.status).toBe("ok");
    expect(h.updateServiceCalls()).toEqual([
      ["staging-web", "arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-web:1"],
      ["staging-api", "arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-api:1"],
      ["staging-db", "arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-db:1"],
    ]);
    expect(h.stacks.changes()).toEqual([
      {
        op: "setConfig",
        stack: "staging",
        values: [
          { path: "delivery:services[2].image.tag", value: "sha-web0001" },
          { path: "delivery:services[1].image.tag", value: "sha-api0001" },
          { path: "delivery:services[0].image.tag", value: "sha-db00001" },
        ],
      },
      { op: "up", stack: "staging", message: "deployctl rollback run-9: web: errorRate failed" },
    ]);
  });

  it("runs the fast path before the stack path", async () => {
    const h = setup();
    const order: string[] = [];
    h.ecsMock.on(UpdateServiceCommand).callsFake(async () => {
      order.push("UpdateService");
      return {};
    });
    const up = h.stacks.up.bind(h.stacks);
    h.stacks.up = async (...args) => {
      order.push("up");
      return up(...args);
    };

    await rollbackServices({ manifest: three, services: ["api"], reason: "r", waitSeconds: 60, recorder: recorder() }, h.deps);

    expect(order).toEqual(["UpdateService", "up"]);
  });

  it("validates the rolled back services again, waiting for their rollout", async () => {
    const h = setup([report({ api: "pass" })]);

    const result = await rollbackServices(
      { manifest: three, services: ["api"], reason: "r", waitSeconds: 120, recorder: recorder() },
      h.deps,
    );

    expect(h.validateCalls.map((c) => [c.services, c.waitSeconds])).toEqual([[["api"], 120]]);
    expect(result.reports.map((r) => r.verdict)).toEqual(["pass"]);
  });

  it("retries the validation while the rollout is still in progress, at most twice", async () => {
    const inProgress = {
      ...report({ api: "fail" }),
      services: [serviceReport("api", [check("rollout", "fail", { rolloutState: "IN_PROGRESS" })])],
    };
    const h = setup([inProgress, inProgress, report({ api: "pass" })]);

    const result = await rollbackServices(
      { manifest: three, services: ["api"], reason: "r", waitSeconds: 60, recorder: recorder() },
      h.deps,
    );

    expect(h.validateCalls).toHaveLength(3);
    expect(result.status).toBe("ok");
  });

  it("fails when the service has no last good release: nothing to roll back to, nothing changed", async () => {
    const h = harness({ manifest: three, registry: new MemoryRegistry(), reports: [] });

    const result = await rollbackServices(
      { manifest: three, services: ["api"], reason: "r", waitSeconds: 60, recorder: recorder() },
      h.deps,
    );

    expect(result.status).toBe("nothing");
    expect(result.problems).toEqual(["no last good release of api in /delivery/staging/api/last-good: nothing to roll back to"]);
    expect(h.updateServiceCalls()).toEqual([]);
    expect(h.stacks.changes()).toEqual([]);
  });

  it("fails, with the reason, when the rollback stack update fails", async () => {
    const h = setup([report({ api: "pass" })]);
    h.stacks.upResults = ["failed"];

    const result = await rollbackServices(
      { manifest: three, services: ["api"], reason: "r", waitSeconds: 60, recorder: recorder() },
      h.deps,
    );

    expect(result.status).toBe("failed");
    expect(result.problems).toEqual(["stack path: the rollback stack update failed"]);
  });

  it("still runs the stack path and validation when UpdateService fails", async () => {
    const h = setup([report({ api: "pass" })]);
    h.ecsMock.on(UpdateServiceCommand).rejects(Object.assign(new Error("service not found"), { name: "ServiceNotFoundException" }));

    const result = await rollbackServices(
      { manifest: three, services: ["api"], reason: "r", waitSeconds: 60, recorder: recorder() },
      h.deps,
    );

    expect(result.problems).toEqual(["UpdateService staging-api failed: ServiceNotFoundException: service not found"]);
    expect(h.stacks.changes().map((c) => c.op)).toEqual(["setConfig", "up"]);
    expect(h.validateCalls).toHaveLength(1);
  });

  it("fails when the validation after the rollback does not pass", async () => {
    const h = setup([report({ api: "fail" })]);

    const result = await rollbackServices(
      { manifest: three, services: ["api"], reason: "r", waitSeconds: 60, recorder: recorder() },
      h.deps,
    );

    expect(result.status).toBe("failed");
    expect(result.problems).toEqual(["validation after the rollback: verdict fail"]);
  });

  it("rolls back to a named validated tag with --to", async () => {
    const registry = MemoryRegistry.with([lastGood("api", "sha-older01", 1), lastGood("api", "sha-api0001", 2)]);
    const h = harness({ manifest: three, registry, reports: [report({ api: "pass" })] });

    await rollbackServices(
      { manifest: three, services: ["api"], reason: "r", toTag: "sha-older01", waitSeconds: 60, recorder: recorder() },
      h.deps,
    );

    expect(h.updateServiceCalls()).toEqual([["staging-api", "arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-api:1"]]);
  });

  it("refuses --to a tag that never passed validation, listing the validated ones", async () => {
    const h = harness({ manifest: three, registry: MemoryRegistry.with([lastGood("api", "sha-api0001")]), reports: [] });

    const attempt = rollbackServices(
      { manifest: three, services: ["api"], reason: "r", toTag: "sha-nope", waitSeconds: 60, recorder: recorder() },
      h.deps,
    );

    await expect(attempt).rejects.toThrow(
      "--to sha-nope: no validated release with this tag for api (validated tags: sha-api0001). Roll back only to a tag that passed validation.",
    );
  });

  it("records the rollback, tags after and the validation in the run record", async () => {
    const h = setup([report({ api: "pass" })]);
    const rec = recorder();

    await rollbackServices({ manifest: three, services: ["api"], reason: "api: errorRate failed", waitSeconds: 60, recorder: rec }, h.deps);

    const record = rec.finish({ outcome: "rolled-back" });
    expect(record.rollback).toEqual({ reason: "api: errorRate failed", services: ["api"], status: "ok" });
    expect(record.services).toEqual([
      { name: "api", tagAfter: "sha-api0001", taskDefinitionAfter: "arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-api:1" },
    ]);
    expect(record.validations).toHaveLength(1);
    expect(record.actions.map((a) => [a.kind, a.status])).toEqual([
      ["rollback-fast-path", "ok"],
      ["config-set", "ok"],
      ["stack-update", "ok"],
    ]);
  });

  it("prints each stage with its state and elapsed time, and streams the engine output", async () => {
    const h = setup([report({ api: "pass" })]);

    await rollbackServices({ manifest: three, services: ["api"], reason: "r", waitSeconds: 60, recorder: recorder() }, h.deps);

    expect(h.lines).toEqual([
      "→ rollback: find the release to restore (api)",
      "✓ rollback: find the release to restore (api): ok (0.0s) api -> sha-api0001",
      "→ rollback fast path: UpdateService api",
      "✓ rollback fast path: UpdateService api: ok (0.0s)",
      "→ rollback stack path: set image tags and update the stack",
      "  | Updating (staging)",
      "  | Resources: 2 updated",
      "✓ rollback stack path: set image tags and update the stack: ok (0.0s) update 2",
      "→ rollback: validate api again",
      "✓ rollback: validate api again: ok (1.0s) verdict pass",
    ]);
  });

  it("reports an unreadable release registry as a failed rollback instead of throwing (the caller still records and alerts)", async () => {
    const h = setup();
    h.registry.get = async () => {
      throw new ReleaseRegistryError("cannot read SSM parameter /delivery/staging/api/last-good: ThrottlingException: Rate exceeded");
    };
    const rec = recorder();

    const result = await rollbackServices(
      { manifest: three, services: ["api"], reason: "api: errorRate failed", waitSeconds: 60, recorder: rec },
      h.deps,
    );

    expect(result).toMatchObject({
      status: "failed",
      targets: [],
      problems: [
        "cannot find the release to restore: cannot read SSM parameter /delivery/staging/api/last-good: ThrottlingException: Rate exceeded",
      ],
    });
    expect(h.updateServiceCalls()).toEqual([]);
    expect(rec.finish({ outcome: "rollback-failed", verdict: "fail" }).rollback).toEqual({
      reason: "api: errorRate failed",
      services: [],
      status: "failed",
    });
  });
});
