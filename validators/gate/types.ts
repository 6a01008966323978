import type { AwsClients } from "../providers/aws/clients";
import type { EcsManifest } from "../../contract/manifest";
import type { GateCheckName } from "../../contract/report";

/** What `deployctl gate` checks before a deploy. */
export interface GateOptions {
  manifest: EcsManifest;
  /** Only these services (by manifest name). @default every service */
  services?: string[];
  /** The image tag about to be deployed; without it the image check is skipped. */
  tag?: string;
  /** Checks not to run; reported as skipped. */
  skip?: GateCheckName[];
  onProgress?: (message: string) => void;
  /** AWS calls of one kind in flight at once. @default 10 */
  concurrency?: number;
}

export interface GateDeps {
  clients: AwsClients;
  /** @default () => new Date() */
  now?: () => Date;
}

/** The SSM parameter holding a service's last good release (written after a passing validation). */
export { lastGoodParameterName } from "../../contract/names";
