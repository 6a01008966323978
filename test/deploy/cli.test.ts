import { GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../validators/cli/main";
import type { EcsManifest } from "../../contract/manifest";
import type { PulumiStacks } from "../../validators/providers/pulumi/stacks";
import { LOCK_TABLE_KEY } from "../../validators/lock";
import type { RunRecord } from "../../validators/records";
import { SsmReleaseRegistry } from "../../validators/release";
import type { ValidationReport } from "../../contract/report";
import { captureIO, type CliWorld, cliWorld } from "../release/cliWorld";
import { FakeStacks, report } from "../release/support";
import { useMoto } from "../support/moto";

// The Automation API needs the Pulumi CLI, and validate / gate are issue 4's: doubles stand in for them.
const doubles = vi.hoisted(() => ({
  stacks: undefined as PulumiStacks | undefined,
  /** Services that fail while they run this tag. */
  failing: {} as Record<string, string>,
  validated: [] as string[][],
}));
vi.mock("../../validators/providers/pulumi/stacks", () => ({ automationStacks: () => doubles.stacks }));
vi.mock("../../validators/validate/run", () => ({
  validate: async (options: { services?: string[]; manifest: EcsManifest }): Promise<ValidationReport> => {
    const services = options.services ?? [];
    doubles.validated.push(services);
    const tagOf = (name: string) => options.manifest.services.find((s) => s.name === name)?.imageTag;
    return report(
      Object.fromEntries(services.map((s) => [s, doubles.failing[s] !== undefined && doubles.failing[s] === tagOf(s) ? "fail" : "pass"])),
    );
  },
}));
vi.mock("../../validators/gate/run", () => ({ gate: async () => ({ verdict: "pass", services: [] }) }));

let dir: string;
let world: CliWorld;
let stacks: FakeStacks;

const moto = useMoto();
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "deploy-cli-"));
  world = await cliWorld(moto.endpoint, dir, ["api", "web"]);
  stacks = FakeStacks.withTags({ api: "sha-old0000", web: "sha-old0000" });
  // The stack's `deployment` output follows its config, as after `pulumi up`.
  stacks.getOutput = async () => ({
    ...world.manifest,
    services: world.manifest.services.map((s) => {
      const tag = stacks.services.find((x) => x.name === s.name)?.image.tag ?? s.imageTag;
      return { ...s, imageTag: tag, taskDefinitionArn: world.taskDefinitions[s.name]?.[tag === "sha-new1111" ? 1 : 0] ?? "" };
    }),
  });
  doubles.stacks = stacks;
  doubles.failing = {};
  doubles.validated = [];
  return () => rmSync(dir, { recursive: true, force: true });
});

const ENV = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", DELIVERY_ACTOR: "release-bot" };
async function deployctl(...args: string[]) {
  const io = captureIO(ENV, dir);
  const code = await main(["node", "deployctl", ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
}
const deployArgs = (...more: string[]) => [
  "deploy",
  "--manifest",
  world.manifestFile,
  "--endpoint-url",
  moto.endpoint,
  "--tag",
  "sha-new1111",
  "--yes",
  ...more,
];

describe("deployctl deploy", () => {
  it("deploys, records each service as last good in SSM, and exits 0", async () => {
    const { code, stdout } = await deployctl(...deployArgs());

    expect(code).toBe(0);
    expect(doubles.validated).toEqual([["api"], ["web"]]);
    expect(await new SsmReleaseRegistry(world.clients.ssm).get("staging", "web")).toMatchObject({
      imageTag: "sha-new1111",
      taskDefinitionArn: world.taskDefinitions.web?.[1],
      who: "release-bot",
    });
    expect(stdout).toContain(
      "deploy on stack staging: released (verdict pass, exit 0)\n  api              sha-old0000 -> sha-new1111\n  web              sha-old0000 -> sha-new1111\n",
    );
  });

  it("shows each stage with its state and elapsed time", async () => {
    const { stdout } = await deployctl(...deployArgs());

    expect(
      stdout
        .split("\n")
        .filter((l) => /^[→✓✗?-] /.test(l))
        .map((l) => l.replace(/\(\d+\.\d+s\)/, "(Ns)")),
    ).toEqual([
      "→ gate sha-new1111 for api, web",
      "✓ gate sha-new1111 for api, web: ok (Ns)",
      "→ update api to sha-new1111",
      "✓ update api to sha-new1111: ok (Ns) update 2",
      "→ validate api",
      "✓ validate api: ok (Ns) verdict pass",
      "→ update web to sha-new1111",
      "✓ update web to sha-new1111: ok (Ns) update 2",
      "→ validate web",
      "✓ validate web: ok (Ns) verdict pass",
      "→ record api, web as last good",
      "✓ record api, web as last good: ok (Ns)",
    ]);
  });

  it("writes the run record to the S3 history bucket and releases the DynamoDB lock", async () => {
    const { stdout } = await deployctl(...deployArgs());

    const keys = (
      await world.clients.s3.send(new ListObjectsV2Command({ Bucket: "delivery-history", Prefix: "staging/runs/" }))
    ).Contents?.map((o) => o.Key);
    expect(keys).toHaveLength(1);
    expect(stdout).toContain(`record: s3://delivery-history/${keys?.[0]}`);
    const lock = await world.clients.dynamodb.send(
      new GetItemCommand({ TableName: "delivery-locks", Key: { [LOCK_TABLE_KEY]: { S: "staging" } } }),
    );
    expect(lock.Item).toBeUndefined();
  });

  it("prints the run record as JSON with --output json, progress on stderr", async () => {
    const { code, stdout, stderr } = await deployctl(...deployArgs("--output", "json"));

    const record = JSON.parse(stdout) as RunRecord;
    expect(code).toBe(0);
    expect(record).toMatchObject({
      command: "deploy",
      stack: "staging",
      who: "release-bot",
      outcome: "released",
      verdict: "pass",
      exitCode: 0,
    });
    expect(record.services.map((s) => [s.name, s.tagBefore, s.tagAfter])).toEqual([
      ["api", "sha-old0000", "sha-new1111"],
      ["web", "sha-old0000", "sha-new1111"],
    ]);
    expect(stderr).toContain("→ gate sha-new1111 for api, web");
  });

  it("prints a markdown summary for CI with --output markdown, progress on stderr", async () => {
    const { code, stdout, stderr } = await deployctl(...deployArgs("--output", "markdown"));

    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe("### ✅ deployctl deploy: stack `staging` is **released** (verdict pass, exit 0)");
    expect(stdout).toContain(
      "| Service | Before | Deployed | After |\n|---|---|---|---|\n| api | sha-old0000 | sha-new1111 | sha-new1111 |\n| web | sha-old0000 | sha-new1111 | sha-new1111 |\n",
    );
    expect(stdout).toContain("| validate web | ok |");
    expect(stderr).toContain("→ validate web");
  });

  it("deploys the tags already in the stack config when --tag is not given", async () => {
    stacks.services[1]!.image.tag = "sha-new1111";

    const { code } = await deployctl(...deployArgs().filter((a) => a !== "--tag" && a !== "sha-new1111"));

    expect(code).toBe(0);
    expect(doubles.validated).toEqual([["web"]]);
    expect(stacks.changes().map((c) => c.op)).toEqual(["setConfig", "up"]);
    expect((await new SsmReleaseRegistry(world.clients.ssm).get("staging", "web"))?.imageTag).toBe("sha-new1111");
    expect(await new SsmReleaseRegistry(world.clients.ssm).get("staging", "api")).toBeUndefined();
  });

  it("rolls both services back on moto when the second fails, exit 1", async () => {
    await new SsmReleaseRegistry(world.clients.ssm).put({
      stack: "staging",
      service: "api",
      imageTag: "sha-old0000",
      taskDefinitionArn: world.taskDefinitions.api?.[0] ?? "",
      validatedAt: "2024-04-30T09:00:00.000Z",
      runId: "r0",
    });
    await new SsmReleaseRegistry(world.clients.ssm).put({
      stack: "staging",
      service: "web",
      imageTag: "sha-old0000",
      taskDefinitionArn: world.taskDefinitions.web?.[0] ?? "",
      validatedAt: "2024-04-30T09:00:00.000Z",
      runId: "r0",
    });
    doubles.failing = { web: "sha-new1111" };

    const { code, stdout } = await deployctl(...deployArgs());

    expect(code).toBe(1);
    const described = await world.clients.ecs.send(
      new DescribeServicesCommand({ cluster: "staging", services: ["staging-api", "staging-web"] }),
    );
    expect(described.services?.map((s) => s.taskDefinition)).toEqual([world.taskDefinitions.api?.[0], world.taskDefinitions.web?.[0]]);
    expect(stacks.services.map((s) => s.image.tag)).toEqual(["sha-old0000", "sha-old0000"]);
    expect(stdout).toContain("  api              sha-old0000 -> sha-new1111, rolled back to sha-old0000\n");
    expect(stdout).toContain("  rollback ok: web, api (web: errorRate failed)\n");
    expect(stdout).toMatch(/\n {2}alert sns for (api, )?web(, api)?: ok\n/);
  });

  it("publishes the run's delivery metrics to CloudWatch: Deployments and the running revision per service", async () => {
    const before = Date.now();

    const { code, stderr } = await deployctl(...deployArgs());

    expect(code).toBe(0);
    expect(stderr).not.toContain("warning");
    const query = (id: string, metric: string, service: string): MetricDataQuery => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: "Delivery",
          MetricName: metric,
          Dimensions: [
            { Name: "Stack", Value: "staging" },
            { Name: "Service", Value: service },
          ],
        },
        Period: 60,
        Stat: "Maximum",
      },
    });
    const out = await world.clients.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(before - 120_000),
        EndTime: new Date(Date.now() + 120_000),
        MetricDataQueries: [
          query("apiDeployments", "Deployments", "api"),
          query("apiRevision", "RunningRevision", "api"),
          query("webDeployments", "Deployments", "web"),
          query("webRevision", "RunningRevision", "web"),
          query("webRollbacks", "Rollbacks", "web"),
        ],
      }),
    );
    // Revision 2 of each family is the new release (release/cliWorld.ts).
    expect(Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id, r.Values]))).toEqual({
      apiDeployments: [1],
      apiRevision: [2],
      webDeployments: [1],
      webRevision: [2],
      webRollbacks: [0],
    });
  });

  it("exits 5 naming the holder when another run holds the stack", async () => {
    await world.clients.dynamodb.send(
      new PutItemCommand({
        TableName: "delivery-locks",
        Item: {
          [LOCK_TABLE_KEY]: { S: "staging" },
          who: { S: "ana@laptop" },
          what: { S: "rollback" },
          since: { S: "2030-01-01T10:00:00.000Z" },
          expires: { S: "2999-01-01T00:00:00.000Z" },
          expiresEpoch: { N: "32472144000" },
          ownerToken: { S: "t" },
        },
      }),
    );

    const { code, stderr } = await deployctl(...deployArgs());

    expect(code).toBe(5);
    expect(stderr).toBe("deployctl: stack staging is locked by ana@laptop (rollback) since 2030-01-01T10:00:00.000Z\n");
    expect(stacks.changes()).toEqual([]);
  });

  it("refuses to deploy without --yes when nobody can confirm, changing nothing", async () => {
    const { code, stderr } = await deployctl(...deployArgs().filter((a) => a !== "--yes"));

    expect(code).toBe(2);
    expect(stderr).toBe(
      "deployctl: deploy changes stack staging: pass --yes to confirm (stdin is not a terminal, so deployctl cannot ask).\n",
    );
    expect(stacks.changes()).toEqual([]);
  });

  it.each([
    [
      ["--tag", "-bad"],
      "deployctl: option '--tag <tag>' argument '-bad' is invalid. --tag is \"-bad\"; an image tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.",
    ],
    [["--service", "nope"], "deployctl: --service nope: no such service in stack staging; it has api, web."],
    [
      ["--wait", "soon"],
      "deployctl: option '--wait <duration>' argument 'soon' is invalid. --wait is \"soon\"; expected a duration such as 90s, 5m or 1h (a bare number is seconds), from 0s to 1h.",
    ],
  ])("refuses bad input %j with exit 2 and a message naming it", async (extra, message) => {
    const { code, stderr } = await deployctl(...deployArgs(...extra));

    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe(message);
    expect(stacks.changes()).toEqual([]);
  });

  it("documents its flags and exit codes in --help", async () => {
    const { code, stdout } = await deployctl("deploy", "--help");

    expect(code).toBe(0);
    for (const flag of [
      "--tag <tag>",
      "--service <name...>",
      "--yes",
      "--wait <duration>",
      "--lock-timeout <duration>",
      "--records-dir <dir>",
      "--output <format>",
      "--alert-window <duration>",
      "--escalate-after <runs>",
    ]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain("5  the stack is locked by another run");
  });
});
