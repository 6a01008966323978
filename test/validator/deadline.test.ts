import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { main } from "../../validators/cli/main";
import { DEADLINE_GRACE_MS } from "../../validators/cli/deadline";
import { type HangingServer, startHangingServer } from "./support/hangingServer";
import { captureIO } from "./support/io";
import { testManifest } from "./support/manifest";

let server: HangingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const manifestFile = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "deadline-"));
  const file = join(dir, "deployment.json");
  writeFileSync(file, JSON.stringify(testManifest()));
  return file;
};

/** Runs a command against an endpoint that never answers, with AWS request timeouts far beyond the deadline. */
const run = async (args: string[]) => {
  server = await startHangingServer();
  const io = captureIO({ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_REGION: "eu-west-1" });
  const started = Date.now();
  const code = await main(["node", "deployctl", ...args, "--endpoint-url", server.url, "--timeout", "120000", "--deadline", "2s"], io);
  return { code, stderr: io.err(), stdout: io.out(), elapsedMs: Date.now() - started, cwd: io.cwd };
};

// The deadline (2 s), the grace the command's own races never need, and loading the command on a busy machine.
const LIMIT_MS = 2_000 + DEADLINE_GRACE_MS + 3_000;

describe("--deadline against an AWS endpoint that never answers (request timeout 120 s)", () => {
  it("ends validate with exit 4 naming the deadline and what was running", async () => {
    const { code, stderr, elapsedMs } = await run(["validate", "--manifest", manifestFile(), "--no-smoke"]);

    expect(code).toBe(4);
    expect(stderr).toMatch(/^deployctl: --deadline 2s passed while .+; the command stopped\n$/m);
    expect(elapsedMs).toBeLessThan(LIMIT_MS);
  }, 30_000);

  it("ends gate with exit 4 naming the deadline", async () => {
    const { code, stderr, elapsedMs } = await run(["gate", "--manifest", manifestFile()]);

    expect(code).toBe(4);
    expect(stderr).toContain("deployctl: --deadline 2s passed while ");
    expect(elapsedMs).toBeLessThan(LIMIT_MS);
  }, 30_000);

  it("ends pipeline status with exit 4 naming the deadline", async () => {
    const { code, stderr, elapsedMs } = await run(["pipeline", "status", "--stack", "staging"]);

    expect(code).toBe(4);
    expect(stderr).toContain("deployctl: --deadline 2s passed while ");
    expect(elapsedMs).toBeLessThan(LIMIT_MS);
  }, 30_000);

  it("ends rollback with exit 4, its run record written and the stack lock released", async () => {
    const recordsDir = mkdtempSync(join(tmpdir(), "deadline-records-"));
    // A stand-in `pulumi` first on the PATH answers the stack config at once: the run then waits for AWS under the lock.
    const bin = mkdtempSync(join(tmpdir(), "deadline-pulumi-"));
    const services = JSON.stringify(JSON.stringify([{ name: "api", image: { tag: "sha-new1111" } }]));
    writeFileSync(
      join(bin, "pulumi"),
      `#!/bin/sh\ncase "$*" in\n  version*) echo v3.200.0;;\n  *"config get"*) echo '{"value": ${services}, "secret": false}';;\nesac\nexit 0\n`,
    );
    chmodSync(join(bin, "pulumi"), 0o755);
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${savedPath ?? ""}`;
    onTestFinished(() => {
      process.env.PATH = savedPath;
    });
    // Loaded first, so the 2 s go to the run itself, not to loading the command.
    await Promise.all([
      import("../../validators/cli/compose.js"),
      import("../../validators/workflows/rollback.js"),
      import("../../validators/render/deploy.js"),
      import("../../validators/providers/pulumi/stacks.js"),
    ]);
    const { code, stderr, elapsedMs, cwd } = await run(["rollback", "--manifest", manifestFile(), "--records-dir", recordsDir, "--yes"]);

    expect(code).toBe(4);
    expect(stderr).toContain("deployctl: --deadline 2s passed while ");
    expect(elapsedMs).toBeLessThan(LIMIT_MS);
    const records = readdirSync(recordsDir).filter((f) => f.endsWith(".json"));
    expect(records).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(recordsDir, records[0] as string), "utf8")) as Record<string, unknown>;
    expect(record).toMatchObject({ command: "rollback", outcome: "error", exitCode: 4 });
    expect(String(record.error)).toMatch(/^--deadline 2s passed while /);
    const locks = join(cwd, ".delivery", "locks");
    expect(existsSync(locks) ? readdirSync(locks) : []).toEqual([]);
  }, 30_000);
});
