import { type DeploymentManifest, type DockerManifest, type EcsManifest, runtimeOf } from "../../contract/manifest";
import { BadInputError } from "../core/errors";
import type { AwsClients } from "./aws/clients";
import { EcsRuntime } from "./aws/ecsRuntime";
import { dockerClient } from "./docker/client";
import { DockerRuntime } from "./docker/dockerRuntime";
import type { Runtime } from "./runtime";

/**
 * The runtime a manifest names (absent: ecs). ECS and Docker are implemented; a Kubernetes
 * manifest is refused here with a message that says so (bad input, exit 2), before anything runs.
 * Docker's engine is $DOCKER_HOST when set, else the manifest's `docker.host`; it needs no AWS clients.
 */
export function openRuntime(
  manifest: DeploymentManifest,
  clients: Pick<AwsClients, "ecs" | "cloudwatch" | "logs"> | undefined,
  options: { concurrency?: number; env?: NodeJS.ProcessEnv } = {},
): Runtime {
  const runtime = runtimeOf(manifest);
  if (runtime === "ecs") {
    if (!clients) throw new Error(`openRuntime: stack ${manifest.stack} runs on ECS and needs the AWS clients`);
    return new EcsRuntime(manifest as EcsManifest, clients, options);
  }
  if (runtime === "docker") {
    const docker = manifest as DockerManifest;
    const host = (options.env ?? process.env).DOCKER_HOST || docker.docker.host;
    return new DockerRuntime(docker, dockerClient(host), host);
  }
  throw new BadInputError(
    `stack ${manifest.stack} runs on ${runtime}: deployctl has no ${runtime} runtime yet (ecs and docker are implemented); see docs/architecture.md, "Adding a runtime".`,
  );
}
