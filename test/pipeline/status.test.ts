import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CodePipelineClient,
  GetPipelineCommand,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  type ActionState,
  type PipelineExecutionSummary,
  type StageState,
} from "@aws-sdk/client-codepipeline";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../validators/cli/main";
import type { PipelineStatus } from "../../validators/pipeline";
import { captureIO } from "../analysis/captureIO";

const cp = mockClient(CodePipelineClient);
afterAll(() => cp.restore());

const ENV = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
const LATEST = "11111111-1111-1111-1111-111111111111";
const PREVIOUS = "00000000-0000-0000-0000-000000000000";
const at = (minute: number) => new Date(Date.UTC(2026, 0, 10, 10, minute, 0));
const before = new Date(Date.UTC(2026, 0, 9, 9, 0, 0));

const action = (name: string, runOrder = 1) => ({
  name,
  runOrder,
  actionTypeId: { category: "Build" as const, owner: "AWS" as const, provider: "CodeBuild", version: "1" },
});
const DEFINITION = {
  pipeline: {
    name: "delivery-dev",
    roleArn: "arn:aws:iam::123456789012:role/delivery-dev",
    version: 3,
    stages: [
      {
        name: "Source",
        actions: [
          {
            ...action("Source"),
            actionTypeId: { category: "Source" as const, owner: "AWS" as const, provider: "CodeStarSourceConnection", version: "1" },
          },
        ],
      },
      { name: "Build", actions: [action("Build-api"), action("Build-web")] },
      { name: "Test", actions: [action("Test-unit"), action("Test-security")] },
      { name: "Deploy", actions: [action("Deploy")] },
    ],
  },
};

const execution = (
  id: string,
  status: PipelineExecutionSummary["status"],
  start: Date,
  extra: Partial<PipelineExecutionSummary> = {},
): PipelineExecutionSummary => ({
  pipelineExecutionId: id,
  status,
  startTime: start,
  lastUpdateTime: new Date(start.getTime() + 5 * 60_000),
  trigger: { triggerType: "Webhook" },
  sourceRevisions: [
    { actionName: "Source", revisionId: "3f9c2a1d00000000000000000000000000000000", revisionSummary: "Fix the login page\n\nlonger text" },
  ],
  ...extra,
});

const ok = (name: string, minute: number, extra: ActionState["latestExecution"] = {}): ActionState => ({
  actionName: name,
  latestExecution: { status: "Succeeded", lastStatusChange: at(minute), ...extra },
});
const stage = (
  name: string,
  exec: string,
  status: NonNullable<StageState["latestExecution"]>["status"],
  actions: ActionState[],
): StageState => ({
  stageName: name,
  latestExecution: { pipelineExecutionId: exec, status },
  actionStates: actions,
});

function arrange(executions: PipelineExecutionSummary[], stages: StageState[] = []) {
  cp.on(GetPipelineCommand).resolves(DEFINITION);
  cp.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: executions });
  cp.on(GetPipelineStateCommand).resolves({ pipelineName: "delivery-dev", stageStates: stages });
}

async function status(...args: string[]) {
  const io = captureIO({ env: ENV });
  const code = await main(["node", "deployctl", "pipeline", "status", ...args], io);
  return { code, out: io.out(), err: io.err() };
}

const FAILED_STAGES = [
  stage("Source", LATEST, "Succeeded", [ok("Source", 1)]),
  stage("Build", LATEST, "Succeeded", [ok("Build-api", 4), ok("Build-web", 5)]),
  stage("Test", LATEST, "Failed", [
    {
      actionName: "Test-unit",
      latestExecution: {
        status: "Failed",
        lastStatusChange: at(9),
        errorDetails: { code: "JobFailed", message: "Build terminated with state: FAILED" },
        externalExecutionUrl: "https://console.aws.amazon.com/codebuild/build/unit-1",
        token: "approval-token-never-shown",
      },
    },
    ok("Test-security", 8),
  ]),
  stage("Deploy", PREVIOUS, "Succeeded", [{ actionName: "Deploy", latestExecution: { status: "Succeeded", lastStatusChange: before } }]),
];

describe("deployctl pipeline status (aws-sdk-client-mock)", () => {
  beforeEach(() => cp.reset());

  it("prints each stage and action of a failed execution with the failure message, and exits 1", async () => {
    arrange([execution(LATEST, "Failed", at(0), { statusSummary: "Action Test-unit failed" })], FAILED_STAGES);

    const result = await status("--stack", "dev");

    expect(result.code).toBe(1);
    expect(result.err).toBe("");
    expect(result.out).toBe(
      [
        `Pipeline delivery-dev (us-east-1): latest execution ${LATEST} Failed: Action Test-unit failed`,
        "  started 2026-01-10T10:00:00.000Z, updated 2026-01-10T10:05:00.000Z, trigger Webhook",
        '  source Source 3f9c2a1 "Fix the login page"',
        `  https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/delivery-dev/executions/${LATEST}/timeline?region=us-east-1`,
        "",
        "STAGE               ACTION         RUN  STATUS     CHANGED                   DETAILS",
        "Source (Succeeded)  Source         1    Succeeded  2026-01-10T10:01:00.000Z",
        "Build (Succeeded)   Build-api      1    Succeeded  2026-01-10T10:04:00.000Z",
        "                    Build-web      1    Succeeded  2026-01-10T10:05:00.000Z",
        "Test (Failed)       Test-unit      1    Failed     2026-01-10T10:09:00.000Z  JobFailed: Build terminated with state: FAILED https://console.aws.amazon.com/codebuild/build/unit-1",
        "                    Test-security  1    Succeeded  2026-01-10T10:08:00.000Z",
        "Deploy (NotRun)     Deploy         1    NotRun",
        "",
        "The latest execution failed: its change did not reach a validated release.",
        "",
      ].join("\n"),
    );
  });

  it("gives the same facts as JSON, without the approval token", async () => {
    arrange([execution(LATEST, "Failed", at(0))], FAILED_STAGES);

    const result = await status("--stack", "dev", "--output", "json");

    const json = JSON.parse(result.out) as PipelineStatus;
    expect(result.code).toBe(1);
    expect(json.failed).toBe(true);
    expect(json.stages.find((s) => s.name === "Test")).toEqual({
      name: "Test",
      status: "Failed",
      actions: [
        {
          name: "Test-unit",
          category: "Build",
          runOrder: 1,
          status: "Failed",
          lastStatusChange: "2026-01-10T10:09:00.000Z",
          summary: null,
          error: { code: "JobFailed", message: "Build terminated with state: FAILED" },
          externalUrl: "https://console.aws.amazon.com/codebuild/build/unit-1",
        },
        {
          name: "Test-security",
          category: "Build",
          runOrder: 1,
          status: "Succeeded",
          lastStatusChange: "2026-01-10T10:08:00.000Z",
          summary: null,
          error: null,
          externalUrl: null,
        },
      ],
    });
    expect(result.out).not.toContain("approval-token-never-shown");
  });

  it("exits 0 for a succeeded execution", async () => {
    arrange(
      [execution(LATEST, "Succeeded", at(0))],
      [
        stage("Source", LATEST, "Succeeded", [ok("Source", 1)]),
        stage("Build", LATEST, "Succeeded", [ok("Build-api", 4), ok("Build-web", 5)]),
        stage("Test", LATEST, "Succeeded", [ok("Test-unit", 8), ok("Test-security", 8)]),
        stage("Deploy", LATEST, "Succeeded", [ok("Deploy", 20)]),
      ],
    );

    const result = await status("--stack", "dev", "--output", "json");

    const json = JSON.parse(result.out) as PipelineStatus;
    expect(result.code).toBe(0);
    expect(json.stages.map((s) => [s.name, s.status, s.actions.map((a) => a.status)])).toEqual([
      ["Source", "Succeeded", ["Succeeded"]],
      ["Build", "Succeeded", ["Succeeded", "Succeeded"]],
      ["Test", "Succeeded", ["Succeeded", "Succeeded"]],
      ["Deploy", "Succeeded", ["Succeeded"]],
    ]);
    expect(json.failed).toBe(false);
  });

  it("shows an execution in progress, with actions that have not started yet as NotRun, and exits 0", async () => {
    arrange(
      [execution(LATEST, "InProgress", at(0))],
      [
        stage("Source", LATEST, "Succeeded", [ok("Source", 1)]),
        stage("Build", LATEST, "InProgress", [
          { actionName: "Build-api", latestExecution: { status: "InProgress", lastStatusChange: at(2), summary: "building" } },
          { actionName: "Build-web", latestExecution: { status: "Succeeded", lastStatusChange: before } },
        ]),
        stage("Test", PREVIOUS, "Succeeded", [ok("Test-unit", 0), ok("Test-security", 0)]),
      ],
    );

    const result = await status("--stack", "dev", "--output", "json");

    const json = JSON.parse(result.out) as PipelineStatus;
    expect(result.code).toBe(0);
    expect(json.stages.map((s) => [s.name, s.status, s.actions.map((a) => `${a.name}:${a.status}`)])).toEqual([
      ["Source", "Succeeded", ["Source:Succeeded"]],
      ["Build", "InProgress", ["Build-api:InProgress", "Build-web:NotRun"]],
      ["Test", "NotRun", ["Test-unit:NotRun", "Test-security:NotRun"]],
      ["Deploy", "NotRun", ["Deploy:NotRun"]],
    ]);
  });

  it("says so when the pipeline has never run, without reading stage states, and exits 0", async () => {
    arrange([]);

    const result = await status("--stack", "dev");

    expect(result).toEqual({ code: 0, out: "Pipeline delivery-dev (us-east-1): no executions yet.\n", err: "" });
    expect(cp.commandCalls(GetPipelineStateCommand)).toHaveLength(0);
  });

  it.each([
    ["Stopped", 1],
    ["Stopping", 1],
    ["Cancelled", 1],
    ["Superseded", 0],
    ["InProgress", 0],
  ])("exits %s -> %i", async (state, code) => {
    arrange([execution(LATEST, state as PipelineExecutionSummary["status"], at(0))], FAILED_STAGES);

    expect((await status("--stack", "dev")).code).toBe(code);
  });

  it("lists the newest executions it is asked for, newest first", async () => {
    arrange([execution(LATEST, "Failed", at(0)), execution(PREVIOUS, "Succeeded", before)], FAILED_STAGES);

    const result = await status("--stack", "dev", "--executions", "2", "--output", "json");

    expect(cp.commandCalls(ListPipelineExecutionsCommand)[0].args[0].input).toEqual({ pipelineName: "delivery-dev", maxResults: 2 });
    expect((JSON.parse(result.out) as PipelineStatus).executions.map((e) => [e.id, e.status])).toEqual([
      [LATEST, "Failed"],
      [PREVIOUS, "Succeeded"],
    ]);
  });

  it("reads the pipeline --pipeline names instead of <project>-<stack>", async () => {
    arrange([]);

    await status("--pipeline", "shop-checkout");

    expect(cp.commandCalls(GetPipelineCommand)[0].args[0].input).toEqual({ name: "shop-checkout" });
  });

  it("exits 4 naming the operation when access is denied", async () => {
    arrange([execution(LATEST, "Failed", at(0))]);
    cp.on(GetPipelineStateCommand).rejects(
      Object.assign(new Error("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: codepipeline:GetPipelineState"), {
        name: "AccessDeniedException",
      }),
    );

    const result = await status("--stack", "dev");

    expect([result.code, result.out]).toEqual([4, ""]);
    expect(result.err).toBe(
      `deployctl: CodePipeline GetPipelineState failed for pipeline "delivery-dev" in us-east-1: AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: codepipeline:GetPipelineState\n`,
    );
  });

  it.each([
    [[], "deployctl: pipeline status needs --stack <env> (or --pipeline NAME)\n"],
    [["--stack", "dev", "--executions", "0"], `deployctl: --executions is "0"; expected a whole number from 1 to 100\n`],
    [["--stack", "dev", "--region", "moon"], `deployctl: --region is "moon"; it must be an AWS region such as us-east-1.\n`],
    [
      ["--stack", "dev", "--endpoint-url", "localhost"],
      `deployctl: --endpoint-url is "localhost"; it must be an http(s) URL such as http://127.0.0.1:5000.\n`,
    ],
    [
      ["--pipeline", "bad name"],
      `deployctl: --pipeline is "bad name"; expected a pipeline name: 1 to 100 letters, digits, '.', '@', '_' or '-'\n`,
    ],
    [
      ["--stack", "dev", "--output", "yaml"],
      "deployctl: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are text, json, markdown.\n(run with --help for usage)\n",
    ],
  ])("exits 2 on bad input %j", async (args, message) => {
    const result = await status(...args);

    expect([result.code, result.err]).toEqual([2, message]);
    expect(cp.calls()).toHaveLength(0);
  });

  it("exits 2 when no region is given, set, or in the stack file (a folder without Pulumi.dev.yaml)", async () => {
    const io = captureIO({ env: {}, cwd: mkdtempSync(join(tmpdir(), "no-stack-file-")) });

    const code = await main(["node", "deployctl", "pipeline", "status", "--stack", "dev"], io);

    expect([code, io.err()]).toEqual([2, "deployctl: No AWS region: give --region, or set AWS_REGION.\n"]);
  });
});

describe("deployctl pipeline status takes the region like the other commands", () => {
  const CREDENTIALS = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
  const projectIn = (region: string) => {
    const dir = mkdtempSync(join(tmpdir(), "pipeline-region-"));
    writeFileSync(join(dir, "Pulumi.dev.yaml"), `config:\n  aws:region: ${region}\n`);
    return dir;
  };

  it("from aws:region in Pulumi.<stack>.yaml (no --region, no AWS_REGION)", async () => {
    arrange([execution(LATEST, "Succeeded", at(0))]);
    const io = captureIO({ env: CREDENTIALS, cwd: projectIn("eu-west-2") });

    const code = await main(["node", "deployctl", "pipeline", "status", "--stack", "dev", "--output", "json"], io);

    expect([code, io.err()]).toEqual([0, ""]);
    expect((JSON.parse(io.out()) as PipelineStatus).region).toBe("eu-west-2");
  });

  it("--region wins over the stack file, and --dir names the project folder", async () => {
    arrange([execution(LATEST, "Succeeded", at(0))]);
    const io = captureIO({ env: CREDENTIALS });

    const code = await main(
      [
        "node",
        "deployctl",
        "pipeline",
        "status",
        "--stack",
        "dev",
        "--dir",
        projectIn("eu-west-2"),
        "--region",
        "ap-south-1",
        "--output",
        "json",
      ],
      io,
    );

    expect([code, io.err()]).toEqual([0, ""]);
    expect((JSON.parse(io.out()) as PipelineStatus).region).toBe("ap-south-1");
  });
});

describe("deployctl pipeline status against an endpoint that does not answer", () => {
  it("exits 4 naming GetPipeline", async () => {
    cp.restore();
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const address = srv.address();
        srv.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const io = captureIO({ env: ENV });

    const code = await main(
      ["node", "deployctl", "pipeline", "status", "--stack", "dev", "--endpoint-url", `http://127.0.0.1:${port}`, "--max-attempts", "1"],
      io,
    );

    expect(code).toBe(4);
    expect(io.err()).toBe(
      `deployctl: CodePipeline GetPipeline failed for pipeline "delivery-dev" in us-east-1: Error: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    );
  });
});
