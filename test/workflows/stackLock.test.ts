import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BadInputError } from "../../validators/core/errors";
import { FileStackLock } from "../../validators/lock/fileLock";
import { RunRecorder } from "../../validators/records/recorder";
import type { RunRecord } from "../../validators/records/types";
import { recordedUnderLock, withStackLock } from "../../validators/workflows/stackLock";

const now = () => new Date("2024-05-01T10:00:00.000Z");
const sleep = async () => undefined;

function memoryStore() {
  const records: RunRecord[] = [];
  return { records, put: async (r: RunRecord) => (records.push(r), `mem/${r.runId}`), redact: <T>(v: T) => v };
}

function setup() {
  const lock = new FileStackLock(mkdtempSync(join(tmpdir(), "stacklock-")), now);
  const beats: number[] = [];
  const timers = { setInterval: (_fn: () => void, ms: number) => (beats.push(ms), beats.length), clearInterval: () => beats.push(-1) };
  const request = { lock, stack: "staging", who: "ci@runner", what: "deploy v2", now, sleep, progress: () => undefined, timers };
  return { lock, beats, request };
}

describe("withStackLock", () => {
  it("holds the lock while the body runs, beats the lease, then releases it", async () => {
    const { lock, beats, request } = setup();
    const inside = await withStackLock(request, async () => (await lock.tryAcquire({ ...request, leaseSeconds: 60 })).acquired);
    const after = await lock.tryAcquire({ ...request, leaseSeconds: 60 });
    expect([inside, after.acquired, beats]).toEqual([false, true, [600_000, -1]]);
  });

  it("releases the lock when the body throws", async () => {
    const { lock, request } = setup();
    await expect(withStackLock(request, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect((await lock.tryAcquire({ ...request, leaseSeconds: 60 })).acquired).toBe(true);
  });

  it("fails with kind locked, naming the holder, when another run holds the stack", async () => {
    const { lock, request } = setup();
    await lock.tryAcquire({ ...request, who: "ana@laptop", leaseSeconds: 60 });
    await expect(withStackLock(request, async () => "ran")).rejects.toMatchObject({
      kind: "locked",
      message: "stack staging is locked by ana@laptop (deploy v2) since 2024-05-01T10:00:00.000Z",
    });
  });
});

describe("recordedUnderLock", () => {
  const start = (store: ReturnType<typeof memoryStore>) => () => ({
    recorder: new RunRecorder({ runId: "run-1", command: "deploy", who: "ci@runner", stack: "staging", now }),
    store,
    finalActions: () => [{ kind: "stage", target: "gate", status: "ok" as const, message: "gate ok", at: "2024-05-01T10:00:00.000Z" }],
  });

  it("writes one record with the body's outcome, its exit code from the one mapping, and the final actions", async () => {
    const { request } = setup();
    const store = memoryStore();
    const result = await recordedUnderLock(request, start(store), async () => ({ outcome: "inconclusive" }));
    expect([result.outcome, store.records.length, store.records[0]?.exitCode, store.records[0]?.actions.length]).toEqual([
      "inconclusive",
      1,
      3,
      1,
    ]);
  });

  it("records a refused run (exit 2) when the body throws bad input, and rethrows", async () => {
    const { request } = setup();
    const store = memoryStore();
    await expect(recordedUnderLock(request, start(store), async () => Promise.reject(new BadInputError("--to x")))).rejects.toThrow(
      "--to x",
    );
    expect(store.records.map((r) => [r.outcome, r.exitCode, r.error])).toEqual([["refused", 2, "--to x"]]);
  });
});
