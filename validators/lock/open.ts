import { join } from "node:path";
import type { AwsClients } from "../providers/aws/clients";
import type { EcsManifest } from "../../contract/manifest";
import { DynamoStackLock } from "./dynamoLock";
import { FileStackLock } from "./fileLock";
import type { StackLock } from "./types";

/** Default lease: long enough for a deploy with its validation wait; renewed at each stage. */
export const DEFAULT_LEASE_SECONDS = 30 * 60;

/**
 * The stack's lock: DynamoDB (`history.lockTable`) for cloud stacks, else a lock file in
 * `<cwd>/.delivery/locks/` (the local tier).
 */
export function openStackLock(options: {
  manifest: Pick<EcsManifest, "history">;
  clients: Pick<AwsClients, "dynamodb">;
  cwd: string;
  now?: () => Date;
}): StackLock {
  const table = options.manifest.history?.lockTable;
  if (table) return new DynamoStackLock(options.clients.dynamodb, table, options.now);
  return new FileStackLock(join(options.cwd, ".delivery", "locks"), options.now);
}
