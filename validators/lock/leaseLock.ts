import type { LeaseStackLock } from "../providers/kubernetes/lease";
import { LockError, type LockRequest, type StackLock, type TryAcquireResult } from "./types";

/**
 * The stack lock of a Kubernetes stack: the Lease `delivery-lock-<stack>` in its namespace, with
 * the same lease and heartbeat rules as the DynamoDB lock (withStackLock renews it, releases it).
 */
export class KubernetesLeaseLock implements StackLock {
  readonly location: string;

  constructor(private readonly lease: Pick<LeaseStackLock, "tryAcquire" | "location">) {
    this.location = lease.location;
  }

  async tryAcquire(request: LockRequest): Promise<TryAcquireResult> {
    try {
      const attempt = await this.lease.tryAcquire(request);
      if (!attempt.acquired) return attempt.holder ? { acquired: false, holder: attempt.holder } : { acquired: false };
      const handle = attempt.handle;
      return {
        acquired: true,
        handle: {
          get info() {
            return handle.info;
          },
          renew: () => handle.renew().catch((err: unknown) => Promise.reject(asLockError(err))),
          release: () => handle.release().catch((err: unknown) => Promise.reject(asLockError(err))),
        },
      };
    } catch (err) {
      throw asLockError(err);
    }
  }
}

function asLockError(err: unknown): LockError {
  return err instanceof LockError ? err : new LockError(err instanceof Error ? err.message : String(err), { cause: err });
}
