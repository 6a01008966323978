import type Docker from "dockerode";
import { type CallOptions, DEFAULT_DOCKER_TIMEOUT_MS, dockerCall, DockerProviderError } from "./client";
import { listServiceContainers, type ServiceRef } from "./containers";

/** Seconds a container gets to stop (SIGTERM) before the engine kills it, on a restart. @default 10 */
export const RESTART_STOP_SECONDS = 10;

/**
 * A new start of the same release on Docker: every container of the service is restarted through
 * the engine (`POST /containers/{id}/restart`: stopped, given `stopSeconds` to exit, started again
 * with the same image and settings). Returns the containers restarted, by name. A service with no
 * container is an error (nothing to restart).
 */
export async function restartService(
  client: Docker,
  ref: ServiceRef,
  options: CallOptions & { stopSeconds?: number } = {},
): Promise<string[]> {
  const stopSeconds = options.stopSeconds ?? RESTART_STOP_SECONDS;
  const listed = await listServiceContainers(client, ref, options);
  if (listed.length === 0) {
    throw new DockerProviderError(
      `no container of ${ref.stack}/${ref.service} exists to restart`,
      "not-found",
      `restart ${ref.stack}/${ref.service}`,
    );
  }
  // The call may take the stop's grace period on top of an ordinary call's time.
  const timeoutMs = (options.timeoutMs ?? DEFAULT_DOCKER_TIMEOUT_MS) + stopSeconds * 1000;
  const restarted: string[] = [];
  for (const { id, name } of listed) {
    await dockerCall(`restart container ${name}`, (abortSignal) => client.getContainer(id).restart({ t: stopSeconds, abortSignal }), {
      timeoutMs,
    });
    restarted.push(name);
  }
  return restarted;
}
