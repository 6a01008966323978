import { CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clientConfig } from "../../validators/providers/aws/clients";
import { acquireStackLock, DynamoStackLock, LOCK_TABLE_KEY, type LockRequest, StackLockedError } from "../../validators/lock";
import { clock } from "../release/support";
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from "../support/moto";

let moto: MotoServer;
let dynamodb: DynamoDBClient;
const TABLE = "delivery-locks";

beforeAll(async () => {
  moto = await startMoto();
  dynamodb = new DynamoDBClient(
    clientConfig({ region: "eu-west-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 }),
  );
});
afterAll(async () => {
  dynamodb?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: LOCK_TABLE_KEY, KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: LOCK_TABLE_KEY, AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
});

const request = (who: string, what = "deploy sha-abc1234"): LockRequest => ({ stack: "staging", who, what, leaseSeconds: 600 });

describe("DynamoStackLock against moto", () => {
  // Taking the lock is one conditional PutItem, so between two racing callers DynamoDB lets one
  // write win. moto does not serialise concurrent writes to a table (two racing puts can both pass
  // the condition there), so these tests make the second call after the first: the condition it
  // meets is the one that decides a real race.
  it("lets exactly one of two callers take the lock; the other is told who holds it", async () => {
    const t = clock();
    const first = await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("ana@laptop"));
    const second = await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("ci@runner"));

    expect([first.acquired, second.acquired]).toEqual([true, false]);
    expect(second.acquired ? undefined : second.holder?.who).toBe("ana@laptop");
  });

  it("stores who, what, since and when the lease expires", async () => {
    const lock = new DynamoStackLock(dynamodb, TABLE, clock().now);
    await lock.tryAcquire(request("ana@laptop"));

    const item = (await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { [LOCK_TABLE_KEY]: { S: "staging" } } }))).Item;

    expect(item?.who?.S).toBe("ana@laptop");
    expect(item?.what?.S).toBe("deploy sha-abc1234");
    expect(item?.since?.S).toBe("2024-05-01T10:00:00.000Z");
    expect(item?.expires?.S).toBe("2024-05-01T10:10:00.000Z");
    expect(item?.expiresEpoch?.N).toBe(String(Date.parse("2024-05-01T10:10:00.000Z") / 1000));
  });

  it("lets a caller take over a lease that has expired", async () => {
    const t = clock();
    await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("crashed@host"));
    t.advance(601_000);

    const takeover = await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("ci@runner"));

    expect(takeover.acquired).toBe(true);
  });

  it("lets exactly one of two callers take over a stale lease", async () => {
    const t = clock();
    await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("crashed@host"));
    t.advance(601_000);

    const a = await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("a@host"));
    const b = await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("b@host"));

    expect([a.acquired, b.acquired]).toEqual([true, false]);
    expect(b.acquired ? undefined : b.holder?.who).toBe("a@host");
  });

  it("does not let a caller take a lease that is still valid", async () => {
    const t = clock();
    await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("ana@laptop"));
    t.advance(599_000);

    const second = await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("ci@runner"));

    expect(second.acquired).toBe(false);
  });

  it("frees the stack when its holder releases it", async () => {
    const lock = new DynamoStackLock(dynamodb, TABLE, clock().now);
    const first = await lock.tryAcquire(request("ana@laptop"));
    if (!first.acquired) throw new Error("expected the lock");

    expect(await first.handle.release()).toBe(true);
    expect((await lock.tryAcquire(request("ci@runner"))).acquired).toBe(true);
  });

  it("does not let a holder whose lease was taken over release the new holder's lock", async () => {
    const t = clock();
    const old = await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("slow@host"));
    t.advance(601_000);
    await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("ci@runner"));
    if (!old.acquired) throw new Error("expected the lock");

    expect(await old.handle.release()).toBe(false);
    const item = (await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { [LOCK_TABLE_KEY]: { S: "staging" } } }))).Item;
    expect(item?.who?.S).toBe("ci@runner");
  });

  it("renews the lease so a long run is not taken over", async () => {
    const t = clock();
    const held = await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("ana@laptop"));
    if (!held.acquired) throw new Error("expected the lock");
    t.advance(500_000);
    await held.handle.renew();
    t.advance(200_000);

    expect((await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("ci@runner"))).acquired).toBe(false);
    expect(held.handle.info.expires).toBe("2024-05-01T10:18:20.000Z");
  });

  it("refuses to renew a lease another run has taken over", async () => {
    const t = clock();
    const old = await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("slow@host"));
    t.advance(601_000);
    await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("ci@runner"));
    if (!old.acquired) throw new Error("expected the lock");

    await expect(old.handle.renew()).rejects.toThrow("cannot renew the lock of stack staging: the lock was taken over by another run");
  });

  it("tells a second caller who holds the stack, exit 5", async () => {
    const t = clock();
    await new DynamoStackLock(dynamodb, TABLE, t.now).tryAcquire(request("ana@laptop", "deploy sha-abc1234"));

    const second = acquireStackLock(new DynamoStackLock(dynamodb, TABLE, t.now), request("ci@runner"), {
      timeoutSeconds: 0,
      now: t.now,
      sleep: t.sleep,
    });

    await expect(second).rejects.toBeInstanceOf(StackLockedError);
    await expect(second).rejects.toMatchObject({
      kind: "locked",
      message: "stack staging is locked by ana@laptop (deploy sha-abc1234) since 2024-05-01T10:00:00.000Z",
    });
  });
});
