import { promises as fs } from "node:fs";
import { join } from "node:path";
import { TEMP_SUFFIX, writeFileAtomic } from "../core/atomicWrite";
import { insideRoot } from "../core/confine";
import { RecordStoreError } from "./errors";
import { redact, type SecretRegistry } from "../core/redact";
import { sortNewestFirst } from "./stats";
import type { RecordStore, RunRecord } from "./types";

/**
 * Run records in a local directory (the `local` tier): one `<runId>.json` per run, state documents
 * under `state/`. Every write is atomic (temp file, fsync, rename) and redacted.
 */
export class LocalRecordStore implements RecordStore {
  readonly location: string;

  constructor(
    private readonly dir: string,
    private readonly secrets?: SecretRegistry,
  ) {
    this.location = dir;
  }

  async put(record: RunRecord): Promise<string> {
    const path = join(this.dir, `${safeName(record.runId)}.json`);
    await this.write(path, redact(record, this.secrets?.values()));
    return path;
  }

  async list(options: { limit?: number } = {}): Promise<RunRecord[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw new RecordStoreError(`cannot list run records in ${this.dir}: ${errorMessage(err)}`, { cause: err });
    }
    const files = names.filter((n) => n.endsWith(".json") && !n.endsWith(TEMP_SUFFIX) && !n.startsWith("."));
    const records = await Promise.all(files.map((name) => this.read<RunRecord>(join(this.dir, name))));
    const sorted = sortNewestFirst(records.filter((r): r is RunRecord => r !== undefined));
    return options.limit === undefined ? sorted : sorted.slice(0, options.limit);
  }

  redact<T>(value: T): T {
    return redact(value, this.secrets?.values());
  }

  async readState(name: string): Promise<unknown> {
    return this.read(join(this.dir, "state", `${safeName(name)}.json`));
  }

  async writeState(name: string, value: unknown): Promise<void> {
    await this.write(join(this.dir, "state", `${safeName(name)}.json`), redact(value, this.secrets?.values()));
  }

  private async write(path: string, value: unknown): Promise<void> {
    // Every write resolved and kept under the store's directory (names are already made safe).
    const target = insideRoot(this.dir, path, "run record");
    try {
      await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
    } catch (err) {
      throw new RecordStoreError(`cannot write ${path}: ${errorMessage(err)}`, { cause: err });
    }
  }

  private async read<T>(path: string): Promise<T | undefined> {
    let text: string;
    try {
      text = await fs.readFile(path, "utf8");
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new RecordStoreError(`cannot read ${path}: ${errorMessage(err)}`, { cause: err });
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new RecordStoreError(`${path} is not valid JSON (${errorMessage(err)}); move it aside or delete it`, { cause: err });
    }
  }
}

/** File names from run ids and state names: letters, digits, '.', '_', '-' only. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
