import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../validators/cli/main";
import type { EcsManifest } from "../../contract/manifest";
import type { PulumiStacks } from "../../validators/providers/pulumi/stacks";
import type { RunRecord } from "../../validators/records";
import { SsmReleaseRegistry } from "../../validators/release";
import type { ValidationReport } from "../../contract/report";
import { captureIO, type CliWorld, cliWorld } from "../release/cliWorld";
import { FakeStacks, report } from "../release/support";
import { useMoto } from "../support/moto";
import { freePort } from "../../fixtures/ports";

/** `deployctl rollback`: an unreachable AWS is an operational error (exit 4); a rollback that ran and failed is exit 1. */
const doubles = vi.hoisted(() => ({ stacks: undefined as PulumiStacks | undefined }));
vi.mock("../../validators/providers/pulumi/stacks", () => ({ automationStacks: () => doubles.stacks }));
vi.mock("../../validators/validate/run", () => ({
  validate: async (options: { services?: string[]; manifest: EcsManifest }): Promise<ValidationReport> =>
    report(Object.fromEntries((options.services ?? []).map((s) => [s, "pass"]))),
}));

let dir: string;
let world: CliWorld;
let stacks: FakeStacks;

const moto = useMoto();
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "rollback-exit-"));
  world = await cliWorld(moto.endpoint, dir, ["api"], false);
  stacks = FakeStacks.withTags({ api: "sha-new1111" });
  stacks.getOutput = async () => world.manifest;
  doubles.stacks = stacks;
  return () => rmSync(dir, { recursive: true, force: true });
});

const ENV = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", DELIVERY_ACTOR: "oncall@laptop" };
async function deployctl(endpoint: string, ...more: string[]) {
  const io = captureIO(ENV, dir);
  const code = await main(
    ["node", "deployctl", "rollback", "--manifest", world.manifestFile, "--endpoint-url", endpoint, "--yes", ...more],
    io,
  );
  return { code, stdout: io.out(), stderr: io.err() };
}
const records = (): RunRecord[] => {
  const root = join(dir, ".delivery", "records", "staging");
  return readdirSync(root)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(root, f), "utf8")) as RunRecord);
};

describe("deployctl rollback's exit codes", () => {
  it.each([[[] as string[]], [["--service", "api"]]])(
    "is 4 (operational) when AWS is unreachable (closed port), args %j",
    async (args) => {
      const closed = `http://127.0.0.1:${await freePort()}`;

      const { code } = await deployctl(closed, "--max-attempts", "1", "--timeout", "2000", ...args);

      expect(code).toBe(4);
      expect(records().map((r) => [r.command, r.outcome, r.exitCode])).toEqual([["rollback", "error", 4]]);
      expect(records()[0]?.error).toContain("cannot read SSM parameter /delivery/staging/api/last-good");
      expect(stacks.changes()).toEqual([]);
    },
    60_000,
  );

  it("is 1 (rollback-failed) when the rollback ran and UpdateService failed", async () => {
    // The last good release names a task definition ECS does not know: UpdateService fails.
    await new SsmReleaseRegistry(world.clients.ssm).put({
      stack: "staging",
      service: "api",
      imageTag: "sha-old0000",
      taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api-gone:7",
      validatedAt: "2024-04-30T09:00:00.000Z",
      runId: "r0",
    });

    const { code, stdout } = await deployctl(moto.endpoint);

    expect(code).toBe(1);
    expect(stdout).toMatch(/UpdateService staging-api failed: /);
    expect(records().map((r) => [r.command, r.outcome, r.exitCode])).toEqual([["rollback", "rollback-failed", 1]]);
  }, 60_000);
});
