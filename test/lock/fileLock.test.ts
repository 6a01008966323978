import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStackLock, type LockRequest, openStackLock, DynamoStackLock } from "../../validators/lock";
import { clock, manifest } from "../release/support";
import type { AwsClients } from "../../validators/providers/aws/clients";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "locks-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const request = (who: string): LockRequest => ({ stack: "local", who, what: "deploy sha-1", leaseSeconds: 60 });

describe("FileStackLock", () => {
  it("lets exactly one of several concurrent callers take the lock", async () => {
    const t = clock();
    const attempts = await Promise.all(["a", "b", "c", "d"].map((who) => new FileStackLock(dir, t.now).tryAcquire(request(who))));

    expect(attempts.filter((a) => a.acquired)).toHaveLength(1);
  });

  it("writes who, what, since and expires into <stack>.lock", async () => {
    await new FileStackLock(dir, clock().now).tryAcquire(request("ana@laptop"));

    expect(JSON.parse(readFileSync(join(dir, "local.lock"), "utf8"))).toMatchObject({
      stack: "local",
      who: "ana@laptop",
      what: "deploy sha-1",
      since: "2024-05-01T10:00:00.000Z",
      expires: "2024-05-01T10:01:00.000Z",
    });
  });

  it("reports the holder to a second caller", async () => {
    const t = clock();
    await new FileStackLock(dir, t.now).tryAcquire(request("ana@laptop"));

    const second = await new FileStackLock(dir, t.now).tryAcquire(request("ci@runner"));

    expect(second.acquired ? "acquired" : second.holder?.who).toBe("ana@laptop");
  });

  it("lets exactly one of two concurrent callers take over a stale lease", async () => {
    const t = clock();
    await new FileStackLock(dir, t.now).tryAcquire(request("crashed@host"));
    t.advance(61_000);

    const attempts = await Promise.all(["a", "b"].map((who) => new FileStackLock(dir, t.now).tryAcquire(request(who))));

    expect(attempts.filter((a) => a.acquired)).toHaveLength(1);
    expect(readdirSync(dir)).toEqual(["local.lock"]);
  });

  it("frees the stack on release and leaves no file behind", async () => {
    const lock = new FileStackLock(dir, clock().now);
    const held = await lock.tryAcquire(request("ana@laptop"));
    if (!held.acquired) throw new Error("expected the lock");

    expect(await held.handle.release()).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("does not let a holder whose lease was taken over release the new lock", async () => {
    const t = clock();
    const old = await new FileStackLock(dir, t.now).tryAcquire(request("slow@host"));
    t.advance(61_000);
    await new FileStackLock(dir, t.now).tryAcquire(request("ci@runner"));
    if (!old.acquired) throw new Error("expected the lock");

    expect(await old.handle.release()).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, "local.lock"), "utf8")).who).toBe("ci@runner");
  });
});

describe("openStackLock", () => {
  const clients = { dynamodb: {} as AwsClients["dynamodb"] };

  it("uses a lock file under .delivery/locks when the manifest names no table", () => {
    const lock = openStackLock({ manifest: manifest(), clients, cwd: "/work/app" });

    expect(lock).toBeInstanceOf(FileStackLock);
    expect(lock.location).toBe("/work/app/.delivery/locks");
  });

  it("uses the DynamoDB table the manifest names", () => {
    const lock = openStackLock({
      manifest: manifest(undefined, { history: { prefix: "staging", lockTable: "delivery-locks" } }),
      clients,
      cwd: "/w",
    });

    expect(lock).toBeInstanceOf(DynamoStackLock);
    expect(lock.location).toBe("dynamodb:delivery-locks");
  });
});
