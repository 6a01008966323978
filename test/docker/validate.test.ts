/**
 * validate on a Docker stack against the REAL engine (`.ci/run` starts dockerd; without an engine
 * these tests fail in beforeAll, naming how to start one): the Docker runtime opened from the
 * manifest, containers started here with the program's labels, the same checks as ECS.
 */
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DockerManifest, DockerManifestService } from "../../contract/manifest";
import type { CheckResult, ValidationReport } from "../../contract/report";
import { openRuntime } from "../../validators/providers/open";
import type { AwsClients } from "../../validators/providers/aws/clients";
import { validate } from "../../validators/validate/run";
import { main } from "../../validators/cli/main";
import { captureIO } from "../support/io";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAppImage, docker, eventually, removeStack, requireEngine, runService, uniqueStack } from "../support/docker";

// No Pulumi CLI, whatever the machine has: every stack operation says so, as automationStacks does then.
vi.mock("../../validators/providers/pulumi/stacks", async () => {
  const { PulumiCliMissingError } = await import("../../validators/providers/pulumi/errors.js");
  const missing = async (): Promise<never> => {
    throw new PulumiCliMissingError("no `pulumi` executable on the PATH (test)", "update");
  };
  return { automationStacks: () => ({ getOutput: missing, getConfig: missing, setConfig: missing, up: missing }) };
});

const REPO = "delivery-test/vapp";
const GOOD = `${REPO}:v1`;
const CRASH = `${REPO}:crash`;
const OOM = `${REPO}:oom`;
const ERRORS = `${REPO}:errors`;
const STALE = `${REPO}:stale`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const stacks: string[] = [];

function dockerManifest(stack: string, service: Partial<DockerManifestService> = {}): DockerManifest {
  return {
    schemaVersion: 1,
    runtime: "docker",
    project: "delivery",
    stack,
    docker: { host: "unix:///var/run/docker.sock" },
    thresholds: {
      errorRateWarningPercent: 1,
      errorRateCriticalPercent: 5,
      minRequests: 1,
      p95LatencyMs: 1000,
      p99LatencyMs: 2000,
      windowSeconds: 600,
    },
    history: { prefix: stack },
    services: [
      { name: "api", image: REPO, imageTag: "v1", replicas: 1, url: "", healthPath: "/health", smokePaths: [], dependsOn: [], ...service },
    ],
  };
}

async function run(manifest: DockerManifest, watchSeconds = 1): Promise<ValidationReport> {
  return validate(
    {
      manifest,
      watchSeconds,
      tuning: {
        smokeAttempts: 2,
        smokeAttemptIntervalSeconds: 0.2,
        watchIntervalSeconds: 0.25,
        rolloutPollSeconds: 1,
        httpTimeoutMs: 3000,
      },
    },
    { runtime: openRuntime(manifest, {} as Pick<AwsClients, "ecs" | "cloudwatch" | "logs">) },
  );
}

function check(report: ValidationReport, name: string): CheckResult {
  const found = report.services[0]?.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} check in ${JSON.stringify(report)}`);
  return found;
}

async function healthy(stack: string): Promise<void> {
  await eventually("the container healthy", async () => {
    const out = docker(["ps", "--filter", `label=delivery.stack=${stack}`, "--format", "{{.Status}}"]);
    return out.includes("(healthy)") ? true : undefined;
  });
}

function newStack(): string {
  const stack = uniqueStack("val");
  stacks.push(stack);
  return stack;
}

beforeAll(() => {
  requireEngine();
  buildAppImage(GOOD, "serve");
  buildAppImage(CRASH, "crash");
  buildAppImage(OOM, "oom");
  buildAppImage(ERRORS, "errors");
  buildAppImage(STALE, "stale");
}, 180_000);

afterAll(() => {
  for (const stack of stacks) removeStack(stack);
});

describe("validate on a Docker stack", () => {
  it("passes a healthy service: rollout, containers, 5xx and latency from the smoke requests, smoke, logs", async () => {
    const stack = newStack();
    const port = await freePort();
    runService({ stack, service: "api", image: GOOD, hostPort: port, healthPath: "/health", restart: "on-failure:5" });
    await healthy(stack);
    const report = await run(dockerManifest(stack, { url: `http://127.0.0.1:${port}`, smokePaths: ["/cgi-bin/ok"] }));
    expect(report.services[0]?.checks.map((c) => [c.name, c.status])).toEqual([
      ["rollout", "pass"],
      ["tasks", "pass"],
      ["errorRate", "pass"],
      ["latency", "pass"],
      ["smoke", "pass"],
      ["logs", "pass"],
    ]);
    expect(report.verdict).toBe("pass");
    expect(check(report, "errorRate").message).toMatch(/^0 5xx of [5-9] requests/);
  }, 60_000);

  it("fails a crash loop, naming the restarts during the watch", async () => {
    const stack = newStack();
    runService({ stack, service: "api", image: CRASH, release: "v1", restart: "on-failure:50" });
    await eventually("the engine restarting the container", async () =>
      docker(["ps", "-a", "--filter", `label=delivery.stack=${stack}`, "--format", "{{.Status}}"]).startsWith("Restarting")
        ? true
        : undefined,
    );
    const manifest = dockerManifest(stack, { imageTag: "crash" });
    // The engine doubles its delay before each restart (100 ms, 200 ms, ... up to a minute), so a
    // 1 s watch that starts a few restarts in can see none: watch 10 s, which still sees the next.
    const report = await run(manifest, 10);
    const tasks = check(report, "tasks");
    expect(report.verdict).toBe("fail");
    expect(tasks.status).toBe("fail");
    expect(tasks.message).toMatch(/1 container restarted during the watch \(val-[^:]+-api-1: \d+ restarts?\)/);
    expect(check(report, "logs").status).toBe("fail");
  }, 60_000);

  it("fails a container killed out of memory, naming memory", async () => {
    const stack = newStack();
    runService({ stack, service: "api", image: OOM, memory: "16m" });
    await eventually("the container OOM-killed", async () => {
      const out = docker(["ps", "-a", "--filter", `label=delivery.stack=${stack}`, "--format", "{{.Status}}"]);
      return out.startsWith("Exited") ? true : undefined;
    });
    const report = await run(dockerManifest(stack, { imageTag: "oom" }));
    expect(check(report, "tasks").status).toBe("fail");
    expect(check(report, "tasks").message).toContain("OutOfMemory (container");
    expect(check(report, "tasks").message).toContain("with exit code 137");
    expect(check(report, "rollout").message).toContain("was killed out of memory");
  }, 60_000);

  it("fails ERROR lines in the containers' logs", async () => {
    const stack = newStack();
    runService({ stack, service: "api", image: ERRORS, healthPath: "/health" });
    await healthy(stack);
    const report = await run(dockerManifest(stack, { imageTag: "errors" }));
    expect(check(report, "tasks").status).toBe("pass");
    expect(check(report, "logs").status).toBe("fail");
    expect(check(report, "logs").message).toContain("ERROR");
  }, 60_000);

  it("fails 5xx answers, counted from the smoke requests themselves", async () => {
    const stack = newStack();
    const port = await freePort();
    runService({ stack, service: "api", image: GOOD, hostPort: port, healthPath: "/health" });
    await healthy(stack);
    const report = await run(dockerManifest(stack, { url: `http://127.0.0.1:${port}`, smokePaths: ["/cgi-bin/fail"] }), 0);
    expect(check(report, "errorRate").status).toBe("fail");
    expect(check(report, "errorRate").message).toMatch(/^2 5xx of 3 requests/);
    expect(check(report, "smoke").status).toBe("fail");
  }, 60_000);

  it("fails the rollout when the manifest's image is not in the engine", async () => {
    const stack = newStack();
    runService({ stack, service: "api", image: GOOD, healthPath: "/health" });
    await healthy(stack);
    const report = await run(dockerManifest(stack, { imageTag: "v9-never-built" }));
    expect(check(report, "rollout").status).toBe("fail");
    expect(check(report, "rollout").message).toContain(`image ${REPO}:v9-never-built is not in the engine`);
    expect(check(report, "rollout").message).toContain(`runs ${GOOD}`);
  }, 60_000);

  it("is inconclusive on traffic and latency when no request was made (no url), never a pass", async () => {
    const stack = newStack();
    runService({ stack, service: "api", image: GOOD, healthPath: "/health" });
    await healthy(stack);
    const report = await run(dockerManifest(stack));
    expect(check(report, "errorRate").status).toBe("inconclusive");
    expect(check(report, "latency").status).toBe("inconclusive");
    expect(check(report, "tasks").status).toBe("pass");
  }, 60_000);
});

describe("deployctl validate --manifest with a Docker manifest", () => {
  async function cli(manifest: DockerManifest, ...args: string[]) {
    return cliIn(undefined, manifest, ...args);
  }
  async function cliIn(cwd: string | undefined, manifest: DockerManifest, ...args: string[]) {
    const io = captureIO({}, cwd);
    const file = join(io.cwd, "deployment.json");
    writeFileSync(file, JSON.stringify(manifest));
    const code = await main(["node", "deployctl", "validate", "--manifest", file, "--watch", "0", ...args], io);
    return { code, stdout: io.out(), stderr: io.err() };
  }

  it("exits 0 with the same checks as ECS for a healthy service, and writes the run record", async () => {
    const stack = newStack();
    const port = await freePort();
    runService({ stack, service: "api", image: GOOD, hostPort: port, healthPath: "/health" });
    await healthy(stack);
    const { code, stdout, stderr } = await cli(dockerManifest(stack, { url: `http://127.0.0.1:${port}` }), "--output", "json");
    const report = JSON.parse(stdout) as ValidationReport;
    expect(report.services[0]?.checks.map((c) => c.name)).toEqual(["rollout", "tasks", "errorRate", "latency", "smoke", "logs"]);
    expect(report.verdict).toBe("pass");
    expect(code).toBe(0);
    expect(stderr).toMatch(/deployctl: run record \S+/);
  }, 60_000);

  it("--tail-lines reaches the logs check: the ERROR line before the last one is out of the judged tail", async () => {
    const stack = newStack();
    runService({ stack, service: "api", image: ERRORS, healthPath: "/health" });
    await healthy(stack);
    const logs = async (...args: string[]) => {
      const { stdout } = await cli(dockerManifest(stack, { imageTag: "errors" }), "--output", "json", "--no-record", ...args);
      return (JSON.parse(stdout) as ValidationReport).services[0]?.checks.find((c) => c.name === "logs");
    };

    const whole = await logs();
    const tail = await logs("--tail-lines", "1");

    expect([whole?.status, whole?.threshold.tailLinesPerStream, whole?.observed.errorLines]).toEqual(["fail", 100, 1]);
    expect([tail?.status, tail?.threshold.tailLinesPerStream, tail?.observed.errorLines, tail?.observed.linesJudged]).toEqual([
      "pass",
      1,
      0,
      1,
    ]);
  }, 60_000);

  it("--max-warnings reaches the logs check: three WARN lines fail by default and pass with --max-warnings 3", async () => {
    const stack = newStack();
    const port = await freePort();
    runService({ stack, service: "api", image: GOOD, hostPort: port, healthPath: "/health" });
    await healthy(stack);
    for (let i = 0; i < 3; i += 1) expect((await fetch(`http://127.0.0.1:${port}/cgi-bin/warn`)).status).toBe(200);
    const logs = async (...args: string[]) => {
      const { stdout } = await cli(dockerManifest(stack), "--output", "json", "--no-record", "--no-smoke", ...args);
      return (JSON.parse(stdout) as ValidationReport).services[0]?.checks.find((c) => c.name === "logs");
    };

    const strict = await logs();
    const lenient = await logs("--max-warnings", "3");

    expect([strict?.status, strict?.threshold.maxWarnLines, strict?.observed.warnLines]).toEqual(["fail", 2, 3]);
    expect([lenient?.status, lenient?.threshold.maxWarnLines, lenient?.observed.warnLines]).toEqual(["pass", 3, 3]);
  }, 60_000);

  it("exits 1 when a container crashed with an exit code", async () => {
    const stack = newStack();
    runService({ stack, service: "api", image: CRASH });
    await eventually("the container exited", async () =>
      docker(["ps", "-a", "--filter", `label=delivery.stack=${stack}`, "--format", "{{.Status}}"]).startsWith("Exited") ? true : undefined,
    );
    const { code, stdout } = await cli(dockerManifest(stack, { imageTag: "crash" }));
    expect(stdout).toContain("essential container");
    expect(stdout).toContain("exited with exit code 3");
    expect(code).toBe(1);
  }, 60_000);

  it("--retries 1: an unhealthy container is restarted through the engine, validated again and passes, with no rollback", async () => {
    const stack = newStack();
    const cwd = mkdtempSync(join(tmpdir(), "deployctl-docker-"));
    const id = runService({ stack, service: "api", image: STALE, healthPath: "/health" });
    await eventually("the stale container unhealthy", async () =>
      docker(["inspect", "--format", "{{.State.Health.Status}}", id]) === "unhealthy" ? true : undefined,
    );

    // No url: rollout, tasks (the container's health) and logs judge it. The validation after the restart
    // skips what this one skipped: without that it would be inconclusive on 5xx and latency.
    const { code, stdout } = await cliIn(
      cwd,
      dockerManifest(stack, { imageTag: "stale" }),
      "--skip",
      "errorRate",
      "latency",
      "smoke",
      "--rollback",
      "--retries",
      "1",
      "--output",
      "json",
    );

    const report = JSON.parse(stdout) as ValidationReport;
    expect(report.attempts?.map((a) => [a.attempt, a.action, a.verdict])).toEqual([
      [1, "validate", "fail"],
      [2, "force-new-deployment", "pass"],
    ]);
    expect(report.attempts?.[0]?.failingChecks).toEqual([
      { service: "api", check: "tasks", message: `1 container UNHEALTHY (${stack}-api-1).` },
    ]);
    expect(report.actions.filter((a) => a.status !== "skipped").map((a) => [a.kind, a.target, a.status])).toEqual([
      ["force-new-deployment", "api", "ok"],
      ["record-last-good", "api", "ok"],
    ]);
    expect([report.verdict, code]).toEqual(["pass", 0]);
    // The same container, restarted (not replaced), healthy now; its release is recorded as last good.
    expect(docker(["inspect", "--format", "{{.Config.Image}} {{.State.Health.Status}} {{.RestartCount}}", id])).toBe(`${STALE} healthy 0`);
    const stored = JSON.parse(readFileSync(join(cwd, ".delivery", "last-good", stack, "api.json"), "utf8")) as { value: string }[];
    expect(JSON.parse(stored[0]?.value ?? "{}")).toMatchObject({ stack, service: "api", imageTag: "stale" });
  }, 120_000);

  it("records the last good release on a pass, and --rollback puts its image back (fast path; stack update pending: exit 4)", async () => {
    const stack = newStack();
    const cwd = mkdtempSync(join(tmpdir(), "deployctl-docker-"));
    const port = await freePort();
    runService({ stack, service: "api", image: GOOD, hostPort: port, healthPath: "/health", restart: "on-failure:50" });
    await healthy(stack);
    const passed = await cliIn(cwd, dockerManifest(stack, { url: `http://127.0.0.1:${port}` }));
    expect(passed.code).toBe(0);
    const stored = JSON.parse(readFileSync(join(cwd, ".delivery", "last-good", stack, "api.json"), "utf8")) as { value: string }[];
    expect(JSON.parse(stored[0]?.value ?? "{}")).toMatchObject({ stack, service: "api", imageTag: "v1", taskDefinitionArn: GOOD });

    removeStack(stack);
    // The program publishes the same port for every release: the rollback's validation smokes it.
    runService({ stack, service: "api", image: CRASH, hostPort: port, healthPath: "/health", restart: "on-failure:50" });
    const { code, stdout } = await cliIn(
      cwd,
      dockerManifest(stack, { imageTag: "crash", url: `http://127.0.0.1:${port}` }),
      "--rollback",
      "--output",
      "json",
    );
    const report = JSON.parse(stdout) as ValidationReport;
    expect(report.verdict).toBe("fail");
    expect(report.actions.map((a) => [a.kind, a.status])).toEqual([
      ["rollback-fast-path", "ok"],
      ["stack-update", "failed"],
    ]);
    expect(report.actions[1]?.message).toContain("the stack update is pending: set the image tags back (api=v1)");
    expect(code).toBe(4);
    const image = docker(["ps", "--filter", `label=delivery.stack=${stack}`, "--format", "{{.Image}}"]);
    expect(image).toBe(GOOD);
  }, 120_000);
});
