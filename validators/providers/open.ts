import { type DeploymentManifest, type EcsManifest, runtimeOf } from "../../contract/manifest";
import { BadInputError } from "../core/errors";
import type { AwsClients } from "./aws/clients";
import { EcsRuntime } from "./aws/ecsRuntime";
import type { Runtime } from "./runtime";

/**
 * The runtime a manifest names (absent: ecs). Only ECS is implemented; a Docker or Kubernetes
 * manifest is refused here with a message that says so (bad input, exit 2), before anything runs.
 */
export function openRuntime(
  manifest: DeploymentManifest,
  clients: Pick<AwsClients, "ecs" | "cloudwatch" | "logs">,
  options: { concurrency?: number } = {},
): Runtime {
  const runtime = runtimeOf(manifest);
  if (runtime === "ecs") return new EcsRuntime(manifest as EcsManifest, clients, options);
  throw new BadInputError(
    `stack ${manifest.stack} runs on ${runtime}: deployctl has no ${runtime} runtime yet (only ecs is implemented); see docs/architecture.md, "Adding a runtime".`,
  );
}
