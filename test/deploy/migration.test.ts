import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EcsMigration } from "../../contract/manifest";
import { BadInputError, OperationalError } from "../../validators/core/errors";
import { FileStackLock } from "../../validators/lock";
import type { MigrationRequest, MigrationRun } from "../../validators/providers/migration";
import { LocalRecordStore } from "../../validators/records";
import { deploy } from "../../validators/workflows/deploy/index";
import { manualRollback } from "../../validators/workflows/rollback";
import { harness } from "../release/harness";
import { FakeStacks, lastGood, manifest, MemoryRegistry, report, service } from "../release/support";

const migration = (overrides: Partial<EcsMigration> = {}): EcsMigration => ({
  taskDefinitionFamily: "delivery-staging-db-migration",
  taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/delivery-staging-db-migration:3",
  containerName: "migration",
  repositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/staging/delivery/db",
  subnets: ["subnet-1"],
  securityGroups: ["sg-1"],
  logGroup: "/ecs/delivery/staging/db-migration",
  logStreamPrefix: "migration",
  timeoutSeconds: 900,
  command: ["npm", "run", "migrate"],
  down: ["npm", "run", "migrate:down"],
  ...overrides,
});
const m = manifest([
  service("db", { imageTag: "sha-old0000", migration: migration() }),
  service("api", { imageTag: "sha-old0000", dependsOn: ["db"], migration: migration({ down: undefined }) }),
]);

/** A runner answering from a script per service; every request kept. */
class ScriptedRunner {
  readonly requests: MigrationRequest[] = [];
  constructor(private readonly answers: Record<string, Partial<MigrationRun> | Error> = {}) {}
  async run(request: MigrationRequest): Promise<MigrationRun> {
    this.requests.push(request);
    const answer = this.answers[request.service];
    if (answer instanceof Error) throw answer;
    return {
      status: "succeeded",
      taskArn: `arn:task/${request.service}`,
      taskDefinitionArn: "arn:td:4",
      exitCode: 0,
      logTail: [],
      seconds: 12,
      ...answer,
    };
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "migration-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(runner: ScriptedRunner) {
  const stacks = FakeStacks.withTags({ db: "sha-old0000", api: "sha-old0000" });
  const registry = MemoryRegistry.with([lastGood("db", "sha-old0000"), lastGood("api", "sha-old0000")]);
  const h = harness({ manifest: m, stacks, registry, manifestFromStacks: true, reports: () => report({ db: "pass", api: "pass" }) });
  const common = {
    store: new LocalRecordStore(join(dir, "records")),
    lock: new FileStackLock(join(dir, "locks"), h.clock.now),
    who: "ci@runner",
    runId: "run-7",
    migrations: runner,
  };
  const gate = async () => ({ verdict: "pass" as const, services: [] });
  return {
    ...h,
    deploy: (skipMigrations = false) => deploy(m, { tag: "sha-new1111", waitSeconds: 60, skipMigrations }, { ...h.deps, ...common, gate }),
    rollback: (withMigrations: boolean) =>
      manualRollback(
        m,
        { reason: "bad column", waitSeconds: 60, lockTimeoutSeconds: 0, services: ["db", "api"], withMigrations },
        { ...h.deps, ...common },
      ),
  };
}

describe("deploy runs each service's migration before its update", () => {
  it("runs it with the tag to deploy, then updates the service", async () => {
    const runner = new ScriptedRunner();
    const h = setup(runner);

    const result = await h.deploy();

    expect(result.record.exitCode).toBe(0);
    expect(runner.requests.map((r) => [r.service, r.command, r.imageTag, r.cluster, r.startedBy])).toEqual([
      ["db", ["npm", "run", "migrate"], "sha-new1111", "staging", "deployctl/run-7"],
      ["api", ["npm", "run", "migrate"], "sha-new1111", "staging", "deployctl/run-7"],
    ]);
    const kinds = result.record.actions
      .filter((a) => ["migration", "config-set", "stack-update"].includes(a.kind))
      .map((a) => `${a.kind} ${a.target}`);
    expect(kinds).toEqual([
      "migration db",
      "config-set staging",
      "stack-update staging",
      "migration api",
      "config-set staging",
      "stack-update staging",
    ]);
  });

  it("stops with exit 1 on a failed migration: the service untouched, a critical alert, the facts recorded", async () => {
    const runner = new ScriptedRunner({
      api: {
        status: "failed",
        taskArn: "arn:task/api",
        exitCode: 1,
        stoppedReason: "Essential container in task exited",
        reason: "exited with code 1",
        logTail: ["ERROR column exists"],
      },
    });
    const h = setup(runner);

    const result = await h.deploy();

    expect([result.record.exitCode, result.record.outcome, result.record.error]).toEqual([
      1,
      "failed",
      'api: the migration failed (exited with code 1); task arn:task/api, exit code 1, stopped reason "Essential container in task exited", 12s; api was not updated',
    ]);
    expect(
      h.stacks
        .changes()
        .filter((c) => c.op === "up")
        .map((c) => (c as { message: string }).message),
    ).toEqual(["deployctl deploy db sha-new1111 (run run-7)"]);
    expect(result.record.actions.find((a) => a.kind === "migration" && a.target === "api")?.details).toEqual({
      command: ["npm", "run", "migrate"],
      taskDefinitionArn: "arn:td:4",
      taskArn: "arn:task/api",
      exitCode: 1,
      stoppedReason: "Essential container in task exited",
      status: "failed",
      seconds: 12,
      logTail: ["ERROR column exists"],
    });
    expect(h.alerts.sent.map((a) => [a.service, a.severity, a.verdict])).toEqual([["api", "critical", "fail"]]);
  });

  it("stops with exit 1 on a timed-out migration", async () => {
    const h = setup(
      new ScriptedRunner({
        db: { status: "timed-out", exitCode: undefined, reason: "still running after 900s (timeoutSeconds), so it was stopped" },
      }),
    );

    const result = await h.deploy();

    expect([result.record.exitCode, h.stacks.changes()]).toEqual([1, []]);
  });

  it("exits 4 when the migration cannot be run at all (AWS unreachable), changing nothing", async () => {
    const h = setup(new ScriptedRunner({ db: new OperationalError("ECS RunTask failed (AWS unreachable): ECONNREFUSED", "ECS RunTask") }));

    const result = await h.deploy();

    expect([result.record.exitCode, h.stacks.changes()]).toEqual([4, []]);
  });

  it("--skip-migrations updates without running them, and records that they were skipped", async () => {
    const runner = new ScriptedRunner();
    const h = setup(runner);

    const result = await h.deploy(true);

    expect([result.record.exitCode, runner.requests]).toEqual([0, []]);
    expect(result.record.actions.filter((a) => a.kind === "migration").map((a) => [a.target, a.status, a.message])).toEqual([
      ["db", "skipped", "db: migration not run (--skip-migrations): npm run migrate"],
      ["api", "skipped", "api: migration not run (--skip-migrations): npm run migrate"],
    ]);
  });
});

describe("rollback and down-migrations", () => {
  it("never runs a down-migration by itself", async () => {
    const runner = new ScriptedRunner();
    const h = setup(runner);
    h.stacks.services.forEach((s) => (s.image.tag = "sha-new1111"));

    await h.rollback(false);

    expect(runner.requests).toEqual([]);
    expect(h.lines).toContain("not running the down-migrations of db: a rollback runs them only with --with-migrations");
  });

  it("with --with-migrations runs migration.down in reverse dependsOn order, with the release being undone, first", async () => {
    const runner = new ScriptedRunner();
    const h = setup(runner);
    h.stacks.services.forEach((s) => (s.image.tag = "sha-new1111"));

    const result = await h.rollback(true);

    expect(runner.requests.map((r) => [r.service, r.command, r.imageTag])).toEqual([["db", ["npm", "run", "migrate:down"], undefined]]);
    expect(result.record.actions.filter((a) => a.kind === "down-migration").map((a) => [a.target, a.status])).toEqual([
      ["api", "skipped"],
      ["db", "ok"],
    ]);
    expect(result.record.exitCode).toBe(0);
  });

  it("refuses --with-migrations on a stack that is not on ECS, naming the runtime", async () => {
    const h = setup(new ScriptedRunner());
    const kube = { ...m, runtime: "kubernetes", kubernetes: { namespace: "delivery-staging" } } as unknown as typeof m;

    const error = await manualRollback(
      kube,
      { reason: "x", waitSeconds: 60, lockTimeoutSeconds: 0, withMigrations: true },
      {
        ...h.deps,
        store: new LocalRecordStore(join(dir, "records")),
        lock: new FileStackLock(join(dir, "locks"), h.clock.now),
        who: "ci@runner",
        runId: "run-8",
      },
    ).catch((e: unknown) => e);

    expect([error instanceof BadInputError, (error as Error).message]).toEqual([
      true,
      "--with-migrations: stack staging runs on kubernetes; deployctl runs down-migrations on ECS stacks only (on Kubernetes, run the down command as a Job yourself).",
    ]);
  });

  it("stops before any service changes when a down-migration fails (exit 1)", async () => {
    const h = setup(new ScriptedRunner({ db: { status: "failed", exitCode: 2, reason: "exited with code 2" } }));
    h.stacks.services.forEach((s) => (s.image.tag = "sha-new1111"));

    const result = await h.rollback(true);

    expect([result.record.exitCode, result.record.outcome, h.stacks.changes(), h.updateServiceCalls()]).toEqual([1, "failed", [], []]);
  });
});
