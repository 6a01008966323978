import { type LockHandle, type LockRequest, type StackLock, StackLockedError } from "./types";

export interface AcquireOptions {
  /** How long to wait for a held lock before giving up (`--lock-timeout`). @default 0 (one attempt) */
  timeoutSeconds?: number;
  /** Time between attempts while waiting. @default 5 */
  pollSeconds?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Called once when the lock is held by someone else and the caller starts waiting. */
  onWait?: (message: string) => void;
}

/** A lock that vanished between a failed attempt and reading its holder is retried at once this often. */
const VANISHED_RETRIES = 3;

/**
 * Takes the stack lock, waiting up to `timeoutSeconds` while another run holds it, then fails
 * with StackLockedError (exit 5): "stack staging is locked by <who> (<what>) since <when>".
 */
export async function acquireStackLock(lock: StackLock, request: LockRequest, options: AcquireOptions = {}): Promise<LockHandle> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now().getTime() + Math.max(0, options.timeoutSeconds ?? 0) * 1000;
  const pollMs = Math.max(0.1, options.pollSeconds ?? 5) * 1000;
  let vanished = 0;
  let announced = false;
  for (;;) {
    const attempt = await lock.tryAcquire(request);
    if (attempt.acquired) return attempt.handle;
    if (!attempt.holder) {
      vanished += 1;
      if (vanished <= VANISHED_RETRIES) continue;
    }
    const holder = attempt.holder ?? { stack: request.stack, who: "unknown", what: "unknown", since: "unknown", expires: "unknown" };
    const remaining = deadline - now().getTime();
    if (remaining <= 0) throw new StackLockedError(holder);
    if (!announced) {
      options.onWait?.(
        `stack ${request.stack} is locked by ${holder.who} (${holder.what}) since ${holder.since}; waiting up to ${Math.ceil(remaining / 1000)} s`,
      );
      announced = true;
    }
    vanished = 0;
    await sleep(Math.min(pollMs, remaining));
  }
}
