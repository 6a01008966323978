import type { DeploymentManifest } from "../../contract/manifest";
import type { GateCheckName } from "../../contract/report";
import type { GateObserver } from "../providers/gateObservations";
import type { ReleaseRegistry } from "../release/lastGood";

/** What `deployctl gate` checks before a deploy. */
export interface GateOptions {
  manifest: DeploymentManifest;
  /** Only these services (by manifest name). @default every service */
  services?: string[];
  /** The image tag about to be deployed; without it the image check is skipped. */
  tag?: string;
  /** Checks not to run; reported as skipped. */
  skip?: GateCheckName[];
  onProgress?: (message: string) => void;
  /** Registry calls in flight at once. @default 10 */
  concurrency?: number;
}

/** The gate's outside world, picked by the composition root for the manifest's runtime. */
export interface GateDeps {
  /** The runtime's answers: images, firing alerts, rollouts. */
  observer: GateObserver;
  /** Where the stack's last good releases live (SSM, the ConfigMap delivery-releases, `.delivery/`). */
  registry: Pick<ReleaseRegistry, "get" | "location">;
  /** @default () => new Date() */
  now?: () => Date;
}

/** The SSM parameter holding a service's last good release (written after a passing validation). */
export { lastGoodParameterName } from "../../contract/names";
