import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
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

const doubles = vi.hoisted(() => ({ stacks: undefined as PulumiStacks | undefined, validated: [] as string[][] }));
vi.mock("../../validators/providers/pulumi/stacks", () => ({ automationStacks: () => doubles.stacks }));
vi.mock("../../validators/validate/run", () => ({
  validate: async (options: { services?: string[]; manifest: EcsManifest }): Promise<ValidationReport> => {
    doubles.validated.push(options.services ?? []);
    return report(Object.fromEntries((options.services ?? []).map((s) => [s, "pass"])));
  },
}));

let dir: string;
let world: CliWorld;
let stacks: FakeStacks;

const moto = useMoto();
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "rollback-cli-"));
  // The local tier: no history bucket or lock table, so records and the lock live under the cwd.
  world = await cliWorld(moto.endpoint, dir, ["api", "web"], false);
  stacks = FakeStacks.withTags({ api: "sha-new1111", web: "sha-new1111" });
  stacks.getOutput = async () => world.manifest;
  doubles.stacks = stacks;
  doubles.validated = [];
  // The services run the new release (revision 2).
  for (const name of ["api", "web"]) {
    await world.clients.ecs.send(
      new UpdateServiceCommand({ cluster: "staging", service: `staging-${name}`, taskDefinition: world.taskDefinitions[name]?.[1] }),
    );
  }
  return () => rmSync(dir, { recursive: true, force: true });
});

const ENV = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", DELIVERY_ACTOR: "oncall@laptop" };
async function deployctl(...args: string[]) {
  const io = captureIO(ENV, dir);
  const code = await main(["node", "deployctl", ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
}
const rollbackArgs = (...more: string[]) => ["rollback", "--manifest", world.manifestFile, "--endpoint-url", moto.endpoint, ...more];
const lastGood = (service: string, tag: string, revision: 0 | 1) =>
  new SsmReleaseRegistry(world.clients.ssm).put({
    stack: "staging",
    service,
    imageTag: tag,
    taskDefinitionArn: world.taskDefinitions[service]?.[revision] ?? "",
    validatedAt: "2024-04-30T09:00:00.000Z",
    runId: "r0",
  });
const running = async () =>
  (
    await world.clients.ecs.send(new DescribeServicesCommand({ cluster: "staging", services: ["staging-api", "staging-web"] }))
  ).services?.map((s) => s.taskDefinition);

describe("deployctl rollback", () => {
  it("rolls every service off its last good release back to it, in reverse dependsOn order, exit 0", async () => {
    await lastGood("api", "sha-old0000", 0);
    await lastGood("web", "sha-old0000", 0);

    const { code, stdout } = await deployctl(...rollbackArgs());

    expect(code).toBe(0);
    expect(await running()).toEqual([world.taskDefinitions.api?.[0], world.taskDefinitions.web?.[0]]);
    expect(stacks.changes()).toEqual([
      {
        op: "setConfig",
        stack: "staging",
        values: [
          { path: "delivery:services[1].image.tag", value: "sha-old0000" },
          { path: "delivery:services[0].image.tag", value: "sha-old0000" },
        ],
      },
      { op: "up", stack: "staging", message: expect.stringMatching(/^deployctl rollback \S+: manual rollback \(by oncall@laptop\)$/) },
    ]);
    expect(doubles.validated).toEqual([["web", "api"]]);
    expect(stdout).toContain("rollback on stack staging: rolled-back (verdict pass, exit 0)");
  });

  it("rolls back only the services whose config is not on their last good tag", async () => {
    await lastGood("api", "sha-new1111", 1);
    await lastGood("web", "sha-old0000", 0);

    await deployctl(...rollbackArgs());

    expect(await running()).toEqual([world.taskDefinitions.api?.[1], world.taskDefinitions.web?.[0]]);
  });

  it("does nothing and exits 0 when every service runs its last good release", async () => {
    await lastGood("api", "sha-new1111", 1);
    await lastGood("web", "sha-new1111", 1);

    const { code, stdout } = await deployctl(...rollbackArgs());

    expect(code).toBe(0);
    expect(stdout).toContain("nothing to roll back: every service of stack staging already runs its last good release");
    expect(stacks.changes()).toEqual([]);
  });

  it("says there is nothing to roll back to, alerts critical and exits 1 without a last good release", async () => {
    const { code, stdout } = await deployctl(...rollbackArgs("--service", "api"));

    expect(code).toBe(1);
    expect(stdout).toContain("  why: no last good release of api in /delivery/staging/api/last-good: nothing to roll back to\n");
    expect(stdout).toContain("  alert sns for api: ok\n");
    expect(stacks.changes()).toEqual([]);
  });

  it("rolls back to a named validated tag with --to", async () => {
    await lastGood("api", "sha-old0000", 0);
    await lastGood("api", "sha-new1111", 1);

    const { code } = await deployctl(...rollbackArgs("--service", "api", "--to", "sha-old0000"));

    expect(code).toBe(0);
    expect((await running())?.[0]).toBe(world.taskDefinitions.api?.[0]);
  });

  it("refuses --to a tag that never passed validation, exit 2", async () => {
    await lastGood("api", "sha-old0000", 0);

    const { code, stderr } = await deployctl(...rollbackArgs("--service", "api", "--to", "sha-bad9999"));

    expect(code).toBe(2);
    expect(stderr).toBe(
      "deployctl: --to sha-bad9999: no validated release with this tag for api (validated tags: sha-old0000). Roll back only to a tag that passed validation.\n",
    );
  });

  it("still leaves a run record when the rollback stops on bad input", async () => {
    await lastGood("api", "sha-old0000", 0);

    await deployctl(...rollbackArgs("--service", "api", "--to", "sha-bad9999"));

    const files = readdirSync(join(dir, ".delivery", "records", "staging")).filter((f) => f.endsWith(".json"));
    expect(files).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(dir, ".delivery", "records", "staging", files[0] ?? ""), "utf8")) as RunRecord;
    expect(record).toMatchObject({
      command: "rollback",
      outcome: "refused",
      exitCode: 2,
      error: expect.stringContaining("--to sha-bad9999"),
    });
  });

  it("keeps the local tier's run record under .delivery/records/<stack> and prints it with --output json", async () => {
    await lastGood("api", "sha-old0000", 0);

    const { stdout } = await deployctl(...rollbackArgs("--service", "api", "--reason", "bad cache", "--output", "json"));

    const record = JSON.parse(stdout) as RunRecord;
    expect(record).toMatchObject({
      command: "rollback",
      who: "oncall@laptop",
      outcome: "rolled-back",
      rollback: { reason: "bad cache (by oncall@laptop)", services: ["api"], status: "ok" },
    });
    expect(readdirSync(join(dir, ".delivery", "records", "staging"))).toContain(`${record.runId}.json`);
  });
});
