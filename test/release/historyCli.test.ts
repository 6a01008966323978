import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { main } from "../../validators/cli/main";
import { LocalRecordStore } from "../../validators/records";
import { type HistoryView, SsmReleaseRegistry } from "../../validators/release";
import { captureIO, type CliWorld, cliWorld } from "./cliWorld";
import { runRecord } from "./support";
import { useMoto } from "../support/moto";

let dir: string;
let world: CliWorld;

const moto = useMoto();
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "history-cli-"));
  world = await cliWorld(moto.endpoint, dir, ["api", "web"], false);
  const registry = new SsmReleaseRegistry(world.clients.ssm);
  await registry.put({
    stack: "staging",
    service: "api",
    imageTag: "sha-aaa0001",
    taskDefinitionArn: "td/api:1",
    validatedAt: "2024-05-01T10:00:00.000Z",
    runId: "run-1",
    who: "ci",
  });
  await registry.put({
    stack: "staging",
    service: "api",
    imageTag: "sha-bbb0002",
    taskDefinitionArn: "td/api:2",
    validatedAt: "2024-05-02T10:00:00.000Z",
    runId: "run-2",
    who: "ci",
  });
  const store = new LocalRecordStore(join(dir, "records"));
  await store.put(
    runRecord({
      runId: "run-1",
      startedAt: "2024-05-01T09:50:00.000Z",
      who: "ci",
      services: [{ name: "api", tagBefore: "sha-0000000", tagAfter: "sha-aaa0001" }],
    }),
  );
  await store.put(
    runRecord({
      runId: "run-2",
      startedAt: "2024-05-02T09:50:00.000Z",
      who: "ci",
      services: [{ name: "api", tagBefore: "sha-aaa0001", tagAfter: "sha-bbb0002" }],
    }),
  );
  await store.put(
    runRecord({
      runId: "run-3",
      startedAt: "2024-05-03T09:50:00.000Z",
      who: "ci",
      outcome: "rolled-back",
      verdict: "fail",
      exitCode: 1,
      services: [{ name: "web", tagBefore: "sha-w000001", tagDeployed: "sha-w000002", tagAfter: "sha-w000001" }],
      rollback: { reason: "web: errorRate failed", services: ["web"], status: "ok" },
    }),
  );
  return () => rmSync(dir, { recursive: true, force: true });
});

async function deployctl(...args: string[]) {
  const io = captureIO({ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" }, dir);
  const code = await main(
    [
      "node",
      "deployctl",
      "history",
      "--manifest",
      world.manifestFile,
      "--endpoint-url",
      moto.endpoint,
      "--records-dir",
      join(dir, "records"),
      ...args,
    ],
    io,
  );
  return { code, stdout: io.out(), stderr: io.err() };
}

describe("deployctl history", () => {
  it("lists statistics, releases and runs newest first, with why each rollback happened", async () => {
    const { code, stdout } = await deployctl();

    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        "Stack staging: 3 runs, 2 succeeded, 1 failed, 1 rolled back, 1 consecutive failures",
        `Records: ${join(dir, "records")}`,
        "",
        "Last good releases (newest first)",
        "  SERVICE  VERSION  IMAGE TAG        VALIDATED AT              RUN    WHO",
        "  api      v2       sha-bbb0002      2024-05-02T10:00:00.000Z  run-2  ci",
        "  api      v1       sha-aaa0001      2024-05-01T10:00:00.000Z  run-1  ci",
        "  web      -        (none recorded)",
        "",
        "Runs (newest first)",
        "  STARTED                   COMMAND  OUTCOME      EXIT  WHO  SERVICES                                           WHY",
        "  2024-05-03T09:50:00.000Z  deploy   rolled-back  1     ci   web sha-w000001->sha-w000002, back to sha-w000001  rollback ok: web: errorRate failed",
        "  2024-05-02T09:50:00.000Z  deploy   released     0     ci   api sha-aaa0001->sha-bbb0002",
        "  2024-05-01T09:50:00.000Z  deploy   released     0     ci   api sha-0000000->sha-aaa0001",
        "",
      ].join("\n"),
    );
  });

  it("gives the same facts as JSON", async () => {
    const { stdout } = await deployctl("--output", "json");

    const view = JSON.parse(stdout) as HistoryView & { schemaVersion: number };
    expect(view.schemaVersion).toBe(1);
    expect(view.stats).toEqual({ runs: 3, successes: 2, failures: 1, rollbacks: 1, consecutiveFailures: 1 });
    expect(view.releases.map((r) => [r.service, r.versions.map((v) => v.release?.imageTag)])).toEqual([
      ["api", ["sha-bbb0002", "sha-aaa0001"]],
      ["web", []],
    ]);
    expect(view.runs.map((r) => [r.runId, r.rollback?.reason])).toEqual([
      ["run-3", "web: errorRate failed"],
      ["run-2", undefined],
      ["run-1", undefined],
    ]);
  });

  it("shows only the runs and releases of --service", async () => {
    const { stdout } = await deployctl("--service", "web", "--output", "json");

    const view = JSON.parse(stdout) as HistoryView;
    expect(view.releases.map((r) => r.service)).toEqual(["web"]);
    expect(view.runs.map((r) => r.runId)).toEqual(["run-3"]);
  });

  it("honours --limit", async () => {
    const { stdout } = await deployctl("--limit", "1", "--output", "json");

    const view = JSON.parse(stdout) as HistoryView;
    expect(view.runs.map((r) => r.runId)).toEqual(["run-3"]);
    expect(view.releases[0]?.versions.map((v) => v.version)).toEqual([2]);
  });

  it("refuses an unknown --service with exit 2", async () => {
    const { code, stderr } = await deployctl("--service", "db");

    expect(code).toBe(2);
    expect(stderr).toBe("deployctl: --service db: no such service in stack staging; it has api, web.\n");
  });
});
