import { isAbsolute, relative, resolve } from "node:path";
import { BadInputError } from "../core/errors";
import type { AwsClients } from "../providers/aws/clients";
import type { EcsManifest } from "../../contract/manifest";
import { LocalRecordStore } from "./localStore";
import type { SecretRegistry } from "../core/redact";
import { S3RecordStore } from "./s3Store";
import type { RecordStore } from "./types";

export interface OpenRecordStoreOptions {
  manifest: Pick<EcsManifest, "stack" | "history">;
  clients: Pick<AwsClients, "s3">;
  /** Where the local tier's `.delivery/records/<stack>/` lives. */
  cwd: string;
  /** Overrides the local directory (`--records-dir`); used for this stack's records as is. */
  recordsDir?: string;
  secrets?: SecretRegistry;
}

/** The default local directory for a stack's records: `<cwd>/.delivery/records/<stack>`. */
export function defaultRecordsDir(cwd: string, stack: string): string {
  const root = resolve(cwd, ".delivery", "records");
  return confined(root, stack, "stack");
}

/** `root/segment`, resolved; a segment that leaves `root` (`..`, `/`, empty) is bad input naming `field`. */
export function confined(root: string, segment: string, field: string): string {
  const path = resolve(root, segment);
  const rel = relative(root, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw new BadInputError(`${field} ${JSON.stringify(segment.slice(0, 80))} would write outside ${root}; refused.`);
  }
  return path;
}

/**
 * The stack's record store: S3 (`history.bucket` + `history.prefix`) for cloud stacks, a local
 * directory otherwise (`--records-dir`, else `.delivery/records/<stack>/` under the cwd).
 * `--records-dir` wins over the bucket, so a pipeline can keep records as build artifacts.
 */
export function openRecordStore(options: OpenRecordStoreOptions): RecordStore {
  const { manifest, clients, secrets } = options;
  if (options.recordsDir !== undefined) return new LocalRecordStore(options.recordsDir, secrets);
  if (manifest.history?.bucket) return new S3RecordStore(clients.s3, manifest.history.bucket, manifest.history.prefix, secrets);
  return new LocalRecordStore(defaultRecordsDir(options.cwd, manifest.stack), secrets);
}
