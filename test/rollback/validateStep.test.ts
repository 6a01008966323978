import { Command } from "commander";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { defaultReleaseDeps } from "../../validators/cli/compose";
import { addValidateReleaseOptions, afterValidationStep } from "../../validators/cli/validateStep";
import { SsmReleaseRegistry } from "../../validators/release";
import { captureIO, type CliWorld, cliWorld } from "../release/cliWorld";
import { FakeStacks, report } from "../release/support";
import { useMoto } from "../support/moto";

let dir: string;
let world: CliWorld;

const moto = useMoto();
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "validate-step-"));
  world = await cliWorld(moto.endpoint, dir, ["api"], false);
  return () => rmSync(dir, { recursive: true, force: true });
});

describe("addValidateReleaseOptions", () => {
  it.each([
    [[], { rollback: false, alert: true, dryRun: false, record: true, retries: 0, rollbackWait: 300, lockTimeout: 0 }],
    [
      ["--rollback", "--retries", "2", "--no-record", "--rollback-wait", "60", "--lock-timeout", "30", "--records-dir", "r"],
      { rollback: true, alert: true, dryRun: false, record: false, retries: 2, rollbackWait: 60, lockTimeout: 30, recordsDir: "r" },
    ],
    [
      ["--rollback", "--rollback-wait", "1m", "--lock-timeout", "30s"],
      { rollback: true, alert: true, dryRun: false, record: true, retries: 0, rollbackWait: 60, lockTimeout: 30 },
    ],
    [
      ["--dry-run", "--no-alert"],
      { rollback: false, alert: false, dryRun: true, record: true, retries: 0, rollbackWait: 300, lockTimeout: 0 },
    ],
  ])("parses %j", (args, expected) => {
    const cmd = addValidateReleaseOptions(new Command("validate")).exitOverride();

    cmd.parse(args, { from: "user" });

    expect(cmd.opts()).toEqual(expected);
  });
});

describe("afterValidationStep (what `deployctl validate` calls after its verdict)", () => {
  const run = (outcome: ReturnType<typeof report>, flags: { rollback: boolean; record: boolean }) => {
    const io = captureIO({ DELIVERY_ACTOR: "ci" }, dir);
    const step = afterValidationStep({
      io,
      flags,
      manifest: world.manifest,
      clients: world.clients,
      stacks: FakeStacks.withTags({ api: "sha-old0000" }),
      outcome,
      deps: defaultReleaseDeps,
    });
    return { io, step };
  };

  it("records a pass as last good in SSM and writes the run record under .delivery/records", async () => {
    const { io, step } = run(report({ api: "pass" }), { rollback: false, record: true });

    const result = await step;

    expect(result.record.exitCode).toBe(0);
    expect(await new SsmReleaseRegistry(world.clients.ssm).get("staging", "api")).toMatchObject({
      imageTag: "sha-old0000",
      who: "ci",
      runId: result.record.runId,
    });
    expect(readdirSync(join(dir, ".delivery", "records", "staging")).sort()).toEqual([`${result.record.runId}.json`, "state"]);
    expect(io.err()).toBe(`deployctl: run record ${join(dir, ".delivery", "records", "staging", `${result.record.runId}.json`)}\n`);
  });

  it("records nothing as last good with --no-record", async () => {
    const { step } = run(report({ api: "pass" }), { rollback: false, record: false });

    await step;

    expect(await new SsmReleaseRegistry(world.clients.ssm).get("staging", "api")).toBeUndefined();
  });
});
