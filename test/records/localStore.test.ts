import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  LocalRecordStore,
  MASK,
  RecordStoreError,
  RunRecorder,
  SecretRegistry,
  defaultRecordsDir,
  openRecordStore,
  S3RecordStore,
  saveRecord,
} from "../../validators/records";
import { clock, manifest, runRecord } from "../release/support";
import type { AwsClients } from "../../validators/providers/aws/clients";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "records-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("LocalRecordStore", () => {
  it("writes one <runId>.json per run and nothing else", async () => {
    const store = new LocalRecordStore(dir);

    const where = await store.put(runRecord({ runId: "20240501T100000Z-aaaa" }));

    expect(where).toBe(join(dir, "20240501T100000Z-aaaa.json"));
    expect(readdirSync(dir)).toEqual(["20240501T100000Z-aaaa.json"]);
    expect(JSON.parse(readFileSync(where, "utf8"))).toEqual(runRecord({ runId: "20240501T100000Z-aaaa" }));
  });

  it("lists records newest first and honours the limit", async () => {
    const store = new LocalRecordStore(dir);
    await store.put(runRecord({ runId: "r1", startedAt: "2024-05-01T10:00:00.000Z" }));
    await store.put(runRecord({ runId: "r3", startedAt: "2024-05-03T10:00:00.000Z" }));
    await store.put(runRecord({ runId: "r2", startedAt: "2024-05-02T10:00:00.000Z" }));

    expect((await store.list()).map((r) => r.runId)).toEqual(["r3", "r2", "r1"]);
    expect((await store.list({ limit: 2 })).map((r) => r.runId)).toEqual(["r3", "r2"]);
  });

  it("returns no records when the directory does not exist yet", async () => {
    expect(await new LocalRecordStore(join(dir, "absent")).list()).toEqual([]);
  });

  it("skips temporary files left by a killed writer", async () => {
    const store = new LocalRecordStore(dir);
    await store.put(runRecord({ runId: "r1" }));
    writeFileSync(join(dir, ".r2.json.123.abcd.tmp"), '{"runId": "r2", "trunc');

    expect((await store.list()).map((r) => r.runId)).toEqual(["r1"]);
  });

  it("redacts secret keys and registered secret values before writing", async () => {
    const secrets = new SecretRegistry();
    secrets.add("https://hooks.example.test/T1/B2/XYZ");
    const store = new LocalRecordStore(dir, secrets);

    await store.put(
      runRecord({
        runId: "r1",
        actions: [
          {
            kind: "alert",
            target: "slack",
            status: "failed",
            message: "POST https://hooks.example.test/T1/B2/XYZ answered 500",
            at: "2024-05-01T10:00:00.000Z",
            details: { webhookUrl: "x" },
          },
        ],
      }),
    );

    const text = readFileSync(join(dir, "r1.json"), "utf8");
    expect(text).not.toContain("hooks.example.test");
    expect(JSON.parse(text).actions[0]).toMatchObject({ message: `POST ${MASK} answered 500`, details: { webhookUrl: MASK } });
  });

  it("reads back a state document it wrote, and undefined for one never written", async () => {
    const store = new LocalRecordStore(dir);
    await store.writeState("alerts", { sent: { "staging/api/errorRate": 1 } });

    expect(await store.readState("alerts")).toEqual({ sent: { "staging/api/errorRate": 1 } });
    expect(await store.readState("other")).toBeUndefined();
  });

  it("fails with RecordStoreError naming a record that is not JSON", async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "broken.json"), "{");

    const listing = new LocalRecordStore(dir).list();

    await expect(listing).rejects.toBeInstanceOf(RecordStoreError);
    await expect(listing).rejects.toThrow(`${join(dir, "broken.json")} is not valid JSON`);
  });
});

describe("saveRecord", () => {
  it("returns the redacted record, safe to print, along with where it went", async () => {
    const secrets = new SecretRegistry();
    secrets.add("R0UTING-KEY-0042");
    const recorder = new RunRecorder({ runId: "r1", command: "validate", who: "ci", stack: "staging", now: clock().now });
    recorder.action({ kind: "alert", target: "pagerduty", status: "failed", message: "pagerduty echoed R0UTING-KEY-0042" });

    const saved = await saveRecord(new LocalRecordStore(dir, secrets), recorder, { outcome: "failed" });

    expect(saved.record.actions[0]?.message).toBe(`pagerduty echoed ${MASK}`);
    expect(saved.location).toBe(join(dir, "r1.json"));
  });

  it("reports a store that cannot be written instead of throwing", async () => {
    writeFileSync(join(dir, "file"), "");
    const recorder = new RunRecorder({ runId: "r1", command: "validate", who: "ci", stack: "staging", now: clock().now });

    const saved = await saveRecord(new LocalRecordStore(join(dir, "file", "sub")), recorder, { outcome: "released" });

    expect(saved.location).toBeUndefined();
    expect(saved.error).toMatch(/^cannot write .*file\/sub\/r1\.json: ENOTDIR/);
  });
});

describe("openRecordStore", () => {
  const clients = { s3: {} as AwsClients["s3"] };

  it("uses .delivery/records/<stack> under the cwd when the manifest names no bucket", () => {
    const store = openRecordStore({ manifest: manifest(), clients, cwd: "/work/app" });

    expect(store).toBeInstanceOf(LocalRecordStore);
    expect(store.location).toBe(defaultRecordsDir("/work/app", "staging"));
    expect(store.location).toBe("/work/app/.delivery/records/staging");
  });

  it("uses S3 bucket and prefix when the manifest names a bucket", () => {
    const store = openRecordStore({
      manifest: manifest(undefined, { history: { bucket: "runs", prefix: "staging/" } }),
      clients,
      cwd: "/w",
    });

    expect(store).toBeInstanceOf(S3RecordStore);
    expect(store.location).toBe("s3://runs/staging");
  });

  it("uses --records-dir over everything", () => {
    const store = openRecordStore({
      manifest: manifest(undefined, { history: { bucket: "runs", prefix: "staging" } }),
      clients,
      cwd: "/w",
      recordsDir: "/tmp/r",
    });

    expect(store.location).toBe("/tmp/r");
  });
});
