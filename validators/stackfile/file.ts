import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseDocument } from "yaml";
import { BadInputError } from "../core/errors";

/** The stack file of `stack` in the Pulumi project folder `dir`. */
export function stackFilePath(dir: string, stack: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new BadInputError(`--stack is ${JSON.stringify(stack)}; expected a stack name: letters, digits, '_', '.' or '-'`);
  }
  return join(dir, `Pulumi.${stack}.yaml`);
}

export function readStackFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new BadInputError(
      `${basename(path)} cannot be read in ${dirname(path)} (${(err as NodeJS.ErrnoException).code ?? String(err)}); pass --dir with the Pulumi project folder`,
      {
        cause: err,
      },
    );
  }
}

/** The project name in `dir`/Pulumi.yaml, or `fallback` when there is none. */
export function projectName(dir: string, fallback = "delivery"): string {
  try {
    const name = parseDocument(readFileSync(join(dir, "Pulumi.yaml"), "utf8")).get("name");
    return typeof name === "string" && name !== "" ? name : fallback;
  } catch {
    return fallback;
  }
}

/** Replaces the file's content all at once: a temp file in the same folder, fsync, rename. A killed run leaves the old file. */
export function writeFileAtomic(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const mode = statSync(path, { throwIfNoEntry: false })?.mode ?? 0o644;
  try {
    const fd = openSync(temp, "wx", mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
