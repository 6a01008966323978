import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { CreateRepositoryCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import Ajv2020 from "ajv/dist/2020";
import { beforeEach, describe, expect, it } from "vitest";
import { main } from "../../validators/cli/main";
import { gate, type GateOptions } from "../../validators/gate";
import { gateDeps } from "../../validators/cli/compose";
import { DRY_RUN_FOOTER, DRY_RUN_HEADER } from "../../validators/cli/options";
import { parseEcrImage } from "../../validators/providers/aws/ecrImages";
import type { EcsManifestService } from "../../contract/manifest";
import type { GateCheckName, GateReport } from "../../contract/report";
import { reportJsonSchema } from "../../validators/render";
import type { MotoServer } from "../support/moto";
import { captureIO } from "./support/io";
import { testManifest } from "./support/manifest";
import { MotoWorld, useMotoWorld } from "./support/motoWorld";

// Services of desired 3 with MOTO_ECS_SERVICE_RUNNING=3 are COMPLETED; desired 5 stays IN_PROGRESS.
let moto: MotoServer;
let world: MotoWorld;

useMotoWorld(
  (m, w) => {
    moto = m;
    world = w;
  },
  { freezeTasks: false },
);
beforeEach(async () => {});

const image = (tag: string) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { digest: `sha256:${tag}` },
    layers: [],
  });
async function pushImage(repository: string, tag: string): Promise<void> {
  await world.clients.ecr.send(new CreateRepositoryCommand({ repositoryName: repository })).catch(() => undefined);
  await world.clients.ecr.send(new PutImageCommand({ repositoryName: repository, imageTag: tag, imageManifest: image(tag) }));
}
async function recordLastGood(s: EcsManifestService): Promise<void> {
  const value = JSON.stringify({
    stack: "staging",
    service: s.name,
    imageTag: "v1",
    taskDefinitionArn: s.taskDefinitionArn,
    validatedAt: "2025-03-01T11:00:00.000Z",
    runId: "run-1",
    webhook: "https://hooks.example/secret",
  });
  await world.clients.ssm.send(new PutParameterCommand({ Name: `/delivery/staging/${s.name}/last-good`, Type: "String", Value: value }));
}
async function alarm(name: string, state: "ALARM" | "OK"): Promise<void> {
  await world.clients.cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: "AWS/ApplicationELB",
      MetricName: "HTTPCode_Target_5XX_Count",
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: "GreaterThanThreshold",
    }),
  );
  await world.clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: `test set ${state}` }));
}
/** A deployed service with a pushed image and a recorded last good release. */
async function readyService(name: string): Promise<EcsManifestService> {
  const s = await world.service(name);
  await pushImage(name, "v2");
  await pushImage(name, "v3");
  await recordLastGood(s);
  return s;
}
/** The gate with the ECS stack's observer (ECR, CloudWatch, ECS) and registry (SSM), as the CLI composes them. */
const runGate = (options: GateOptions) => gate(options, gateDeps(options.manifest, { clients: world.clients, cwd: tmpdir() }));
const statuses = (report: GateReport) => Object.fromEntries(report.services[0].checks.map((c) => [c.name, c.status]));
const check = (report: GateReport, name: GateCheckName) => report.services[0].checks.find((c) => c.name === name);

describe("gate against moto", () => {
  it("passes when the tag exists, no alarm fires, no rollout runs and a last good release exists", async () => {
    const api = await readyService("api");
    await alarm("delivery-staging-api-5xx", "OK");

    const report = await runGate({ manifest: testManifest([api]), tag: "v3" });

    expect(statuses(report)).toEqual({ image: "pass", alarms: "pass", rollout: "pass", lastGood: "pass" });
    expect(check(report, "image")?.message).toBe("Tag v3 exists in 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api.");
    expect(check(report, "lastGood")?.observed).toEqual({
      parameter: "/delivery/staging/api/last-good",
      found: true,
      imageTag: "v1",
      taskDefinitionArn: api.taskDefinitionArn,
      validatedAt: "2025-03-01T11:00:00.000Z",
      runId: "run-1",
    });
    expect(JSON.stringify(report)).not.toContain("hooks.example");
    expect(report.verdict).toBe("pass");
  });

  it("fails when the new tag is missing from the service's ECR repository", async () => {
    const api = await readyService("api");

    const report = await runGate({ manifest: testManifest([api]), tag: "v9" });

    expect(check(report, "image")).toMatchObject({
      status: "fail",
      message: "Tag v9 is missing from 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api: no image has that tag.",
    });
    expect(report.verdict).toBe("fail");
  });

  it("fails when an alarm of the stack is in ALARM, and ignores other stacks' alarms", async () => {
    const api = await readyService("api");
    await alarm("delivery-staging-api-5xx", "ALARM");
    await alarm("delivery-prod-api-5xx", "ALARM");
    // A stack whose name starts like this one's: same prefix, not this stack's services.
    await alarm("delivery-staging-eu-api-5xx", "ALARM");

    const report = await runGate({ manifest: testManifest([api]), tag: "v3" });

    expect(check(report, "alarms")).toMatchObject({
      status: "fail",
      message: "1 alarm of the stack in ALARM (delivery-staging-api-5xx): resolve the incident before deploying.",
      observed: { prefix: "delivery-staging-", inAlarm: ["delivery-staging-api-5xx"] },
    });
  });

  it("fails while a rollout is in progress", async () => {
    const api = await world.service("api", { desired: 5 });
    await pushImage("api", "v3");
    await recordLastGood(api);

    const report = await runGate({ manifest: testManifest([api]), tag: "v3" });

    expect(check(report, "rollout")?.status).toBe("fail");
    expect(check(report, "rollout")?.message).toMatch(
      /^Deployment ecs-svc\/\d+ of api-svc is still IN_PROGRESS \(3 of 5 running\): wait for it to finish\.$/,
    );
  });

  it("warns, and still passes, on a first deploy without a last good release", async () => {
    const api = await world.service("api");
    await pushImage("api", "v3");

    const report = await runGate({ manifest: testManifest([api]), tag: "v3" });

    expect(check(report, "lastGood")).toMatchObject({
      status: "warn",
      message: "No last good release at /delivery/staging/api/last-good: nothing to roll back to (expected on a first deploy).",
    });
    expect(report.verdict).toBe("pass");
  });

  it("skips the image check without a tag", async () => {
    const api = await readyService("api");

    const report = await runGate({ manifest: testManifest([api]) });

    expect(check(report, "image")).toMatchObject({
      status: "skipped",
      message: "Skipped: no --tag given, so there is no new image to look for.",
    });
  });
});

describe("deployctl gate", () => {
  const run = async (manifest: unknown, ...args: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), "gate-cli-"));
    writeFileSync(join(dir, "deployment.json"), JSON.stringify(manifest));
    const io = captureIO({ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" }, dir);
    const code = await main(
      ["node", "deployctl", "gate", "--stack", "staging", "--manifest", "deployment.json", "--endpoint-url", moto.endpoint, ...args],
      io,
    );
    return { code, stdout: io.out(), stderr: io.err() };
  };

  it("exits 0 and prints a report of the validation shape with the gate's check names", async () => {
    const api = await readyService("api");

    const { code, stdout } = await run(testManifest([api]), "--tag", "v3", "--output", "json");

    expect(code).toBe(0);
    const ajv = new Ajv2020({ allErrors: true });
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(ajv.validate(reportJsonSchema("gate"), JSON.parse(stdout))).toBe(true);
    expect(JSON.parse(stdout).services[0].checks.map((c: { name: string }) => c.name)).toEqual(["image", "alarms", "rollout", "lastGood"]);
  });

  it("exits 1 when the tag is missing", async () => {
    const api = await readyService("api");

    const { code, stdout } = await run(testManifest([api]), "--tag", "nope");

    expect(code).toBe(1);
    expect(stdout).toContain("image     fail");
  });

  it("with --dry-run, prints the same report between dry-run lines and exits as without it", async () => {
    const api = await readyService("api");

    const plain = await run(testManifest([api]), "--tag", "nope");
    const dry = await run(testManifest([api]), "--tag", "nope", "--dry-run");

    expect(dry.code).toBe(1);
    expect(plain.code).toBe(1);
    const lines = dry.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(DRY_RUN_HEADER);
    expect(lines.at(-1)).toBe(DRY_RUN_FOOTER);
    expect(
      lines
        .slice(1, -1)
        .join("\n")
        .replace(/\d+(\.\d+)? s\b/g, "<t>"),
    ).toBe(plain.stdout.trimEnd().replace(/\d+(\.\d+)? s\b/g, "<t>"));
  });

  it("with --dry-run --output json, says dryRun: true and stays valid against the published schema", async () => {
    const api = await readyService("api");

    const { code, stdout } = await run(testManifest([api]), "--tag", "v3", "--output", "json", "--dry-run");

    expect(code).toBe(0);
    const ajv = new Ajv2020({ allErrors: true });
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(ajv.validate(reportJsonSchema("gate"), JSON.parse(stdout))).toBe(true);
    expect(JSON.parse(stdout).dryRun).toBe(true);
  });

  it("exits 2 on a tag ECR could never hold", async () => {
    const { code, stderr } = await run(testManifest(), "--tag", "-bad tag");

    expect(code).toBe(2);
    expect(stderr).toBe(
      'deployctl: --tag is "-bad tag"; an image tag is 1 to 128 letters, digits, underscores, periods or dashes, not starting with a period or dash.\n',
    );
  });
});

describe("parseEcrImage", () => {
  it.each([
    [
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:v1",
      { registryId: "123456789012", region: "eu-west-1", repository: "api", uri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api" },
    ],
    [
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web@sha256:abc",
      {
        registryId: "123456789012",
        region: "us-east-1",
        repository: "team/web",
        uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web",
      },
    ],
    ["nginx:1.27", undefined],
    ["ghcr.io/org/app:v1", undefined],
  ])("parses %s", (image, expected) => {
    expect(parseEcrImage(image)).toEqual(expected);
  });
});
