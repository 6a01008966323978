import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalRecordStore } from "../../validators/records";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "records-kill-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the writer, waits for "ready", then SIGKILLs it the moment a new file shows in the directory. */
async function killWhileWriting(): Promise<void> {
  const child = spawn(process.execPath, ["--require", "tsx/cjs", join(__dirname, "fixtures", "writeRecords.ts"), dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`writer exited early with ${code}`)));
  });
  const before = new Set(readdirSync(dir));
  const deadline = Date.now() + 20_000;
  while (readdirSync(dir).every((name) => before.has(name))) {
    if (Date.now() > deadline) throw new Error("the writer never started its next record");
  }
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
}

describe("a run killed mid-write", () => {
  it("leaves no partial record: every record file is whole and the store lists only whole records", async () => {
    await killWhileWriting();

    const records = readdirSync(dir).filter((n) => n.endsWith(".json") && !n.startsWith("."));
    for (const name of records) expect(() => JSON.parse(readFileSync(join(dir, name), "utf8")), name).not.toThrow();
    const listed = await new LocalRecordStore(dir).list();
    expect(listed.map((r) => r.runId)).toContain("complete-0");
    expect(listed.every((r) => r.runId === "complete-0" || r.actions.length === 16_000)).toBe(true);
  });
});
