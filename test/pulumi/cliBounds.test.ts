import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../validators/cli/main";
import { automationStacks } from "../../validators/providers/pulumi/stacks";
import { PulumiCliError } from "../../validators/providers/pulumi/cli";
import { captureIO } from "../../fixtures/io";
import { testManifest } from "../../fixtures/manifest";

/**
 * A stand-in `pulumi` first on the PATH (the Automation API spawns `pulumi`): it answers `version`,
 * and every other command runs `body` (a shell fragment). Each run's pid goes to pids.log.
 */
let root: string;
let savedPath: string | undefined;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "fake-pulumi-"));
  savedPath = process.env.PATH;
});
afterEach(() => {
  process.env.PATH = savedPath;
  rmSync(root, { recursive: true, force: true });
});

function fakePulumi(body: string): { pids: () => number[]; project: string } {
  mkdirSync(join(root, "bin"));
  const pids = join(root, "pids.log");
  writeFileSync(pids, "");
  const script = join(root, "bin", "pulumi");
  writeFileSync(script, `#!/bin/sh\nif [ "$1" = version ]; then echo v3.200.0; exit 0; fi\necho $$ >> '${pids}'\n${body}\n`);
  chmodSync(script, 0o755);
  process.env.PATH = `${join(root, "bin")}${delimiter}${savedPath ?? ""}`;
  const project = join(root, "project");
  mkdirSync(project);
  writeFileSync(join(project, "Pulumi.yaml"), "name: delivery\nruntime: nodejs\n");
  return {
    pids: () =>
      readFileSync(pids, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map(Number),
    project,
  };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const CHECKPOINT_ERROR =
  'error: failed to load checkpoint: blob (key ".pulumi/stacks/delivery/staging.json") (code=Unknown): NoSuchBucket: The specified bucket does not exist';

describe("a Pulumi CLI that hangs", () => {
  it("is killed after --pulumi-timeout and the command exits 4 naming the Pulumi operation", async () => {
    const fake = fakePulumi("sleep 600");
    const io = captureIO({}, fake.project);
    const started = Date.now();

    const code = await main(["node", "deployctl", "gate", "--stack", "staging", "--pulumi-timeout", "2s"], io);

    expect(code).toBe(4);
    expect(io.err()).toContain("pulumi stack select did not answer within 2s; the Pulumi CLI was stopped");
    expect(Date.now() - started).toBeLessThan(15_000);
    const pids = fake.pids();
    expect(pids).toHaveLength(1);
    // SIGTERM to its process group ends the script and its sleep.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(pids.filter(alive)).toEqual([]);
  }, 30_000);

  it("bounds a stack update by the timeout for engine operations, naming pulumi up", async () => {
    const fake = fakePulumi('case "$*" in *"stack select"*) exit 0;; esac\nsleep 600');
    const stacks = automationStacks(fake.project, process.env, { timeouts: { queryMs: 5_000, updateMs: 1_500 } });

    await expect(stacks.up("staging")).rejects.toThrow("pulumi up did not answer within 1.5s; the Pulumi CLI was stopped");
  }, 30_000);
});

describe("a Pulumi backend or CLI failure", () => {
  it("is an operational error with the CLI's message (exit 4), not unset config (exit 2)", async () => {
    const fake = fakePulumi(`case "$*" in *"stack select"*) exit 0;; esac\necho '${CHECKPOINT_ERROR}' >&2\nexit 255`);
    const manifest = join(fake.project, "deployment.json");
    writeFileSync(manifest, JSON.stringify(testManifest()));
    const io = captureIO({ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" }, fake.project);

    const code = await main(
      ["node", "deployctl", "rollback", "--manifest", manifest, "--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1", "--yes"],
      io,
    );

    expect(code).toBe(4);
    expect(io.err()).toContain(`cannot read delivery:services of stack staging: pulumi config get failed (exit 255): ${CHECKPOINT_ERROR}`);
    expect(io.err()).not.toContain("is not set");
  }, 30_000);

  it("reads a key the stack does not set as unset", async () => {
    const fake = fakePulumi(
      `case "$*" in *"stack select"*) exit 0;; esac\necho "error: configuration key 'delivery:services' not found for stack 'staging'" >&2\nexit 255`,
    );
    const stacks = automationStacks(fake.project, process.env);

    await expect(stacks.getConfig("staging", "delivery:services")).resolves.toBeUndefined();
  }, 30_000);

  it("rejects with PulumiCliError for any other failure of config get", async () => {
    const fake = fakePulumi(`case "$*" in *"stack select"*) exit 0;; esac\necho '${CHECKPOINT_ERROR}' >&2\nexit 255`);
    const stacks = automationStacks(fake.project, process.env);

    const err: unknown = await stacks.getConfig("staging", "delivery:services").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PulumiCliError);
    expect((err as PulumiCliError).message).toBe(`pulumi config get failed (exit 255): ${CHECKPOINT_ERROR}`);
    expect(existsSync(fake.project)).toBe(true);
  }, 30_000);
});
