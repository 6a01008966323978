import type { LockHandle } from "./types";

/** The timer functions the heartbeat uses; injected so tests drive them. */
export interface HeartbeatTimers {
  setInterval: (fn: () => void, ms: number) => unknown;
  clearInterval: (timer: unknown) => void;
}

const realTimers: HeartbeatTimers = {
  setInterval: (fn, ms) => {
    const timer = setInterval(fn, ms);
    timer.unref();
    return timer;
  },
  clearInterval: (timer) => clearInterval(timer as NodeJS.Timeout),
};

/**
 * Renews the lease every `leaseSeconds / 3` while a long run holds the lock (a deploy waiting for
 * its rollouts may outlast one lease), so only a crashed run's lock goes stale. A failed renewal
 * is reported once per failure and retried at the next beat. Returns the function that stops it.
 */
export function startHeartbeat(
  handle: LockHandle,
  leaseSeconds: number,
  onError: (message: string) => void,
  timers: HeartbeatTimers = realTimers,
): () => void {
  let busy = false;
  const timer = timers.setInterval(
    () => {
      if (busy) return;
      busy = true;
      handle
        .renew()
        .catch((err: unknown) => onError(`could not renew the stack lock: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          busy = false;
        });
    },
    Math.max(1, Math.floor((leaseSeconds * 1000) / 3)),
  );
  return () => timers.clearInterval(timer);
}
