import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../validators/cli/main";
import type { EcsManifest } from "../../contract/manifest";
import { reportJsonSchema } from "../../validators/render";
import type { MotoServer } from "../support/moto";
import { closedPort } from "./support/httpServer";
import { captureIO } from "./support/io";
import { testManifest, testService } from "./support/manifest";
import { MotoWorld, useMotoWorld } from "./support/motoWorld";

// `--stack` reads the deployment output through the Automation API, which needs the Pulumi CLI:
// tests replace it with a double serving the manifest of the current test.
const pulumi = vi.hoisted(() => ({ outputs: {} as Record<string, unknown>, workDirs: [] as string[] }));
vi.mock("../../validators/providers/pulumi/stacks", () => ({
  automationStacks: (workDir: string) => {
    pulumi.workDirs.push(workDir);
    return {
      getOutput: async (stack: string, name: string) => (name === "deployment" ? pulumi.outputs[stack] : undefined),
      getConfig: () => Promise.reject(new Error("unexpected getConfig")),
      setConfig: () => Promise.reject(new Error("unexpected setConfig")),
      up: () => Promise.reject(new Error("unexpected up")),
    };
  },
}));

const CREDENTIALS = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" };
let moto: MotoServer;
let world: MotoWorld;
let dir: string;

useMotoWorld((m, w) => {
  moto = m;
  world = w;
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "validate-cli-"));
  pulumi.outputs = {};
  pulumi.workDirs = [];
});

const writeManifest = (manifest: unknown, name = "deployment.json") => {
  writeFileSync(join(dir, name), JSON.stringify(manifest));
  return name;
};
const deployctl = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const io = captureIO({ ...CREDENTIALS, ...env }, dir);
  const code = await main(["node", "deployctl", ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
};
const validateArgs = (file: string, ...more: string[]) => [
  "validate",
  "--manifest",
  file,
  "--endpoint-url",
  moto.endpoint,
  "--no-smoke",
  ...more,
];
const healthyManifest = async (): Promise<EcsManifest> => testManifest([await world.healthy("api")]);

describe("deployctl validate: exit codes and outputs", () => {
  it("exits 0 on pass and prints exactly one JSON document that matches the report schema", async () => {
    const file = writeManifest(await healthyManifest());

    const { code, stdout, stderr } = await deployctl(validateArgs(file, "--skip", "latency", "--output", "json"));

    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    const ajv = new Ajv2020({ allErrors: true });
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const valid = ajv.validate(reportJsonSchema("validate"), report);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(report).toMatchObject({ schemaVersion: 1, stack: "staging", verdict: "pass" });
    // What the verdict led to: the passing release recorded as last good.
    expect(report.actions.map((a: { kind: string; target?: string; status: string }) => [a.kind, a.target, a.status])).toEqual([
      ["record-last-good", "api", "ok"],
    ]);
    expect(report.services[0].checks.map((c: { name: string }) => c.name)).toEqual([
      "rollout",
      "tasks",
      "errorRate",
      "latency",
      "smoke",
      "logs",
    ]);
    expect(stderr).toContain("… Validating api of stack staging (cluster delivery-staging)");
  });

  it("exits 1 on fail", async () => {
    const api = await world.service("api");
    await world.runTasks(api, 3);
    await world.metrics(api, { requests: 100, errors5xx: 90 });
    await world.logs(api, []);
    const file = writeManifest(testManifest([api]));

    const { code, stdout } = await deployctl(validateArgs(file, "--skip", "latency", "--output", "json"));

    expect(code).toBe(1);
    expect(JSON.parse(stdout).verdict).toBe("fail");
  });

  it("exits 3 when there is too little data to judge", async () => {
    const api = await world.service("api");
    await world.runTasks(api, 3);
    await world.logs(api, []);
    const file = writeManifest(testManifest([api]));

    const { code, stdout } = await deployctl(validateArgs(file, "--skip", "latency", "--output", "json"));

    expect(code).toBe(3);
    expect(JSON.parse(stdout).verdict).toBe("inconclusive");
  });

  it("exits 4 and names the AWS operation when the endpoint is unreachable, printing the error document instead of a report", async () => {
    const file = writeManifest(testManifest());
    const port = await closedPort();

    const { code, stdout, stderr } = await deployctl([
      "validate",
      "--manifest",
      file,
      "--endpoint-url",
      `http://127.0.0.1:${port}`,
      "--max-attempts",
      "1",
      "--output",
      "json",
    ]);

    expect(code).toBe(4);
    // No report: the error document (issue 13), with the message people read on stderr.
    const doc = JSON.parse(stdout) as { schemaVersion: number; error: { exitCode: number; kind: string; message: string } };
    expect([doc.schemaVersion, doc.error.exitCode, doc.error.kind]).toEqual([1, 4, "operational"]);
    expect(doc.error.message).toMatch(/^ECS DescribeServices failed \(AWS unreachable\): .*ECONNREFUSED/);
    expect(stderr).toMatch(/^deployctl: ECS DescribeServices failed \(AWS unreachable\): .*ECONNREFUSED/m);
  });

  it("prints a table for people by default", async () => {
    const file = writeManifest(await healthyManifest());

    const { code, stdout } = await deployctl(validateArgs(file, "--skip", "latency"));

    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^deployctl validate: stack staging, 1 service\(s\), [\d.]+ s$/);
    expect(lines.slice(1, 4)).toEqual(["", "api: PASS", "  CHECK      STATUS   DETAILS"]);
    expect(lines[4].startsWith("  rollout    pass     Deployment ecs-svc/")).toBe(true);
    expect(stdout).toContain("\n  smoke      skipped  Skipped: smoke requests turned off (--no-smoke).\n");
    expect(stdout).toMatch(/\nVerdict: PASS \(4 pass, 2 skipped\)\n$/);
  });

  it("prints markdown and appends it to $GITHUB_STEP_SUMMARY", async () => {
    const file = writeManifest(await healthyManifest());
    const summary = join(dir, "summary.md");
    writeFileSync(summary, "# Earlier step\n");

    const { code, stdout } = await deployctl(validateArgs(file, "--skip", "latency", "--output", "markdown"), {
      GITHUB_STEP_SUMMARY: summary,
    });

    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe("### ✅ deployctl validate: stack `staging` is **pass**");
    expect(stdout).toContain("| Service | Check | Status | Details |");
    expect(readFileSync(summary, "utf8")).toBe(`# Earlier step\n${stdout}\n`);
  });

  it("reads the manifest from the stack's deployment output with --stack", async () => {
    pulumi.outputs.staging = await healthyManifest();

    const { code, stdout } = await deployctl([
      "validate",
      "--stack",
      "staging",
      "--endpoint-url",
      moto.endpoint,
      "--no-smoke",
      "--skip",
      "latency",
      "--output",
      "json",
    ]);

    expect(code).toBe(0);
    expect(JSON.parse(stdout).stack).toBe("staging");
    expect(pulumi.workDirs).toEqual([dir]);
  });

  it("honours AWS_ENDPOINT_URL from the environment", async () => {
    const file = writeManifest(await healthyManifest());

    const { code } = await deployctl(["validate", "--manifest", file, "--no-smoke", "--skip", "latency"], {
      AWS_ENDPOINT_URL: moto.endpoint,
    });

    expect(code).toBe(0);
  });

  it("validates only the services named with --service", async () => {
    const api = await world.healthy("api");
    const web = await world.service("web");
    const file = writeManifest(testManifest([api, web]));

    const { code, stdout } = await deployctl(validateArgs(file, "--skip", "latency", "--service", "api", "--output", "json"));

    expect(code).toBe(0);
    expect(JSON.parse(stdout).services.map((s: { name: string }) => s.name)).toEqual(["api"]);
  });
});

describe("deployctl validate: bad input exits 2 with a message naming the flag or field", () => {
  it.each([
    [["--window", "10"], '--window is "10"; expected a duration such as 90s, 5m or 1h (a bare number is seconds), from 1m to 1d.'],
    [["--wait", "-5"], '--wait is "-5"; expected a duration such as 90s, 5m or 1h (a bare number is seconds), from 0s to 1h.'],
    [["--since", "yesterday"], '--since is "yesterday"; it must be an ISO 8601 time such as 2025-01-31T12:00:00Z.'],
    [
      ["--since", "2025-01-31T12:00:00"],
      '--since is "2025-01-31T12:00:00"; it has no time zone, so it would be read in this machine\'s local time: add Z (UTC) or an offset, e.g. 2025-01-31T12:00:00Z.',
    ],
    [["--confidence", "99"], '--confidence is "99"; it must be a number between 0 and 1 (exclusive), such as 0.99.'],
    [["--skip", "cpu"], "argument 'cpu' is invalid. Allowed choices are rollout, tasks, errorRate, latency, smoke, logs."],
    [["--output", "xml"], "argument 'xml' is invalid. Allowed choices are text, json, markdown."],
    [["--service", "nope"], "deployctl: --service nope: no such service in stack staging; its services are api."],
    [["--endpoint-url", "not a url"], 'deployctl: --endpoint-url is "not a url"; it must be an http(s) URL such as http://127.0.0.1:5000.'],
  ])("%j", async (args, message) => {
    const file = writeManifest(testManifest());

    const { code, stderr, stdout } = await deployctl(["validate", "--manifest", file, ...args]);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stdout).toBe("");
  });

  it("names the manifest file, field, value and what is allowed", async () => {
    const file = writeManifest(
      { ...testManifest([testService("api", { loadBalancer: "my-alb" })]), thresholds: { ...testManifest().thresholds, minRequests: -1 } },
      "bad.json",
    );

    const { code, stderr } = await deployctl(["validate", "--manifest", file]);

    expect(code).toBe(2);
    expect(stderr).toBe(
      "deployctl: bad.json: thresholds.minRequests is -1; it must be at least 0.\n" +
        'bad.json: services[0].loadBalancer is "my-alb"; it must be an application load balancer\'s ARN suffix: app/, its name, /, its id in lowercase letters and digits (e.g. app/delivery-staging/0123456789abcdef).\n',
    );
  });

  it("asks for a manifest when neither --stack nor --manifest is given", async () => {
    const { code, stderr } = await deployctl(["validate"]);

    expect(code).toBe(2);
    expect(stderr).toBe("deployctl: No manifest: give --stack NAME (reads its deployment output) or --manifest FILE.\n");
  });
});
