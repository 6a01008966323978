import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { basename, dirname, join } from "node:path";

/** Suffix of in-flight temporary files; readers ignore them. */
export const TEMP_SUFFIX = ".tmp";
/** Every file written here is readable and writable by its owner only (records, state, stack files, synth documents). */
export const FILE_MODE = 0o600;

/**
 * Writes `content` to `path` so that readers see either the old file or the whole new one, never
 * a part: write a temporary file (mode 0600) in the same directory, fsync it, rename it over the
 * target (atomic on POSIX within one file system), then fsync the directory so the rename survives
 * a crash. A run killed mid-write leaves at most a `.tmp` file, which readers skip. The directory is
 * created when missing. The file ends with mode 0600 whatever the old file's mode was.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  await fs.promises.mkdir(dir, { recursive: true });
  const temp = tempPath(path);
  const handle = await fs.promises.open(temp, "wx", FILE_MODE);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.promises.rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.promises.rename(temp, path);
  } catch (err) {
    await fs.promises.rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dir);
}

/**
 * `writeFileAtomic` for synchronous callers (the stack file edits of `config set-image` and
 * `promote`): the same rules, step for step.
 */
export function writeFileAtomicSync(path: string, content: string): void {
  const dir = dirname(path);
  fs.mkdirSync(dir, { recursive: true });
  const temp = tempPath(path);
  try {
    const fd = fs.openSync(temp, "wx", FILE_MODE);
    try {
      fs.writeFileSync(fd, content, "utf8");
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, path);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  syncDirectorySync(dir);
}

function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}${TEMP_SUFFIX}`);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, "r");
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}

function syncDirectorySync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
