import { DeliveryError, OperationalError } from "../core/errors";

/** What a caller asks for: the stack, who asks, for what, and how long the lease lasts. */
export interface LockRequest {
  stack: string;
  /** user@host or the CI identity. */
  who: string;
  /** The command holding the lock, e.g. `deploy sha-abc1234`. */
  what: string;
  /** The lease: past `since + leaseSeconds` the lock is stale and another caller may take it over. */
  leaseSeconds: number;
}

/** The lock as stored: holder, purpose, since when, until when, and the owner token. */
export interface LockInfo {
  stack: string;
  who: string;
  what: string;
  /** ISO time the holder took the lock. */
  since: string;
  /** ISO time the lease expires (renewals push it out). */
  expires: string;
  /** Random per acquisition; only its holder can renew or release the lock. */
  token: string;
}

export interface LockHandle {
  readonly info: LockInfo;
  /** Pushes the lease out by its length from now. Fails if the lock was taken over. */
  renew(): Promise<void>;
  /** Releases the lock if this handle still owns it; returns false when it no longer did. */
  release(): Promise<boolean>;
}

export type TryAcquireResult = { acquired: true; handle: LockHandle } | { acquired: false; holder?: LockInfo };

/** A per-stack lock with an expiring lease: DynamoDB (cloud) or a lock file (local tier). */
export interface StackLock {
  readonly location: string;
  /** One attempt: takes the lock when it is free or its lease has expired, else reports the holder. */
  tryAcquire(request: LockRequest): Promise<TryAcquireResult>;
}

/** Another run holds the stack (kind `locked`, exit 5). The message is a contract. */
export class StackLockedError extends DeliveryError {
  constructor(readonly holder: Pick<LockInfo, "stack" | "who" | "what" | "since" | "expires">) {
    super(lockedMessage(holder), "locked");
    this.name = "StackLockedError";
  }
}

export function lockedMessage(holder: Pick<LockInfo, "stack" | "who" | "what" | "since">): string {
  return `stack ${holder.stack} is locked by ${holder.who} (${holder.what}) since ${holder.since}`;
}

/** The lock could not be read or written (exit 4). */
export class LockError extends OperationalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "lock", options);
    this.name = "LockError";
  }
}
