import { randomBytes, randomUUID } from "node:crypto";
import { confinedPath } from "../core/confine";
import { promises as fs } from "node:fs";
import { writeFileAtomic } from "../core/atomicWrite";
import { type LockHandle, type LockInfo, type LockRequest, LockError, type StackLock, type TryAcquireResult } from "./types";

/** A takeover guard older than this is left over from a crashed caller and is removed. */
const GUARD_STALE_MS = 30_000;

/**
 * The local tier's stack lock: `<dir>/<stack>.lock`, created whole and exclusively (the content is
 * written to a temporary file which is then hard-linked to the lock path; link fails with EEXIST
 * when the lock exists, so exactly one caller wins). A stale lease is taken over under a short
 * exclusive guard file, so two callers cannot both replace the same stale lock.
 */
export class FileStackLock implements StackLock {
  readonly location: string;

  constructor(
    private readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.location = dir;
  }

  async tryAcquire(request: LockRequest): Promise<TryAcquireResult> {
    const path = this.pathOf(request.stack);
    const info = this.newInfo(request);
    try {
      await fs.mkdir(this.dir, { recursive: true });
      if (await createExclusive(path, info)) return { acquired: true, handle: this.handle(path, info, request.leaseSeconds) };
      const holder = await readLock(path);
      if (holder && !this.expired(holder)) return { acquired: false, holder };
      return await this.takeOver(path, holder, info, request.leaseSeconds);
    } catch (err) {
      if (err instanceof LockError) throw err;
      throw new LockError(`cannot take the lock ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  private async takeOver(path: string, stale: LockInfo | undefined, info: LockInfo, leaseSeconds: number): Promise<TryAcquireResult> {
    const guard = `${path}.takeover`;
    if (!(await createExclusive(guard, info))) {
      const stat = await fs.stat(guard).catch(() => undefined);
      if (stat && this.now().getTime() - stat.mtimeMs > GUARD_STALE_MS) await fs.rm(guard, { force: true });
      return { acquired: false, holder: stale };
    }
    try {
      const current = await readLock(path);
      if (current && (current.token !== stale?.token || !this.expired(current))) return { acquired: false, holder: current };
      await fs.rm(path, { force: true });
      if (await createExclusive(path, info)) return { acquired: true, handle: this.handle(path, info, leaseSeconds) };
      return { acquired: false, holder: await readLock(path) };
    } finally {
      await fs.rm(guard, { force: true });
    }
  }

  private handle(path: string, initial: LockInfo, leaseSeconds: number): LockHandle {
    let info = initial;
    return {
      get info() {
        return info;
      },
      renew: async () => {
        const current = await readLock(path);
        if (current?.token !== initial.token)
          throw new LockError(`cannot renew ${path}: the lock was taken over by ${current?.who ?? "nobody"}`);
        const next = { ...info, expires: new Date(this.now().getTime() + leaseSeconds * 1000).toISOString() };
        await writeFileAtomic(path, JSON.stringify(next));
        info = next;
      },
      release: async () => {
        const current = await readLock(path);
        if (current?.token !== initial.token) return false;
        await fs.rm(path, { force: true });
        return true;
      },
    };
  }

  private newInfo(request: LockRequest): LockInfo {
    const now = this.now();
    return {
      stack: request.stack,
      who: request.who,
      what: request.what,
      since: now.toISOString(),
      expires: new Date(now.getTime() + request.leaseSeconds * 1000).toISOString(),
      token: randomUUID(),
    };
  }

  private expired(info: LockInfo): boolean {
    const expires = Date.parse(info.expires);
    return Number.isNaN(expires) || expires <= this.now().getTime();
  }

  private pathOf(stack: string): string {
    return confinedPath(this.dir, [{ value: stack, field: "stack", suffix: ".lock" }]);
  }
}

/** Creates `path` holding `info` whole, or returns false when it already exists. */
async function createExclusive(path: string, info: LockInfo): Promise<boolean> {
  const temp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  await fs.writeFile(temp, JSON.stringify(info), { flag: "wx", mode: 0o600 });
  try {
    await fs.link(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/** The lock's content, or undefined when the file is absent or unreadable (treated as stale). */
async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(path, "utf8")) as Partial<LockInfo>;
    if (typeof parsed.token !== "string" || typeof parsed.expires !== "string") return undefined;
    return parsed as LockInfo;
  } catch {
    return undefined;
  }
}
