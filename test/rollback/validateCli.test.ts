import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../validators/cli/main";
import type { EcsManifest } from "../../contract/manifest";
import type { PulumiStacks } from "../../validators/providers/pulumi/stacks";
import { SsmReleaseRegistry } from "../../validators/release";
import type { ValidationReport, Verdict } from "../../contract/report";
import { captureIO, type CliWorld, cliWorld } from "../release/cliWorld";
import { FakeStacks, report } from "../release/support";
import { useMoto } from "../support/moto";

// `deployctl validate` end to end through main(): the verdicts come from a double (one per call, in
// order), everything after the verdict (SSM, ECS UpdateService, records) is real against moto, and
// the Automation API is a FakeStacks that records config edits and updates.
const doubles = vi.hoisted(() => ({ stacks: undefined as PulumiStacks | undefined, verdicts: [] as Verdict[] }));
vi.mock("../../validators/providers/pulumi/stacks", () => ({ automationStacks: () => doubles.stacks }));
vi.mock("../../validators/validate/run", () => ({
  validate: async (options: { services?: string[]; manifest: EcsManifest }): Promise<ValidationReport> => {
    const verdict = doubles.verdicts.shift() ?? "pass";
    const names = options.services ?? options.manifest.services.map((s) => s.name);
    return report(Object.fromEntries(names.map((s) => [s, verdict])));
  },
}));

let dir: string;
let world: CliWorld;
let stacks: FakeStacks;

const moto = useMoto();
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "validate-cli-"));
  world = await cliWorld(moto.endpoint, dir, ["api"], false);
  stacks = FakeStacks.withTags({ api: "sha-new1111" });
  doubles.stacks = stacks;
  // The service runs the new release (revision 2); the last good one is revision 1.
  await world.clients.ecs.send(
    new UpdateServiceCommand({ cluster: "staging", service: "staging-api", taskDefinition: world.taskDefinitions.api?.[1] }),
  );
  return () => rmSync(dir, { recursive: true, force: true });
});

async function validate(...more: string[]) {
  const io = captureIO({ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", DELIVERY_ACTOR: "ci" }, dir);
  const code = await main(
    ["node", "deployctl", "validate", "--manifest", world.manifestFile, "--endpoint-url", moto.endpoint, ...more],
    io,
  );
  return { code, stdout: io.out(), stderr: io.err() };
}
const registry = () => new SsmReleaseRegistry(world.clients.ssm);
const runningTaskDefinition = async () =>
  (await world.clients.ecs.send(new DescribeServicesCommand({ cluster: "staging", services: ["staging-api"] }))).services?.[0]
    ?.taskDefinition;

describe("deployctl validate after its verdict", () => {
  it("records a passing release as last good by default", async () => {
    doubles.verdicts = ["pass"];

    const { code } = await validate("--output", "json");

    expect(code).toBe(0);
    expect(await registry().get("staging", "api")).toMatchObject({
      imageTag: "sha-old0000",
      taskDefinitionArn: world.taskDefinitions.api?.[0],
    });
    expect(readdirSync(join(dir, ".delivery", "records", "staging")).filter((f) => f.endsWith(".json"))).toHaveLength(1);
  });

  it("records nothing as last good with --no-record, and still writes the run record", async () => {
    doubles.verdicts = ["pass"];

    await validate("--no-record");

    expect(await registry().get("staging", "api")).toBeUndefined();
    expect(readdirSync(join(dir, ".delivery", "records", "staging")).filter((f) => f.endsWith(".json"))).toHaveLength(1);
  });

  it("rolls a failing service back with --rollback: ECS first, then the stack config and an update", async () => {
    await registry().put({
      stack: "staging",
      service: "api",
      imageTag: "sha-old0000",
      taskDefinitionArn: world.taskDefinitions.api?.[0] ?? "",
      validatedAt: "2024-05-01T00:00:00.000Z",
      runId: "r0",
    });
    doubles.verdicts = ["fail", "pass"];

    const { code, stdout } = await validate("--rollback", "--output", "json");

    expect(code).toBe(1);
    expect(await runningTaskDefinition()).toBe(world.taskDefinitions.api?.[0]);
    expect(stacks.calls.filter((c) => c.op === "setConfig" || c.op === "up")).toEqual([
      { op: "setConfig", stack: "staging", values: [{ path: "delivery:services[0].image.tag", value: "sha-old0000" }] },
      { op: "up", stack: "staging", message: expect.stringMatching(/^deployctl rollback \S+: api: errorRate failed$/) },
    ]);
    const printed = JSON.parse(stdout) as ValidationReport;
    expect(printed.verdict).toBe("fail");
    expect(printed.actions.map((a) => a.kind)).toEqual(["rollback-fast-path", "config-set", "stack-update", "alert"]);
  });

  it("does not roll back without --rollback", async () => {
    await registry().put({
      stack: "staging",
      service: "api",
      imageTag: "sha-old0000",
      taskDefinitionArn: world.taskDefinitions.api?.[0] ?? "",
      validatedAt: "2024-05-01T00:00:00.000Z",
      runId: "r0",
    });
    doubles.verdicts = ["fail"];

    const { code } = await validate();

    expect(code).toBe(1);
    expect(await runningTaskDefinition()).toBe(world.taskDefinitions.api?.[1]);
    expect(stacks.calls.filter((c) => c.op === "setConfig" || c.op === "up")).toEqual([]);
  });

  it("never rolls back an inconclusive verdict", async () => {
    await registry().put({
      stack: "staging",
      service: "api",
      imageTag: "sha-old0000",
      taskDefinitionArn: world.taskDefinitions.api?.[0] ?? "",
      validatedAt: "2024-05-01T00:00:00.000Z",
      runId: "r0",
    });
    doubles.verdicts = ["inconclusive"];

    const { code } = await validate("--rollback");

    expect(code).toBe(3);
    expect(await runningTaskDefinition()).toBe(world.taskDefinitions.api?.[1]);
    expect(stacks.calls.filter((c) => c.op === "setConfig" || c.op === "up")).toEqual([]);
  });
});
