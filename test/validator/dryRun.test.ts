import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DescribeServicesCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { SQSClient } from "@aws-sdk/client-sqs";
import { GetParametersByPathCommand } from "@aws-sdk/client-ssm";
import Ajv2020 from "ajv/dist/2020";
import { beforeEach, describe, expect, it } from "vitest";
import { reportJsonSchema } from "../../validators/render";
import { runValidateCommand, type ValidateFlags } from "../../validators/cli/commands/validate";
import { defaultCommandDeps } from "../../validators/cli/compose";
import { DRY_RUN_FOOTER, DRY_RUN_HEADER } from "../../validators/cli/options";
import { clientConfig } from "../../validators/providers/aws/clients";
import { SsmReleaseRegistry } from "../../validators/release";
import type { EcsManifestService } from "../../contract/manifest";
import type { ValidationReport } from "../../contract/report";
import type { RunRecord } from "../../validators/records/types";
import { FakeStacks } from "../release/support";
import { MOTO_CREDENTIALS } from "../support/moto";
import { topicWithQueue } from "../support/snsQueue";
import { type CapturedIO, captureIO } from "./support/io";
import { testManifest } from "./support/manifest";
import { CLUSTER, MotoWorld, useMotoWorld } from "./support/motoWorld";

/**
 * `validate --dry-run` and `--no-alert` through the command, against moto (ECS, Logs, CloudWatch,
 * SSM, SNS -> SQS): a service whose logs fail it, revision v1 recorded as its last good release.
 */
let world: MotoWorld;
let endpoint: string;
useMotoWorld((moto, w) => {
  world = w;
  endpoint = moto.endpoint;
});

let io: CapturedIO;
let stacks: FakeStacks;
let api: EcsManifestService;
let lastGoodArn: string;
let manifestFile: string;
let readSns: () => Promise<string[]>;

beforeEach(async () => {
  io = captureIO({ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" });
  stacks = FakeStacks.withTags({ api: "v2" });
  api = await world.healthy("api");
  await world.logs(api, ["ERROR connection refused by the database"]);
  const old = await world.clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "api",
      containerDefinitions: [{ name: "app", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:v1", cpu: 256, memory: 512 }],
    }),
  );
  lastGoodArn = old.taskDefinition?.taskDefinitionArn ?? "";
  await new SsmReleaseRegistry(world.clients.ssm).put({
    stack: "staging",
    service: "api",
    imageTag: "v1",
    taskDefinitionArn: lastGoodArn,
    validatedAt: "2026-12-01T09:00:00.000Z",
    runId: "run-0",
  });
  const sqs = new SQSClient(clientConfig({ region: "us-east-1", endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 }));
  const topics = {
    warning: await topicWithQueue({ sns: world.clients.sns, sqs }, "staging-warning"),
    critical: await topicWithQueue({ sns: world.clients.sns, sqs }, "staging-critical"),
  };
  readSns = async () => [...(await topics.warning.read()), ...(await topics.critical.read())].map((m) => m.Subject ?? "");
  manifestFile = join(io.cwd, "deployment.json");
  writeFileSync(
    manifestFile,
    JSON.stringify(testManifest([api], { alerts: { warningTopicArn: topics.warning.arn, criticalTopicArn: topics.critical.arn } })),
  );
});

function flags(more: Partial<ValidateFlags> = {}): ValidateFlags {
  return {
    manifest: manifestFile,
    output: "text",
    endpointUrl: endpoint,
    maxAttempts: 1,
    timeout: 5000,
    wait: 0,
    watch: 0,
    smoke: false,
    skip: ["latency"],
    confidence: 0.99,
    steps: true,
    rollback: false,
    record: true,
    lockTimeout: 0,
    rollbackWait: 0,
    ...more,
  };
}

const validate = (more: Partial<ValidateFlags>) =>
  runValidateCommand(flags(more), { io, setExitCode: () => undefined }, { ...defaultCommandDeps, stacks: () => stacks });

async function lastGoodParameters(): Promise<{ name: string; version: number }[]> {
  const out = await world.clients.ssm.send(new GetParametersByPathCommand({ Path: "/delivery", Recursive: true }));
  return (out.Parameters ?? []).map((p) => ({ name: p.Name ?? "", version: p.Version ?? 0 }));
}

async function runningTaskDefinition(): Promise<string | undefined> {
  const out = await world.clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [api.ecsService] }));
  return out.services?.[0]?.taskDefinition;
}

/** Every file under `dir`, by path. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("validate --rollback --dry-run", () => {
  it("prints the verdict, the alerts and the rollback it would make between dry-run lines, and changes nothing", async () => {
    const code = await validate({ rollback: true, dryRun: true });

    expect(code).toBe(1);
    const lines = io.out().trimEnd().split("\n");
    expect(lines[0]).toBe(DRY_RUN_HEADER);
    expect(lines[1]).toBe("(dry run) → rollback: find the release to restore (api)");
    expect(lines.at(-1)).toBe(DRY_RUN_FOOTER);
    const out = io.out();
    expect(out).toContain("Verdict: FAIL");
    expect(out).toContain("action alert sns for api: dry-run: would send warning alert for staging/api to sns\n");
    expect(out).toContain(`action rollback-fast-path api: dry-run: would roll api back to v1 (${lastGoodArn})\n`);
    expect(out).toContain("action config-set staging: dry-run: would set delivery:services[0].image.tag=v1\n");
    expect(out).toContain("action stack-update staging: dry-run: would run pulumi up for stack staging\n");
    expect(io.err()).toContain("deployctl: run record not written (dry run; would go to ");
    // Nothing sent, written or changed.
    expect(await readSns()).toEqual([]);
    expect(await lastGoodParameters()).toEqual([{ name: "/delivery/staging/api/last-good", version: 1 }]);
    expect(await runningTaskDefinition()).toBe(api.taskDefinitionArn);
    expect(stacks.changes()).toEqual([]);
    expect(filesUnder(join(io.cwd, ".delivery"))).toEqual([]);
  }, 60_000);

  it("says dryRun: true in JSON, with each would-be action's status dry-run", async () => {
    const code = await validate({ rollback: true, dryRun: true, output: "json" });

    expect(code).toBe(1);
    const report = JSON.parse(io.out()) as ValidationReport;
    expect(report.dryRun).toBe(true);
    const ajv = new Ajv2020({ allErrors: true });
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(ajv.validate(reportJsonSchema("validate"), report)).toBe(true);
    expect(report.verdict).toBe("fail");
    expect(report.actions.filter((a) => a.status !== "skipped").map((a) => [a.kind, a.target, a.status])).toEqual([
      ["rollback-fast-path", "api", "dry-run"],
      ["config-set", "staging", "dry-run"],
      ["stack-update", "staging", "dry-run"],
      ["alert", "sns", "dry-run"],
    ]);
    expect(await readSns()).toEqual([]);
    expect(await runningTaskDefinition()).toBe(api.taskDefinitionArn);
  }, 60_000);

  it("on a pass, lists the last good record it would write and writes none", async () => {
    const code = await validate({ dryRun: true, skip: ["latency", "logs"], output: "markdown" });

    expect(code).toBe(0);
    expect(io.out()).toMatch(/^> \*\*dry run: nothing is sent/);
    expect(io.out().trimEnd().endsWith(`> **${DRY_RUN_FOOTER}**`)).toBe(true);
    expect(io.out()).toContain("would record api v2 as last good (/delivery/staging/api/last-good)");
    expect(await lastGoodParameters()).toEqual([{ name: "/delivery/staging/api/last-good", version: 1 }]);
    expect(filesUnder(join(io.cwd, ".delivery"))).toEqual([]);
  }, 60_000);
});

describe("validate --no-alert", () => {
  it("publishes nothing and writes the run record with the alerts it held back", async () => {
    const code = await validate({ alert: false, output: "json" });

    expect(code).toBe(1);
    expect(await readSns()).toEqual([]);
    const records = filesUnder(join(io.cwd, ".delivery", "records")).filter((f) => !f.includes("state"));
    expect(records).toHaveLength(1);
    const record = JSON.parse(readFileSync(records[0] ?? "", "utf8")) as RunRecord;
    expect(record.actions.filter((a) => a.kind === "alert").map((a) => [a.target, a.status, a.message])).toEqual([
      ["sns", "skipped", "warning alert for staging/api not sent to sns (--no-alert)"],
    ]);
  }, 60_000);

  it("the same failing run without --no-alert or --dry-run publishes its warning, so the queues see what is sent", async () => {
    const code = await validate({});

    expect(code).toBe(1);
    expect(await readSns()).toEqual(["[WARNING] staging/api: fail"]);
  }, 60_000);
});
