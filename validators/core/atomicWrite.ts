import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Suffix of in-flight temporary files; readers ignore them. */
export const TEMP_SUFFIX = ".tmp";

/**
 * Writes `content` to `path` so that readers see either the old file or the whole new one, never
 * a part: write a temporary file in the same directory, fsync it, rename it over the target (atomic
 * on POSIX within one file system), then fsync the directory so the rename survives a crash.
 * A run killed mid-write leaves at most a `.tmp` file, which readers skip.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  await fs.mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}${TEMP_SUFFIX}`);
  const handle = await fs.open(temp, "wx", 0o600);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(temp, path);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}
