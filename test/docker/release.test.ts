/**
 * deploy and rollback on a Docker stack against the REAL engine (`.ci/run` starts dockerd; without
 * an engine these tests fail in beforeAll): the same workflows and composition as ECS (the stack
 * lock file, run records and last good releases in `.delivery/`), a PulumiStacks double whose `up`
 * (re)creates the service's container with the configured tag (test/support/engineStacks.ts), so
 * deploy's validation judges real containers. The gate is ECS's: on Docker deploy goes on without it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDeployCommand, type DeployFlags } from "../../validators/cli/commands/deploy";
import { runRollbackCommand, type RollbackFlags } from "../../validators/cli/commands/rollback";
import { defaultReleaseDeps, type ReleaseCommandDeps } from "../../validators/cli/compose";
import type { RunRecord } from "../../validators/records/types";
import { LocalReleaseRegistry } from "../../validators/release/localRegistry";
import { freePort } from "../../fixtures/ports";
import { captureIO } from "../support/io";
import { buildAppImage, docker, ensureBaseImage, removeStack, requireEngine, uniqueStack } from "../support/docker";
import { EngineStacks } from "../support/engineStacks";

const REPO = "delivery-test/rapp";
const GOOD = `${REPO}:v1`;
/** Healthy, but its /cgi-bin/ok answers 500: the smoke check fails it. */
const BAD = `${REPO}:v2-500`;

const stacks: string[] = [];

/** Builds BAD from GOOD with /cgi-bin/ok answering 500. */
function buildFailingImage(): void {
  const dir = mkdtempSync(join(tmpdir(), "delivery-bad-"));
  writeFileSync(
    join(dir, "ok"),
    "#!/bin/sh\nprintf 'Status: 500 Internal Server Error\\r\\nContent-Type: text/plain\\r\\n\\r\\n'; echo failed\n",
    {
      mode: 0o755,
    },
  );
  writeFileSync(join(dir, "Dockerfile"), `FROM ${GOOD}\nCOPY ok /www/cgi-bin/ok\n`);
  docker(["build", "-q", "-t", BAD, "."], { cwd: dir });
}

async function world(tag: string) {
  const stack = uniqueStack("rel");
  stacks.push(stack);
  const cwd = mkdtempSync(join(tmpdir(), "deployctl-docker-release-"));
  const engine = new EngineStacks(stack, [{ name: "api", repository: REPO, tag, port: await freePort(), smokePaths: ["/cgi-bin/ok"] }]);
  const deps: ReleaseCommandDeps = {
    ...defaultReleaseDeps,
    stacks: () => engine,
    confirm: async () => undefined,
    // A short watchdog and smoke retries: the containers answer at once once healthy.
    validateSettings: {
      watchSeconds: 1,
      tuning: { smokeAttempts: 3, smokeAttemptIntervalSeconds: 1, watchIntervalSeconds: 0.5, rolloutPollSeconds: 1 },
    },
  };
  return { stack, cwd, engine, deps };
}

const common = { output: "json" as const, maxAttempts: 1, timeout: 5000, lockTimeout: 0, alertWindow: 3600, escalateAfter: 3 };

function running(stack: string): string {
  return docker(["ps", "--filter", `label=delivery.stack=${stack}`, "--format", "{{.Image}}"]);
}

function lastGood(cwd: string, stack: string): { imageTag: string; taskDefinitionArn: string }[] {
  const versions = JSON.parse(readFileSync(join(cwd, ".delivery", "last-good", stack, "api.json"), "utf8")) as { value: string }[];
  return versions.map((v) => JSON.parse(v.value) as { imageTag: string; taskDefinitionArn: string });
}

beforeAll(() => {
  requireEngine();
  ensureBaseImage();
  buildAppImage(GOOD, "serve");
  buildFailingImage();
}, 180_000);

afterAll(() => {
  for (const stack of stacks) removeStack(stack);
});

describe("deployctl deploy on a Docker stack", () => {
  it("deploys a good tag and records it as last good; a tag answering 500 is rolled back to the last good image", async () => {
    const { stack, cwd, engine, deps } = await world("v0-none");
    const deploy = async (tag: string) => {
      const io = captureIO({}, cwd);
      const flags: DeployFlags = { ...common, stack, tag, wait: 60, retries: 0, yes: true };
      const code = await runDeployCommand(flags, { io, setExitCode: () => undefined }, deps);
      return { code, record: JSON.parse(io.out()) as RunRecord, stderr: io.err() };
    };

    const good = await deploy("v1");
    expect(good.stderr).not.toContain("unexpected");
    expect([good.code, good.record.outcome, good.record.verdict]).toEqual([0, "released", "pass"]);
    expect(good.record.actions.filter((a) => a.kind !== "stage").map((a) => [a.kind, a.status])).toEqual([
      ["config-set", "ok"],
      ["stack-update", "ok"],
      ["record-last-good", "ok"],
    ]);
    expect(lastGood(cwd, stack)).toEqual([expect.objectContaining({ imageTag: "v1", taskDefinitionArn: GOOD })]);
    expect(running(stack)).toBe(GOOD);

    const bad = await deploy("v2-500");
    expect([bad.code, bad.record.outcome, bad.record.verdict]).toEqual([1, "rolled-back", "fail"]);
    const smoke = bad.record.validations[0]?.services[0]?.checks.find((c) => c.name === "smoke");
    expect(smoke?.status).toBe("fail");
    expect(smoke?.message).toContain("500");
    expect(bad.record.actions.filter((a) => a.kind !== "stage").map((a) => [a.kind, a.status])).toEqual([
      ["config-set", "ok"],
      ["stack-update", "ok"],
      ["rollback-fast-path", "ok"],
      ["config-set", "ok"],
      ["stack-update", "ok"],
    ]);
    expect(bad.record.validations.at(-1)?.verdict).toBe("pass");
    expect(engine.changes().slice(-4)).toEqual([
      { op: "setConfig", stack, values: [{ path: "delivery:services[0].image.tag", value: "v2-500" }] },
      { op: "up", stack, tags: { api: "v2-500" } },
      { op: "setConfig", stack, values: [{ path: "delivery:services[0].image.tag", value: "v1" }] },
      { op: "up", stack, tags: { api: "v1" } },
    ]);
    expect(running(stack)).toBe(GOOD);
    expect(lastGood(cwd, stack)).toHaveLength(1);
  }, 180_000);
});

describe("deployctl rollback on a Docker stack", () => {
  /** A stack whose config names BAD, running it, with GOOD recorded as last good. */
  async function onBadRelease() {
    const w = await world("v2-500");
    await w.engine.up(w.stack);
    await new LocalReleaseRegistry(join(w.cwd, ".delivery", "last-good")).put({
      stack: w.stack,
      service: "api",
      imageTag: "v1",
      taskDefinitionArn: GOOD,
      validatedAt: new Date().toISOString(),
      runId: "test",
      who: "test",
    });
    w.engine.calls.length = 0;
    return w;
  }

  async function rollback(w: Awaited<ReturnType<typeof onBadRelease>>, source: { stack?: string; manifest?: string }) {
    const io = captureIO({}, w.cwd);
    const flags: RollbackFlags = { ...common, ...source, reason: "test", wait: 60, yes: true };
    const code = await runRollbackCommand(flags, { io, setExitCode: () => undefined }, w.deps);
    return { code, record: JSON.parse(io.out()) as RunRecord, stderr: io.err() };
  }

  it("--stack: recreates the containers from the last good image, then sets the tag back and runs the stack update", async () => {
    const w = await onBadRelease();
    expect(running(w.stack)).toBe(BAD);

    const { code, record } = await rollback(w, { stack: w.stack });

    expect([code, record.outcome, record.verdict]).toEqual([0, "rolled-back", "pass"]);
    expect(record.actions.filter((a) => a.kind !== "stage").map((a) => [a.kind, a.status])).toEqual([
      ["rollback-fast-path", "ok"],
      ["config-set", "ok"],
      ["stack-update", "ok"],
    ]);
    expect(record.actions.find((a) => a.kind === "rollback-fast-path")?.message).toBe(`Recreated ${w.stack}-api-1 from ${GOOD}`);
    expect(w.engine.changes()).toEqual([
      { op: "setConfig", stack: w.stack, values: [{ path: "delivery:services[0].image.tag", value: "v1" }] },
      { op: "up", stack: w.stack, tags: { api: "v1" } },
    ]);
    expect(running(w.stack)).toBe(GOOD);
  }, 120_000);

  it("without a Pulumi CLI: the fast path still recreates the containers; the stack update is pending, exit 4", async () => {
    const w = await onBadRelease();
    const file = join(w.cwd, "deployment.json");
    writeFileSync(file, JSON.stringify(w.engine.manifest()));
    w.engine.cliMissing = true;

    const { code, record } = await rollback(w, { manifest: file });

    expect([code, record.outcome, record.exitCode]).toEqual([4, "error", 4]);
    expect(record.actions.filter((a) => a.kind !== "stage").map((a) => [a.kind, a.status])).toEqual([
      ["rollback-fast-path", "ok"],
      ["stack-update", "failed"],
    ]);
    expect(record.actions.find((a) => a.kind === "stack-update")?.message).toBe(
      `the stack update is pending: set the image tags back (api=v1) in the stack config of ${w.stack} and run pulumi up (no Pulumi CLI could run here)`,
    );
    expect(record.error).toBe(record.actions.find((a) => a.kind === "stack-update")?.message);
    expect(record.validations.at(-1)?.verdict).toBe("pass");
    expect(w.engine.changes()).toEqual([]);
    expect(running(w.stack)).toBe(GOOD);
  }, 120_000);
});
