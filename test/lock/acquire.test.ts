import { describe, expect, it, vi } from "vitest";
import {
  acquireStackLock,
  type LockHandle,
  type LockInfo,
  type StackLock,
  StackLockedError,
  type TryAcquireResult,
} from "../../validators/lock";
import { clock } from "../release/support";

const holder: LockInfo = {
  stack: "staging",
  who: "ana@laptop",
  what: "rollback",
  since: "2024-05-01T09:55:00.000Z",
  expires: "2024-05-01T10:25:00.000Z",
  token: "t",
};
const handle: LockHandle = { info: { ...holder, who: "me" }, renew: async () => undefined, release: async () => true };

/** A lock that answers `held` a number of times, then grants. */
function scripted(results: TryAcquireResult[]): StackLock & { attempts: number } {
  const lock = {
    location: "test",
    attempts: 0,
    tryAcquire: async () => {
      lock.attempts += 1;
      return results.shift() ?? { acquired: true as const, handle };
    },
  };
  return lock;
}

const request = { stack: "staging", who: "me", what: "deploy", leaseSeconds: 60 };

describe("acquireStackLock", () => {
  it("fails at once with the holder in the message when --lock-timeout is 0", async () => {
    const t = clock();
    const lock = scripted([{ acquired: false, holder }]);

    const attempt = acquireStackLock(lock, request, { timeoutSeconds: 0, now: t.now, sleep: t.sleep });

    await expect(attempt).rejects.toThrow(new StackLockedError(holder));
    await expect(attempt).rejects.toThrow("stack staging is locked by ana@laptop (rollback) since 2024-05-01T09:55:00.000Z");
    expect(lock.attempts).toBe(1);
  });

  it("waits, polling, and takes the lock once it is released within the timeout", async () => {
    const t = clock();
    const sleep = vi.fn(t.sleep);
    const lock = scripted([
      { acquired: false, holder },
      { acquired: false, holder },
    ]);
    const waiting: string[] = [];

    const got = await acquireStackLock(lock, request, {
      timeoutSeconds: 30,
      pollSeconds: 5,
      now: t.now,
      sleep,
      onWait: (m) => waiting.push(m),
    });

    expect(got).toBe(handle);
    expect(sleep.mock.calls).toEqual([[5000], [5000]]);
    expect(waiting).toEqual(["stack staging is locked by ana@laptop (rollback) since 2024-05-01T09:55:00.000Z; waiting up to 30 s"]);
  });

  it("gives up after the timeout, with exit code 5", async () => {
    const t = clock();
    const lock = scripted(Array.from({ length: 100 }, () => ({ acquired: false as const, holder })));

    const attempt = acquireStackLock(lock, request, { timeoutSeconds: 12, pollSeconds: 5, now: t.now, sleep: t.sleep });

    await expect(attempt).rejects.toMatchObject({ kind: "locked" });
    expect(lock.attempts).toBe(4);
  });

  it("retries at once when the lock vanished between the attempt and reading its holder", async () => {
    const t = clock();
    const lock = scripted([{ acquired: false }]);

    expect(await acquireStackLock(lock, request, { timeoutSeconds: 0, now: t.now, sleep: t.sleep })).toBe(handle);
    expect(lock.attempts).toBe(2);
  });
});
