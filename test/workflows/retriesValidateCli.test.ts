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
import type { ValidateOptions } from "../../validators/validate/types";
import { captureIO, type CliWorld, cliWorld } from "../release/cliWorld";
import { check, FakeStacks, serviceReport } from "../release/support";
import { useMoto } from "../support/moto";

// `deployctl validate --rollback --retries` through main(): the verdicts come from a double (smoke
// failing, then passing), the restart (UpdateService forceNewDeployment), SSM and records are real against moto.
const doubles = vi.hoisted(() => ({
  stacks: undefined as PulumiStacks | undefined,
  smoke: [] as ("pass" | "fail")[],
  calls: [] as string[][],
  settings: [] as Record<string, unknown>[],
}));
vi.mock("../../validators/providers/pulumi/stacks", () => ({ automationStacks: () => doubles.stacks }));
vi.mock("../../validators/validate/run", () => ({
  validate: async (options: ValidateOptions & { manifest: EcsManifest }): Promise<ValidationReport> => {
    const names = options.services ?? options.manifest.services.map((s) => s.name);
    doubles.calls.push(names);
    const { watchSeconds, skip, confidence, windowSeconds, logPatterns } = options;
    doubles.settings.push({ watchSeconds, smoke: options.smoke, skip, confidence, windowSeconds, logPatterns });
    const smoke = doubles.smoke.shift() ?? "pass";
    const services = names.map((n) => serviceReport(n, [check("rollout", "pass"), check("smoke", smoke)]));
    const verdict = smoke === "pass" ? "pass" : "fail";
    return {
      schemaVersion: 1,
      stack: "staging",
      verdict,
      startedAt: "2024-05-01T10:00:00.000Z",
      finishedAt: "2024-05-01T10:01:00.000Z",
      services,
      actions: [],
    };
  },
}));

let dir: string;
let world: CliWorld;

const moto = useMoto();
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "retries-cli-"));
  world = await cliWorld(moto.endpoint, dir, ["api"], false);
  doubles.stacks = FakeStacks.withTags({ api: "sha-new1111" });
  doubles.calls = [];
  doubles.settings = [];
  await world.clients.ecs.send(
    new UpdateServiceCommand({ cluster: "staging", service: "staging-api", taskDefinition: world.taskDefinitions.api?.[1] }),
  );
  return () => rmSync(dir, { recursive: true, force: true });
});

async function validate(...more: string[]) {
  const io = captureIO({ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", DELIVERY_ACTOR: "ci" }, dir);
  const code = await main(
    ["node", "deployctl", "validate", "--manifest", world.manifestFile, "--endpoint-url", moto.endpoint, "--rollback-wait", "0", ...more],
    io,
  );
  return { code, stdout: io.out(), stderr: io.err() };
}

function runRecord(): RunRecord {
  const records = join(dir, ".delivery", "records", "staging");
  const [file] = readdirSync(records).filter((f) => f.endsWith(".json"));
  return JSON.parse(readFileSync(join(records, file ?? ""), "utf8")) as RunRecord;
}

describe("deployctl validate --rollback --retries", () => {
  it("forces a new ECS deployment of the same revision on a failed smoke check, validates again, and releases when it passes", async () => {
    doubles.smoke = ["fail", "pass"];

    const { code, stdout } = await validate("--rollback", "--retries", "2", "--output", "json");

    expect(code).toBe(0);
    expect(doubles.calls).toEqual([["api"], ["api"]]);
    const printed = JSON.parse(stdout) as ValidationReport;
    expect(printed.verdict).toBe("pass");
    expect(printed.attempts?.map((a) => [a.attempt, a.action, a.verdict])).toEqual([
      [1, "validate", "fail"],
      [2, "force-new-deployment", "pass"],
    ]);
    expect(printed.actions.filter((a) => a.kind === "force-new-deployment").map((a) => [a.target, a.status, a.message])).toEqual([
      ["api", "ok", `UpdateService staging-api forceNewDeployment (${world.taskDefinitions.api?.[1]})`],
    ]);
    expect(runRecord().attempts).toEqual(printed.attempts);
    const running = await world.clients.ecs.send(new DescribeServicesCommand({ cluster: "staging", services: ["staging-api"] }));
    expect(running.services?.[0]?.taskDefinition).toBe(world.taskDefinitions.api?.[1]);
    // Released: the manifest's release is recorded as last good (nothing rolled back).
    expect(await new SsmReleaseRegistry(world.clients.ssm).get("staging", "api")).toMatchObject({
      imageTag: "sha-old0000",
      taskDefinitionArn: world.taskDefinitions.api?.[0],
    });
  });

  it("validates again as the first validation did: --skip, --no-smoke, --watch, --confidence, --window and the log settings carry over", async () => {
    doubles.smoke = ["fail", "pass"];

    const { code } = await validate(
      ...["--rollback", "--retries", "1", "--skip", "latency", "--no-smoke", "--watch", "5s", "--confidence", "0.95", "--window", "5m"],
      ...["--error-pattern", "FATAL", "--tail-lines", "50", "--max-warnings", "4", "--output", "json"],
    );

    expect(code).toBe(0);
    expect(doubles.calls).toEqual([["api"], ["api"]]);
    expect(doubles.settings[0]).toEqual({
      watchSeconds: 5,
      smoke: false,
      skip: ["latency"],
      confidence: 0.95,
      windowSeconds: 300,
      logPatterns: { error: ["FATAL"], tailLines: 50, maxWarnings: 4 },
    });
    expect(doubles.settings[1]).toEqual(doubles.settings[0]);
  });

  it("with --rollback alone behaves as before: no restart, no attempts, straight to the rollback", async () => {
    doubles.smoke = ["fail", "pass"];

    const { code, stdout } = await validate("--rollback", "--output", "json");

    expect(code).toBe(1);
    expect(doubles.calls).toEqual([["api"]]);
    const printed = JSON.parse(stdout) as ValidationReport;
    expect("attempts" in printed).toBe(false);
    expect(printed.actions.some((a) => a.kind === "force-new-deployment")).toBe(false);
    expect("attempts" in runRecord()).toBe(false);
  });
});
