import { describe, expect, it } from "vitest";
import { type HeartbeatTimers, type LockHandle, startHeartbeat } from "../../validators/lock";

/** Timers the test fires by hand. */
function manualTimers() {
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const api: HeartbeatTimers = {
    setInterval: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearInterval: (t) => {
      (t as { cleared: boolean }).cleared = true;
    },
  };
  return { api, timers };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function handle(renew: () => Promise<void>): LockHandle {
  return { info: { stack: "s", who: "w", what: "x", since: "", expires: "", token: "t" }, renew, release: async () => true };
}

describe("startHeartbeat", () => {
  it("renews the lease every third of it", async () => {
    const { api, timers } = manualTimers();
    let renewals = 0;

    startHeartbeat(
      handle(async () => void (renewals += 1)),
      900,
      () => undefined,
      api,
    );
    timers[0]?.fn();
    await flush();
    timers[0]?.fn();
    await flush();

    expect(timers[0]?.ms).toBe(300_000);
    expect(renewals).toBe(2);
  });

  it("reports a failed renewal and keeps beating", async () => {
    const { api, timers } = manualTimers();
    const errors: string[] = [];

    startHeartbeat(
      handle(async () => Promise.reject(new Error("ConditionalCheckFailed"))),
      60,
      (m) => errors.push(m),
      api,
    );
    timers[0]?.fn();
    await flush();
    timers[0]?.fn();
    await flush();

    expect(errors).toEqual([
      "could not renew the stack lock: ConditionalCheckFailed",
      "could not renew the stack lock: ConditionalCheckFailed",
    ]);
  });

  it("stops when told", () => {
    const { api, timers } = manualTimers();

    const stop = startHeartbeat(
      handle(async () => undefined),
      60,
      () => undefined,
      api,
    );
    stop();

    expect(timers[0]?.cleared).toBe(true);
  });
});
