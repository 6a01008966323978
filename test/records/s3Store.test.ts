import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clientConfig } from "../../validators/providers/aws/clients";
import { MASK, RecordStoreError, runStats, S3RecordStore, SecretRegistry } from "../../validators/records";
import { runRecord } from "../release/support";
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from "../support/moto";

let moto: MotoServer;
let s3: S3Client;

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({
    ...clientConfig({ region: "eu-west-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 }),
    forcePathStyle: true,
  });
});
afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  await s3.send(new CreateBucketCommand({ Bucket: "delivery-runs", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
});

describe("S3RecordStore against moto", () => {
  it("writes each record as one object under <prefix>/runs/", async () => {
    const store = new S3RecordStore(s3, "delivery-runs", "staging/");

    const where = await store.put(runRecord({ runId: "20240501T100000Z-aaaa" }));

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "delivery-runs" }));
    expect(where).toBe("s3://delivery-runs/staging/runs/20240501T100000Z-aaaa.json");
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["staging/runs/20240501T100000Z-aaaa.json"]);
  });

  it("lists records newest first, limited, and derives the statistics from them", async () => {
    const store = new S3RecordStore(s3, "delivery-runs", "staging");
    await store.put(runRecord({ runId: "20240501T100000Z-a", startedAt: "2024-05-01T10:00:00.000Z", exitCode: 0 }));
    await store.put(
      runRecord({
        runId: "20240502T100000Z-b",
        startedAt: "2024-05-02T10:00:00.000Z",
        exitCode: 1,
        rollback: { reason: "x", services: ["api"], status: "ok" },
      }),
    );
    await store.put(runRecord({ runId: "20240503T100000Z-c", startedAt: "2024-05-03T10:00:00.000Z", exitCode: 1 }));

    const all = await store.list();

    expect(all.map((r) => r.runId)).toEqual(["20240503T100000Z-c", "20240502T100000Z-b", "20240501T100000Z-a"]);
    expect((await store.list({ limit: 1 })).map((r) => r.runId)).toEqual(["20240503T100000Z-c"]);
    expect(runStats(all)).toEqual({ runs: 3, successes: 1, failures: 2, rollbacks: 1, consecutiveFailures: 2 });
  });

  it("keeps records of another prefix apart", async () => {
    await new S3RecordStore(s3, "delivery-runs", "prod").put(runRecord({ runId: "p1", stack: "prod" }));

    expect(await new S3RecordStore(s3, "delivery-runs", "staging").list()).toEqual([]);
  });

  it("redacts the record before it is uploaded", async () => {
    const secrets = new SecretRegistry();
    secrets.add("PD-ROUTING-KEY-123");
    await new S3RecordStore(s3, "delivery-runs", "staging", secrets).put(
      runRecord({
        runId: "r1",
        error: "pagerduty rejected PD-ROUTING-KEY-123",
        actions: [{ kind: "alert", status: "ok", message: "sent", at: "t", details: { routingKey: "x" } }],
      }),
    );

    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: "delivery-runs", Key: "staging/runs/r1.json" }))
    ).Body?.transformToString();

    expect(body).not.toContain("PD-ROUTING-KEY-123");
    expect(JSON.parse(body ?? "{}")).toMatchObject({ error: `pagerduty rejected ${MASK}`, actions: [{ details: { routingKey: MASK } }] });
  });

  it("reads back state documents and undefined for one never written", async () => {
    const store = new S3RecordStore(s3, "delivery-runs", "staging");
    await store.writeState("alerts", { openIncidents: { api: "2024-05-01T10:00:00.000Z" } });

    expect(await store.readState("alerts")).toEqual({ openIncidents: { api: "2024-05-01T10:00:00.000Z" } });
    expect(await store.readState("absent")).toBeUndefined();
  });

  it("fails with RecordStoreError naming the location when the bucket does not exist", async () => {
    const put = new S3RecordStore(s3, "no-such-bucket", "staging").put(runRecord({ runId: "r1" }));

    await expect(put).rejects.toBeInstanceOf(RecordStoreError);
    await expect(put).rejects.toThrow(/^cannot write s3:\/\/no-such-bucket\/staging\/runs\/r1\.json: NoSuchBucket/);
  });
});
