import { randomUUID } from "node:crypto";
import { V1MicroTime, type V1Lease } from "@kubernetes/client-node";
import { OperationalError } from "../../core/errors";
import { call, type KubernetesClients, statusOf } from "./client";

/** The Lease's holder as deployctl writes it: holderIdentity is `<who>/<token>`, the purpose in an annotation. */
export interface LeaseHolder {
  stack: string;
  who: string;
  what: string;
  since: string;
  expires: string;
  token: string;
}

export type LeaseAttempt = { acquired: true; handle: LeaseHandle } | { acquired: false; holder?: LeaseHolder };

export interface LeaseHandle {
  readonly info: LeaseHolder;
  /** Pushes renewTime to now (the lease lasts leaseDurationSeconds from it). Fails if another run took it. */
  renew(): Promise<void>;
  /** Deletes the Lease if this run still holds it; false when it no longer did. */
  release(): Promise<boolean>;
}

const WHAT = "delivery.local/what";

/**
 * The stack lock on Kubernetes: a coordination.k8s.io/v1 Lease `delivery-lock-<stack>` in the
 * namespace, with the same lease and heartbeat rules as the DynamoDB lock. Exactly one run wins:
 * creation is exclusive (409 when it exists) and a takeover of an expired lease replaces it at the
 * resourceVersion read (409 when another run changed it first). Times are MicroTime (V1MicroTime:
 * six fractional digits, as the API server requires).
 */
export class LeaseStackLock {
  readonly location: string;

  constructor(
    private readonly clients: KubernetesClients,
    private readonly namespace: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.location = `Lease ${namespace}/delivery-lock-<stack>`;
  }

  async tryAcquire(request: { stack: string; who: string; what: string; leaseSeconds: number }): Promise<LeaseAttempt> {
    const name = `delivery-lock-${request.stack}`;
    const token = randomUUID();
    const now = this.now();
    const body: V1Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace: this.namespace, annotations: { [WHAT]: request.what } },
      spec: {
        holderIdentity: `${request.who}/${token}`,
        leaseDurationSeconds: request.leaseSeconds,
        acquireTime: new V1MicroTime(now.getTime()),
        renewTime: new V1MicroTime(now.getTime()),
        leaseTransitions: 0,
      },
    };
    const info = holderOf(request.stack, body) as LeaseHolder;
    try {
      await this.clients.coordination.createNamespacedLease({ namespace: this.namespace, body });
      return { acquired: true, handle: this.handle(name, info, request.leaseSeconds) };
    } catch (err) {
      if (statusOf(err) !== 409) throw this.failure(`creating Lease ${name}`, err);
    }
    const current = await call(`reading Lease ${this.namespace}/${name}`, this.clients.server, () =>
      this.clients.coordination.readNamespacedLease({ name, namespace: this.namespace }),
    );
    const holder = holderOf(request.stack, current);
    if (holder && new Date(holder.expires).getTime() > now.getTime()) return { acquired: false, holder };
    // Expired: take it over at the version read; a concurrent taker makes this a 409.
    body.metadata = { ...body.metadata, resourceVersion: current.metadata?.resourceVersion };
    body.spec = { ...body.spec, leaseTransitions: (current.spec?.leaseTransitions ?? 0) + 1 };
    try {
      await this.clients.coordination.replaceNamespacedLease({ name, namespace: this.namespace, body });
      return { acquired: true, handle: this.handle(name, info, request.leaseSeconds) };
    } catch (err) {
      if (statusOf(err) === 409) return { acquired: false, holder };
      throw this.failure(`taking over Lease ${name}`, err);
    }
  }

  private handle(name: string, initial: LeaseHolder, leaseSeconds: number): LeaseHandle {
    let info = initial;
    const read = () =>
      call(`reading Lease ${this.namespace}/${name}`, this.clients.server, () =>
        this.clients.coordination.readNamespacedLease({ name, namespace: this.namespace }),
      );
    const mine = (lease: V1Lease) => lease.spec?.holderIdentity === `${info.who}/${info.token}`;
    return {
      get info() {
        return info;
      },
      renew: async () => {
        const lease = await read();
        if (!mine(lease))
          throw new OperationalError(
            `the stack lock (Lease ${this.namespace}/${name}) was taken over by ${lease.spec?.holderIdentity}`,
            "lock",
          );
        const now = this.now();
        lease.spec = { ...lease.spec, renewTime: new V1MicroTime(now.getTime()), leaseDurationSeconds: leaseSeconds };
        try {
          await this.clients.coordination.replaceNamespacedLease({ name, namespace: this.namespace, body: lease });
        } catch (err) {
          throw this.failure(`renewing Lease ${name}`, err);
        }
        info = { ...info, expires: new Date(now.getTime() + leaseSeconds * 1000).toISOString() };
      },
      release: async () => {
        const lease = await read().catch(() => undefined);
        if (!lease || !mine(lease)) return false;
        try {
          await this.clients.coordination.deleteNamespacedLease({
            name,
            namespace: this.namespace,
            body: { preconditions: { resourceVersion: lease.metadata?.resourceVersion } },
          });
          return true;
        } catch (err) {
          if (statusOf(err) === 409 || statusOf(err) === 404) return false;
          throw this.failure(`releasing Lease ${name}`, err);
        }
      },
    };
  }

  private failure(what: string, err: unknown): OperationalError {
    const status = statusOf(err);
    return new OperationalError(
      `Kubernetes API at ${this.clients.server}: ${what} in ${this.namespace} failed (${status !== undefined ? `HTTP ${status}` : String(err)})`,
      "lock",
      { cause: err },
    );
  }
}

function holderOf(stack: string, lease: V1Lease): LeaseHolder | undefined {
  const identity = lease.spec?.holderIdentity;
  if (!identity) return undefined;
  const slash = identity.lastIndexOf("/");
  const renew = lease.spec?.renewTime ?? lease.spec?.acquireTime;
  const renewedAt = renew ? new Date(renew).getTime() : 0;
  return {
    stack,
    who: slash > 0 ? identity.slice(0, slash) : identity,
    token: slash > 0 ? identity.slice(slash + 1) : "",
    what: lease.metadata?.annotations?.[WHAT] ?? "",
    since: lease.spec?.acquireTime ? new Date(lease.spec.acquireTime).toISOString() : "",
    expires: new Date(renewedAt + (lease.spec?.leaseDurationSeconds ?? 0) * 1000).toISOString(),
  };
}
