import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import Ajv2020 from "ajv/dist/2020";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../validators/cli/main";
import type { EcsManifest } from "../../contract/manifest";
import type { GateOutcome } from "../../validators/workflows/deploy/gate";
import type { PulumiStacks } from "../../validators/providers/pulumi/stacks";
import { LOCK_TABLE_KEY } from "../../validators/lock";
import { SsmReleaseRegistry } from "../../validators/release";
import { captureIO, type CliWorld, cliWorld } from "../release/cliWorld";
import { FakeStacks } from "../release/support";
import { useMoto } from "../support/moto";

// `deploy --dry-run` (issue 13): the real composition against moto; the Pulumi stack and the gate are doubles.
const doubles = vi.hoisted(() => ({
  stacks: undefined as PulumiStacks | undefined,
  gate: { verdict: "pass", services: [] } as GateOutcome,
  gated: [] as { services: string[]; tag: string }[],
  validated: 0,
}));
vi.mock("../../validators/providers/pulumi/stacks", () => ({ automationStacks: () => doubles.stacks }));
vi.mock("../../validators/validate/run", () => ({
  validate: () => {
    doubles.validated += 1;
    throw new Error("a dry run never validates");
  },
}));
vi.mock("../../validators/gate/run", () => ({
  gate: async (request: { services: string[]; tag: string }) => {
    doubles.gated.push({ services: request.services, tag: request.tag });
    return doubles.gate;
  },
}));

let dir: string;
let world: CliWorld;
let stacks: FakeStacks;

const moto = useMoto();
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "deploy-dry-"));
  world = await cliWorld(moto.endpoint, dir, ["api", "web"]);
  stacks = FakeStacks.withTags({ api: "sha-old0000", web: "sha-old0000" });
  doubles.stacks = stacks;
  doubles.gate = { verdict: "pass", services: [] };
  doubles.gated = [];
  doubles.validated = 0;
  return () => rmSync(dir, { recursive: true, force: true });
});

const ENV = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", DELIVERY_ACTOR: "release-bot" };
async function deployctl(...args: string[]) {
  const io = captureIO(ENV, dir);
  const code = await main(["node", "deployctl", ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
}
const dryRun = (...more: string[]) => ["deploy", "--manifest", world.manifestFile, "--endpoint-url", moto.endpoint, "--dry-run", ...more];

/** Nothing a deploy changes was changed: stack config and updates, validations, run records, the lock, last good. */
async function expectNothingChanged(): Promise<void> {
  expect(stacks.changes()).toEqual([]);
  expect(doubles.validated).toBe(0);
  const runs = await world.clients.s3.send(new ListObjectsV2Command({ Bucket: "delivery-history", Prefix: "staging/" }));
  expect(runs.Contents ?? []).toEqual([]);
  const lock = await world.clients.dynamodb.send(
    new GetItemCommand({ TableName: "delivery-locks", Key: { [LOCK_TABLE_KEY]: { S: "staging" } } }),
  );
  expect(lock.Item).toBeUndefined();
  const registry = new SsmReleaseRegistry(world.clients.ssm);
  expect([await registry.get("staging", "api"), await registry.get("staging", "web")]).toEqual([undefined, undefined]);
}

/** Gives `api` a migration in the manifest file, as the stack would output it. */
function withApiMigration(): void {
  const m: EcsManifest = JSON.parse(readFileSync(world.manifestFile, "utf8")) as EcsManifest;
  const api = m.services[0];
  if (!api) throw new Error("no api");
  api.migration = {
    taskDefinitionFamily: "staging-api-migrate",
    taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-api-migrate:1",
    containerName: "api",
    repositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/delivery/api",
    subnets: ["subnet-1"],
    securityGroups: ["sg-1"],
    logGroup: "/ecs/staging/api-migrate",
    logStreamPrefix: "migrate",
    timeoutSeconds: 600,
    command: ["npm", "run", "migrate"],
  };
  writeFileSync(world.manifestFile, JSON.stringify(m));
}

describe("deployctl deploy --dry-run", () => {
  it("prints the gate, each service's stages in dependsOn order and what follows, between dry run lines, without --yes, and changes nothing", async () => {
    withApiMigration();

    const { code, stdout } = await deployctl(...dryRun("--tag", "sha-new1111", "--wait", "5m"));

    expect(code).toBe(0);
    expect(stdout.split("\n").filter((l) => !/^[→✓] gate/.test(l))).toEqual([
      "dry run: deploy sha-new1111 on stack staging (ecs); nothing is changed",
      "gate: pass",
      "1. api              sha-old0000 -> sha-new1111",
      "     migration: npm run migrate",
      "     - migrate: a one-off task of staging-api-migrate with the new image runs npm run migrate; it must exit 0 within 600s",
      "     - set delivery:services[0].image.tag = sha-new1111, then a stack update",
      "     - validate (wait up to 300s for the rollout)",
      "2. web              sha-old0000 -> sha-new1111",
      "     migration: none",
      "     - set delivery:services[1].image.tag = sha-new1111, then a stack update",
      "     - validate (wait up to 300s for the rollout)",
      "then, when every service passes: record api, web as last good",
      "a failure: roll the failing service and those deployed before it back to their last good release, in reverse order, and alert",
      "dry run: 2 services would deploy; nothing was changed (no lock, stack config, migration, stack update, record or alert)",
      "",
    ]);
    expect(doubles.gated).toEqual([{ services: ["api", "web"], tag: "sha-new1111" }]);
    await expectNothingChanged();
  });

  it("prints JSON with dryRun: true that its published schema accepts; --skip-migrations and --retries show in the plan", async () => {
    withApiMigration();

    const { code, stdout } = await deployctl(
      ...dryRun("--tag", "sha-new1111", "--service", "api", "--skip-migrations", "--retries", "2", "-o", "json"),
    );

    const doc = JSON.parse(stdout) as Record<string, unknown>;
    expect(code).toBe(0);
    expect(doc).toEqual({
      schemaVersion: 1,
      dryRun: true,
      command: "deploy",
      stack: "staging",
      runtime: "ecs",
      tag: "sha-new1111",
      outcome: "would-deploy",
      gate: { verdict: "pass", services: [] },
      services: [
        {
          service: "api",
          from: "sha-old0000",
          to: "sha-new1111",
          configPath: "delivery:services[0].image.tag",
          migration: "not run (--skip-migrations): npm run migrate",
          steps: [
            "set delivery:services[0].image.tag = sha-new1111, then a stack update",
            "validate (wait up to 600s for the rollout; up to 2 restart(s) on a failed health check)",
          ],
        },
      ],
      holdBack: [],
      skipMigrations: true,
      then: {
        pass: "record api as last good",
        fail: "roll the failing service and those deployed before it back to their last good release, in reverse order, and alert",
      },
      exitCode: 0,
    });
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const schema = JSON.parse(readFileSync(join(__dirname, "../../contract/outputs/deploy-plan.schema.json"), "utf8")) as object;
    expect(ajv.validate(schema, doc) ? [] : ajv.errors).toEqual([]);
    await expectNothingChanged();
  });

  it("says the deploy would be refused when the gate fails, exit 1, still changing nothing", async () => {
    doubles.gate = {
      verdict: "fail",
      services: [
        { name: "api", verdict: "fail", checks: [{ name: "image", status: "fail", message: "no image sha-new1111 in delivery/api" }] },
      ],
    };

    const { code, stdout } = await deployctl(...dryRun("--tag", "sha-new1111", "--service", "api"));

    expect(code).toBe(1);
    expect(stdout.split("\n").filter((l) => !/^[→✗] gate/.test(l))).toEqual([
      "dry run: deploy sha-new1111 on stack staging (ecs); nothing is changed",
      "gate: fail",
      "  api              image fail: no image sha-new1111 in delivery/api",
      "would refuse: the gate refuses: api: image failed (no image sha-new1111 in delivery/api)",
      "1. api              sha-old0000 -> sha-new1111",
      "     migration: none",
      "     - set delivery:services[0].image.tag = sha-new1111, then a stack update",
      "     - validate (wait up to 600s for the rollout)",
      "dry run: the deploy would be refused (exit 1); nothing was changed (no lock, stack config, migration, stack update, record or alert)",
      "",
    ]);
    await expectNothingChanged();
  });

  it("without --tag, plans the config's tags one service at a time: the later ones would first be held back", async () => {
    stacks.services[0]!.image.tag = "sha-new1111";
    stacks.services[1]!.image.tag = "sha-new2222";

    const { code, stdout } = await deployctl(...dryRun("-o", "json"));

    const doc = JSON.parse(stdout) as { services: { service: string; from: string; to: string }[]; holdBack: unknown[] };
    expect(code).toBe(0);
    expect(doc.services.map((s) => [s.service, s.from, s.to])).toEqual([
      ["api", "sha-old0000", "sha-new1111"],
      ["web", "sha-old0000", "sha-new2222"],
    ]);
    expect(doc.holdBack).toEqual([{ service: "web", path: "delivery:services[1].image.tag", tag: "sha-old0000" }]);
    expect(doubles.gated).toEqual([
      { services: ["api"], tag: "sha-new1111" },
      { services: ["web"], tag: "sha-new2222" },
    ]);
    await expectNothingChanged();
  });

  it("says there is nothing to deploy when every service runs its config's tag, without asking the gate, exit 0", async () => {
    const { code, stdout } = await deployctl(...dryRun("-o", "markdown"));

    expect(code).toBe(0);
    expect(stdout).toContain("dry run: deploy the tags in the stack config on stack staging (ecs); nothing is changed");
    expect(stdout).toContain("nothing to deploy: api, web already run the tags in the stack config");
    expect(stdout).toContain("dry run: nothing would deploy; nothing was changed");
    expect(doubles.gated).toEqual([]);
    await expectNothingChanged();
  });

  it("refuses an unknown --service as the deploy does, exit 2", async () => {
    const { code, stderr } = await deployctl(...dryRun("--tag", "sha-new1111", "--service", "nope"));

    expect(code).toBe(2);
    expect(stderr).toBe("deployctl: --service nope: no such service in stack staging; it has api, web.\n");
    await expectNothingChanged();
  });
});
