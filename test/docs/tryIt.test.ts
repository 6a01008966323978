import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../fixtures/ports";

const ROOT = join(__dirname, "..", "..");
const DOC = readFileSync(join(ROOT, "docs", "try-it.md"), "utf8");

/** The fenced blocks of one language, in order. */
function blocks(language: string): string[] {
  return [...DOC.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
}

/**
 * The walkthrough runs from "the repository's folder": here a fresh folder that links the pieces
 * `npx deployctl` and `npx tsx scripts/...` resolve (package.json, node_modules, bin, scripts), so
 * what the commands write (records, the lock, try-it/) stays out of the repository.
 */
function workFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "try-it-"));
  for (const entry of ["package.json", "node_modules", "bin", "scripts"]) symlinkSync(join(ROOT, entry), join(dir, entry));
  return dir;
}

let pgid: number | undefined;
afterAll(() => {
  // The walkthrough's last block stops moto; a failure before it must not leave the server running.
  if (pgid !== undefined) {
    try {
      process.kill(-pgid, "SIGTERM");
    } catch {
      // already gone
    }
  }
});

describe("docs/try-it.md", () => {
  it("has the blocks the walkthrough promises: moto, the world, validate, gate, history, promote, analyze, clean up", () => {
    const commands = blocks("sh").join("\n");

    for (const step of ["moto_server", "MOTO_ECS_SERVICE_RUNNING", "set-transition", "scripts/try-it-world.ts"]) {
      expect(commands).toContain(step);
    }
    for (const command of ["validate", "gate", "history", "promote", "analyze"]) expect(commands).toContain(`npx deployctl ${command} `);
  });

  it("runs as written: every block succeeds and prints what the doc shows", async () => {
    const cwd = workFolder();
    const script = ["set -euo pipefail", ...blocks("sh")].join("\n");
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(await freePort()), TRY_IT: join(cwd, "try-it") };
    for (const name of ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "DEPLOYCTL_FROM_SOURCE"]) delete env[name];

    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("bash", ["-c", script], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      pgid = child.pid;
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });

    expect(run.code, run.stderr).toBe(0);
    const shown = blocks("text").flatMap((b) => b.split("\n").filter((l) => l.trim() !== ""));
    expect(shown.length).toBeGreaterThan(10);
    for (const line of shown) expect(run.stdout, `the doc shows: ${line}`).toContain(line);
    expect(run.stderr).not.toContain("NodeVersionSupportWarning");
  }, 240_000);
});
