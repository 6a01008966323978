import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../validators/cli/main";
import { runRollbackCommand, type RollbackFlags } from "../../validators/cli/commands/rollback";
import { defaultReleaseDeps } from "../../validators/cli/compose";
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
const rollbackArgs = (...more: string[]) => [
  "rollback",
  "--manifest",
  world.manifestFile,
  "--endpoint-url",
  moto.endpoint,
  "--yes",
  ...more,
];
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

  it("refuses to roll back without --yes when nobody can confirm, exit 2 naming --yes, changing nothing", async () => {
    await lastGood("api", "sha-old0000", 0);
    await lastGood("web", "sha-old0000", 0);

    const { code, stderr } = await deployctl(...rollbackArgs().filter((a) => a !== "--yes"));

    expect(code).toBe(2);
    expect(stderr).toBe(
      "deployctl: rollback changes stack staging: pass --yes to confirm (stdin is not a terminal, so deployctl cannot ask).\n",
    );
    expect(stacks.changes()).toEqual([]);
    expect(await running()).toEqual([world.taskDefinitions.api?.[1], world.taskDefinitions.web?.[1]]);
  });

  describe("asks before rolling back (without --yes, on a terminal)", () => {
    async function answering(answer: boolean, more: Partial<RollbackFlags> = {}) {
      await lastGood("api", "sha-old0000", 0);
      await lastGood("web", "sha-old0000", 0);
      const questions: string[] = [];
      const io = captureIO(ENV, dir);
      const flags: RollbackFlags = {
        manifest: world.manifestFile,
        endpointUrl: moto.endpoint,
        output: "text",
        maxAttempts: 1,
        timeout: 5000,
        lockTimeout: 0,
        alertWindow: 3600,
        escalateAfter: 3,
        reason: "manual rollback",
        wait: 60,
        yes: false,
        ...more,
      };
      const code = await runRollbackCommand(
        flags,
        { io, setExitCode: () => undefined },
        { ...defaultReleaseDeps, confirm: async (q) => (questions.push(q), answer) },
      );
      return { code, questions, stderr: io.err() };
    }

    it("changes nothing and exits 1 when the answer is no", async () => {
      const { code, questions, stderr } = await answering(false);

      expect(code).toBe(1);
      expect(questions).toEqual(["Roll back stack staging (every service not on its last good release) to the last good release?"]);
      expect(stderr).toContain("deployctl: rollback cancelled; nothing changed.\n");
      expect(stacks.changes()).toEqual([]);
      expect(await running()).toEqual([world.taskDefinitions.api?.[1], world.taskDefinitions.web?.[1]]);
    });

    it("names the services, in the order they roll back, and rolls back when the answer is yes", async () => {
      const { code, questions } = await answering(true, { service: ["api", "web"], to: "sha-old0000" });

      expect(code).toBe(0);
      expect(questions).toEqual(["Roll back stack staging (web, api) to sha-old0000?"]);
      expect(await running()).toEqual([world.taskDefinitions.api?.[0], world.taskDefinitions.web?.[0]]);
    });
  });

  describe("--dry-run", () => {
    const recordsDir = () => join(dir, ".delivery", "records");
    const locksDir = () => join(dir, ".delivery", "locks");
    const parameterVersions = async (service: string) =>
      (await new SsmReleaseRegistry(world.clients.ssm).history("staging", service)).length;

    it("prints which services would go back to which release and why, between dry run lines, and changes nothing", async () => {
      await lastGood("api", "sha-old0000", 0);
      await lastGood("web", "sha-old0000", 0);

      const { code, stdout } = await deployctl(...rollbackArgs("--dry-run").filter((a) => a !== "--yes"));

      expect(code).toBe(0);
      expect(stdout).toBe(
        [
          "dry run: rollback on stack staging; nothing is changed",
          `  web              sha-new1111 -> sha-old0000 (${world.taskDefinitions.web?.[0]})`,
          "    why: its config names sha-new1111; its last good release, validated 2024-04-30T09:00:00.000Z (run r0)",
          `  api              sha-new1111 -> sha-old0000 (${world.taskDefinitions.api?.[0]})`,
          "    why: its config names sha-new1111; its last good release, validated 2024-04-30T09:00:00.000Z (run r0)",
          "would run, in this order: the fast path (each service back to its release), then the stack config's image tags and one stack update, then validate again",
          "dry run: 2 services would roll back; nothing was changed (no rollout, stack config, stack update, lock, run record or alert)",
          "",
        ].join("\n"),
      );
      expect(stacks.changes()).toEqual([]);
      expect(await running()).toEqual([world.taskDefinitions.api?.[1], world.taskDefinitions.web?.[1]]);
      expect(doubles.validated).toEqual([]);
      expect([existsSync(recordsDir()), existsSync(locksDir())]).toEqual([false, false]);
      expect([await parameterVersions("api"), await parameterVersions("web")]).toEqual([1, 1]);
    });

    it("says why a service has nothing to roll back to and exits 1 as the real run would, with JSON dryRun: true", async () => {
      await lastGood("web", "sha-old0000", 0);

      const { code, stdout } = await deployctl(...rollbackArgs("--dry-run", "--service", "api", "--service", "web", "-o", "json"));

      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toEqual({
        schemaVersion: 1,
        dryRun: true,
        command: "rollback",
        stack: "staging",
        withMigrations: false,
        services: [
          {
            service: "web",
            tagBefore: "sha-new1111",
            tagAfter: "sha-old0000",
            release: world.taskDefinitions.web?.[0],
            validatedAt: "2024-04-30T09:00:00.000Z",
            why: "named with --service; its last good release, validated 2024-04-30T09:00:00.000Z (run r0)",
          },
          {
            service: "api",
            tagBefore: "sha-new1111",
            why: "no last good release of api in /delivery/staging/api/last-good: nothing to roll back to",
          },
        ],
        exitCode: 1,
      });
      expect(stacks.changes()).toEqual([]);
      expect(existsSync(recordsDir())).toBe(false);
    });

    it("ends its text with the service that has nothing to roll back to", async () => {
      await lastGood("web", "sha-old0000", 0);

      const { code, stdout } = await deployctl(...rollbackArgs("--dry-run", "--service", "api", "--service", "web"));

      expect(code).toBe(1);
      expect(stdout.trimEnd().split("\n").at(-1)).toBe(
        "dry run: 1 service would roll back; api has nothing to roll back to, so the rollback would fail (exit 1); nothing was changed (no rollout, stack config, stack update, lock, run record or alert)",
      );
      expect(stacks.changes()).toEqual([]);
    });

    it("refuses --to a tag that never passed validation, as the real run does (exit 2)", async () => {
      await lastGood("api", "sha-old0000", 0);

      const { code, stderr } = await deployctl(...rollbackArgs("--dry-run", "--service", "api", "--to", "sha-bad9999"));

      expect(code).toBe(2);
      expect(stderr).toContain("--to sha-bad9999: no validated release with this tag for api (validated tags: sha-old0000).");
      expect(existsSync(recordsDir())).toBe(false);
    });
  });
});
