import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runReport, serviceReport } from "../../contract/report";
import { writeReport } from "../../validators/cli/options";
import { ANSI } from "../../validators/render/colour";
import { renderRun } from "../../validators/render/deploy";
import { testManifest } from "../../fixtures/manifest";
import { freePort } from "../../fixtures/ports";
import { captureIO } from "../support/io";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "bin", "deployctl.js");

/** Spawns deployctl from its sources and closes its stdout before it writes anything. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, DEPLOYCTL_FROM_SOURCE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("deployctl on a pipe that closes early", () => {
  it("`deployctl validate --help | head -1` ends quietly: no EPIPE stack trace", async () => {
    const run = await runWithClosedStdout(["validate", "--help"]);

    expect(run).toEqual({ code: 0, stderr: "" });
  });
});

describe("colours", () => {
  const report = runReport(
    "staging",
    [
      serviceReport("api", [
        { name: "rollout", status: "pass", message: "COMPLETED", observed: {}, threshold: {} },
        { name: "tasks", status: "fail", message: "1 task stopped", observed: {}, threshold: {} },
      ]),
    ],
    new Date("2026-01-01T00:00:00Z"),
    new Date("2026-01-01T00:00:01Z"),
  );
  const printed = (env: NodeJS.ProcessEnv, stdoutIsTTY: boolean) => {
    const io = { ...captureIO(env), stdoutIsTTY };
    writeReport(io, report, "text", "validate");
    return io.out();
  };

  it("paints statuses and verdicts on a terminal, the padding outside the colour", () => {
    const out = printed({}, true);

    expect(out).toContain("api: \u001b[31mFAIL\u001b[0m\n");
    expect(out).toContain("  rollout  \u001b[32mpass\u001b[0m    COMPLETED\n");
    expect(out).toContain("  tasks    \u001b[31mfail\u001b[0m    1 task stopped\n");
    expect(out).toContain("Verdict: \u001b[31mFAIL\u001b[0m (");
  });

  it.each([
    ["on a terminal with NO_COLOR set", { NO_COLOR: "1" }, true],
    ["on a terminal with TERM=dumb", { TERM: "dumb" }, true],
    ["when piped", {}, false],
  ])("prints no colour %s", (_, env, tty) => {
    const out = printed(env, tty);

    expect(out).not.toContain("\u001b[");
    expect(out).toContain("  tasks    fail    1 task stopped\n");
  });

  it("the spawned CLI's stdout is a pipe: no escape codes", () => {
    const run = spawnSync(process.execPath, [BIN, "gate", "--help"], {
      cwd: ROOT,
      env: { ...process.env, DEPLOYCTL_FROM_SOURCE: "1" },
      encoding: "utf8",
    });

    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain("\u001b[");
  });
});

describe("the AWS SDK's Node version notice", () => {
  it("is silenced on an AWS command while other warnings still reach stderr", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sdk-notice-"));
    const manifest = join(dir, "deployment.json");
    writeFileSync(manifest, JSON.stringify(testManifest()));
    const preload = join(dir, "other-warning.js");
    writeFileSync(preload, `process.emitWarning("a warning that is not the SDK's", "OtherWarning");\n`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DEPLOYCTL_FROM_SOURCE: "1",
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
    };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const port = await freePort();

    const run = spawnSync(
      process.execPath,
      ["--require", preload, BIN, "gate", "--manifest", manifest, "--endpoint-url", `http://127.0.0.1:${port}`, "--max-attempts", "1"],
      { cwd: dir, env, encoding: "utf8", timeout: 60_000 },
    );

    expect(run.status).toBe(4);
    expect(run.stderr).toContain("OtherWarning: a warning that is not the SDK's");
    expect(run.stderr).not.toContain("NodeVersionSupportWarning");
    expect(run.stderr).not.toContain("The AWS SDK for JavaScript (v3)");
  });
});

describe("colours in a release command's summary", () => {
  const saved = {
    location: "/tmp/record.json",
    record: {
      command: "deploy",
      stack: "staging",
      outcome: "rolled-back",
      verdict: "fail",
      exitCode: 1,
      services: [],
      actions: [],
    },
  } as unknown as Parameters<typeof renderRun>[0];

  it("paints the outcome and the verdict on a terminal, nothing otherwise", () => {
    expect(renderRun(saved, "text", ANSI).split("\n")[0]).toBe(
      "deploy on stack staging: \u001b[33mrolled-back\u001b[0m (verdict \u001b[31mfail\u001b[0m, exit 1)",
    );
    expect(renderRun(saved, "text").split("\n")[0]).toBe("deploy on stack staging: rolled-back (verdict fail, exit 1)");
  });
});
