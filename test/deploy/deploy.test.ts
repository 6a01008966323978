import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deploy, type DeployOptions, type GateOutcome } from "../../validators/workflows/deploy/index";
import { FileStackLock, StackLockedError } from "../../validators/lock";
import { OperationalError } from "../../validators/core/errors";
import { LocalRecordStore } from "../../validators/records";
import type { ValidateRequest } from "../../validators/rollback";
import { harness, taskDefinitionFor } from "../release/harness";
import { check, FakeStacks, lastGood, manifest, MemoryRegistry, report, service, serviceReport } from "../release/support";

const m = manifest([
  service("web", { imageTag: "sha-old0000", dependsOn: ["api"] }),
  service("db", { imageTag: "sha-old0000" }),
  service("api", { imageTag: "sha-old0000", dependsOn: ["db"] }),
]);
const passGate: GateOutcome = { verdict: "pass", services: [] };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "deploy-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every service passes unless `verdicts` says otherwise for it (a list: one verdict per validation). */
function validator(verdicts: Record<string, ("pass" | "fail" | "inconclusive" | "in-progress")[]> = {}) {
  return (request: ValidateRequest) => {
    const name = request.services[0] ?? "";
    const next = verdicts[name]?.shift() ?? "pass";
    if (next === "in-progress")
      return {
        ...report({ [name]: "fail" }),
        services: [serviceReport(name, [check("rollout", "fail", { rolloutState: "IN_PROGRESS" })])],
      };
    return report({ [name]: next });
  };
}

function setup(options: { verdicts?: Parameters<typeof validator>[0]; gate?: GateOutcome | Error } = {}) {
  const stacks = FakeStacks.withTags({ web: "sha-old0000", db: "sha-old0000", api: "sha-old0000" });
  const registry = MemoryRegistry.with([lastGood("web", "sha-old0000"), lastGood("db", "sha-old0000"), lastGood("api", "sha-old0000")]);
  const h = harness({ manifest: m, stacks, registry, manifestFromStacks: true, reports: validator(options.verdicts) });
  const store = new LocalRecordStore(join(dir, "records"));
  const lock = new FileStackLock(join(dir, "locks"), h.clock.now);
  const gateCalls: unknown[] = [];
  const gate = async (request: unknown) => {
    gateCalls.push(request);
    if (options.gate instanceof Error) throw options.gate;
    return options.gate ?? passGate;
  };
  const run = (opts: Partial<DeployOptions> = {}) =>
    deploy(m, { tag: "sha-new1111", waitSeconds: 300, ...opts }, { ...h.deps, gate, store, lock, who: "ci@runner", runId: "run-7" });
  return { ...h, store, lock, gateCalls, run };
}

const setTag = (index: number, value: string) => ({ path: `delivery:services[${index}].image.tag`, value });

describe("deploy", () => {
  it("deploys one service at a time in dependsOn order: set the tag, update the stack, validate", async () => {
    const h = setup();

    const result = await h.run();

    expect(result.record.exitCode).toBe(0);
    expect(h.stacks.changes()).toEqual([
      { op: "setConfig", stack: "staging", values: [setTag(1, "sha-new1111")] },
      { op: "up", stack: "staging", message: "deployctl deploy db sha-new1111 (run run-7)" },
      { op: "setConfig", stack: "staging", values: [setTag(2, "sha-new1111")] },
      { op: "up", stack: "staging", message: "deployctl deploy api sha-new1111 (run run-7)" },
      { op: "setConfig", stack: "staging", values: [setTag(0, "sha-new1111")] },
      { op: "up", stack: "staging", message: "deployctl deploy web sha-new1111 (run run-7)" },
    ]);
    expect(h.validateCalls.map((c) => [c.services, c.waitSeconds])).toEqual([
      [["db"], 300],
      [["api"], 300],
      [["web"], 300],
    ]);
  });

  it("without --tag, deploys the services whose config tag changed, holding the later ones back", async () => {
    const h = setup();
    h.stacks.services[1]!.image.tag = "sha-new2222";
    h.stacks.services[2]!.image.tag = "sha-new2222";

    const result = await h.run({ tag: undefined });

    expect(result.record.exitCode).toBe(0);
    expect(h.stacks.changes()).toEqual([
      { op: "setConfig", stack: "staging", values: [setTag(2, "sha-old0000")] },
      { op: "setConfig", stack: "staging", values: [setTag(1, "sha-new2222")] },
      { op: "up", stack: "staging", message: "deployctl deploy db sha-new2222 (run run-7)" },
      { op: "setConfig", stack: "staging", values: [setTag(2, "sha-new2222")] },
      { op: "up", stack: "staging", message: "deployctl deploy api sha-new2222 (run run-7)" },
    ]);
    expect(h.validateCalls.map((c) => c.services)).toEqual([["db"], ["api"]]);
    expect(result.record.services.map((s) => [s.name, s.tagBefore, s.tagAfter])).toEqual([
      ["db", "sha-old0000", "sha-new2222"],
      ["api", "sha-old0000", "sha-new2222"],
    ]);
  });

  it("gates each tag of a promotion with its services", async () => {
    const h = setup();
    h.stacks.services[1]!.image.tag = "sha-db00002";
    h.stacks.services[2]!.image.tag = "sha-api0002";

    await h.run({ tag: undefined });

    expect(h.gateCalls).toEqual([
      { manifest: m, services: ["db"], tag: "sha-db00002" },
      { manifest: m, services: ["api"], tag: "sha-api0002" },
    ]);
  });

  it("without --tag, does nothing and exits 0 when the config names the deployed tags", async () => {
    const h = setup();

    const result = await h.run({ tag: undefined });

    expect(result.record.exitCode).toBe(0);
    expect(result.record.outcome).toBe("nothing-to-do");
    expect(h.stacks.changes()).toEqual([]);
    expect(h.gateCalls).toEqual([]);
    expect(h.lines).toEqual(["nothing to deploy: db, api, web already run the tags in the stack config"]);
  });

  it("validates each service against the manifest the stack update produced", async () => {
    const h = setup();

    await h.run({ services: ["db"] });

    expect(h.validateCalls[0]?.manifest.services.find((s) => s.name === "db")?.taskDefinitionArn).toBe(
      taskDefinitionFor("db", "sha-new1111"),
    );
  });

  it("records every service as last good once all of them passed", async () => {
    const h = setup();

    await h.run();

    expect((await h.registry.get("staging", "web"))?.imageTag).toBe("sha-new1111");
    expect((await h.registry.get("staging", "web"))?.taskDefinitionArn).toBe(taskDefinitionFor("web", "sha-new1111"));
    expect((await h.registry.history("staging", "db")).map((v) => v.release?.imageTag)).toEqual(["sha-new1111", "sha-old0000"]);
  });

  it("deploys only the services asked for, still in dependsOn order", async () => {
    const h = setup();

    await h.run({ services: ["web", "db"] });

    expect(h.validateCalls.map((c) => c.services)).toEqual([["db"], ["web"]]);
  });

  it("cascades: when a service fails, it and the services already deployed roll back in reverse order", async () => {
    const h = setup({ verdicts: { web: ["fail"] } });

    const result = await h.run();

    expect(result.record.exitCode).toBe(1);
    expect(result.record.outcome).toBe("rolled-back");
    expect(h.updateServiceCalls()).toEqual([
      ["staging-web", "arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-web:1"],
      ["staging-api", "arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-api:1"],
      ["staging-db", "arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-db:1"],
    ]);
    expect(h.stacks.changes().slice(6)).toEqual([
      { op: "setConfig", stack: "staging", values: [setTag(0, "sha-old0000"), setTag(2, "sha-old0000"), setTag(1, "sha-old0000")] },
      { op: "up", stack: "staging", message: "deployctl rollback run-7: web: errorRate failed" },
    ]);
    expect(h.stacks.services.map((s) => [s.name, s.image.tag])).toEqual([
      ["web", "sha-old0000"],
      ["db", "sha-old0000"],
      ["api", "sha-old0000"],
    ]);
  });

  it("rolls back only what it deployed when a service in the middle fails; later services are not touched", async () => {
    const h = setup({ verdicts: { api: ["fail"] } });

    await h.run();

    expect(h.updateServiceCalls().map(([s]) => s)).toEqual(["staging-api", "staging-db"]);
    expect(
      h.stacks
        .changes()
        .filter((c) => c.op === "setConfig")
        .map((c) => (c.op === "setConfig" ? c.values : [])),
    ).toEqual([[setTag(1, "sha-new1111")], [setTag(2, "sha-new1111")], [setTag(2, "sha-old0000"), setTag(1, "sha-old0000")]]);
  });

  it("leaves last good untouched when the release rolls back", async () => {
    const h = setup({ verdicts: { web: ["fail"] } });

    await h.run();

    expect((await h.registry.get("staging", "db"))?.imageTag).toBe("sha-old0000");
  });

  it("alerts with the failing service's checks and the rollback it did", async () => {
    const h = setup({ verdicts: { api: ["fail"] } });

    await h.run();

    expect(h.alerts.sent.map((a) => [a.service, a.severity, a.action])).toEqual([
      [
        "api",
        "warning",
        "rolled back to sha-old0000 (arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-api:1) and validated again; also rolled back db -> sha-old0000",
      ],
    ]);
  });

  it("validates again while the rollout is still in progress instead of failing", async () => {
    const h = setup({ verdicts: { db: ["in-progress", "pass"] } });

    const result = await h.run({ services: ["db"] });

    expect(result.record.exitCode).toBe(0);
    expect(h.validateCalls.map((c) => c.services)).toEqual([["db"], ["db"]]);
    expect(h.updateServiceCalls()).toEqual([]);
  });

  it("stops without rolling back on an inconclusive verdict, exits 3, and deploys nothing further", async () => {
    const h = setup({ verdicts: { db: ["inconclusive"] } });

    const result = await h.run();

    expect(result.record.exitCode).toBe(3);
    expect(h.updateServiceCalls()).toEqual([]);
    expect(h.stacks.changes()).toHaveLength(2);
    expect(h.lines).toContain("not deploying api, web: db is inconclusive");
    expect(h.alerts.sent.map((a) => [a.service, a.verdict, a.severity])).toEqual([["db", "inconclusive", "warning"]]);
  });

  it("stops without rolling back when the validator itself fails (exit 4)", async () => {
    const h = setup();
    h.deps.validate = async () => Promise.reject(new Error("GetMetricData: ThrottlingException"));

    const result = await h.run();

    expect(result.record.exitCode).toBe(4);
    expect(result.record).toMatchObject({ outcome: "error", error: "validate db: GetMetricData: ThrottlingException" });
    expect(h.updateServiceCalls()).toEqual([]);
  });

  it("rolls back when the stack update fails", async () => {
    const h = setup();
    h.stacks.upResults = ["succeeded", "failed"];

    const result = await h.run();

    expect(result.record.exitCode).toBe(1);
    expect(result.record.error).toBe("the stack update for api sha-new1111 failed");
    expect(h.updateServiceCalls().map(([s]) => s)).toEqual(["staging-api", "staging-db"]);
  });

  it("changes nothing when the gate refuses, exit 1 with the gate's reasons", async () => {
    const h = setup({
      gate: {
        verdict: "fail",
        services: [
          { name: "api", verdict: "fail", checks: [{ name: "image", status: "fail", message: "no image sha-new1111 in delivery/api" }] },
        ],
      },
    });

    const result = await h.run();

    expect(result.record.exitCode).toBe(1);
    expect(result.record).toMatchObject({
      outcome: "refused",
      error: "the gate refused: api: image failed (no image sha-new1111 in delivery/api)",
    });
    expect(h.stacks.changes()).toEqual([]);
    expect(h.gateCalls).toEqual([{ manifest: m, services: ["db", "api", "web"], tag: "sha-new1111" }]);
  });

  it("exits 4 and changes nothing when the gate cannot run", async () => {
    const h = setup({ gate: new Error("ECR DescribeImages: AccessDenied") });

    const result = await h.run();

    expect(result.record.exitCode).toBe(4);
    expect(h.stacks.changes()).toEqual([]);
  });

  it("exits 5 and changes nothing while another run holds the stack", async () => {
    const h = setup();
    await h.lock.tryAcquire({ stack: "staging", who: "ana@laptop", what: "rollback", leaseSeconds: 600 });

    const attempt = h.run();

    await expect(attempt).rejects.toBeInstanceOf(StackLockedError);
    await expect(attempt).rejects.toThrow("stack staging is locked by ana@laptop (rollback) since 2024-05-01T10:00:00.000Z");
    expect(h.stacks.changes()).toEqual([]);
  });

  it("releases the lock when it is done", async () => {
    const h = setup();
    await h.run({ services: ["db"] });

    expect((await h.lock.tryAcquire({ stack: "staging", who: "next", what: "deploy", leaseSeconds: 60 })).acquired).toBe(true);
  });

  it("refuses an unknown --service, naming the known ones", async () => {
    const h = setup();

    await expect(h.run({ services: ["apii"] })).rejects.toThrow("--service apii: no such service in stack staging; it has web, db, api.");
  });

  it("shows each stage with its state and elapsed time, streaming the stack update", async () => {
    const h = setup();

    await h.run({ services: ["db"] });

    expect(h.lines).toEqual([
      "→ gate sha-new1111 for db",
      "✓ gate sha-new1111 for db: ok (0.0s)",
      "→ update db to sha-new1111",
      "  | Updating (staging)",
      "  | Resources: 2 updated",
      "✓ update db to sha-new1111: ok (0.0s) update 2",
      "→ validate db",
      "✓ validate db: ok (1.0s) verdict pass",
      "→ record db as last good",
      "✓ record db as last good: ok (0.0s)",
    ]);
  });

  it("writes one run record with tags before and after, the validations and the stages", async () => {
    const h = setup();

    const result = await h.run({ services: ["db"] });

    const [stored] = await h.store.list();
    expect(stored).toEqual(result.record);
    expect(stored).toMatchObject({
      command: "deploy",
      outcome: "released",
      verdict: "pass",
      exitCode: 0,
      who: "ci@runner",
      services: [
        { name: "db", tagBefore: "sha-old0000", tagAfter: "sha-new1111", taskDefinitionAfter: taskDefinitionFor("db", "sha-new1111") },
      ],
    });
    expect(stored?.validations.map((v) => v.verdict)).toEqual(["pass"]);
    expect(stored?.actions.filter((a) => a.kind === "stage").map((a) => a.target)).toEqual([
      "gate sha-new1111 for db",
      "update db to sha-new1111",
      "validate db",
      "record db as last good",
    ]);
  });

  it("still writes its run record (error, exit 4) when an operational error is thrown mid-deploy, then lets it through", async () => {
    const h = setup();
    h.deps.loadManifest = async () => {
      throw new OperationalError("pulumi stack output failed: exit 255", "pulumi");
    };

    await expect(h.run({ services: ["db"] })).rejects.toThrow("pulumi stack output failed: exit 255");

    const records = await h.store.list();
    expect(records.map((r) => [r.command, r.outcome, r.exitCode, r.error])).toEqual([
      ["deploy", "error", 4, "pulumi stack output failed: exit 255"],
    ]);
    expect((await h.lock.tryAcquire({ stack: "staging", who: "x", what: "y", leaseSeconds: 60 })).acquired).toBe(true);
  });
});
