import { call, type KubernetesClients } from "./client";

export interface PodLogRequest {
  namespace: string;
  pod: string;
  /** @default the pod's only container */
  container?: string;
  /** @default 100 */
  tailLines?: number;
  /** Only lines written since then (the API takes seconds: rounded up). @default all */
  sinceTime?: Date;
}

/**
 * A pod's last lines (`tailLines`, `sinceTime`), as `kubectl logs --tail --since-time` reads them.
 * The 1.x client's readNamespacedPodLog takes sinceSeconds only, so sinceTime becomes seconds before now.
 */
export async function podLogLines(
  clients: KubernetesClients,
  request: PodLogRequest,
  now: () => Date = () => new Date(),
): Promise<string[]> {
  const sinceSeconds = request.sinceTime ? Math.max(1, Math.ceil((now().getTime() - request.sinceTime.getTime()) / 1000)) : undefined;
  const text = await call(`reading the logs of pod ${request.namespace}/${request.pod}`, clients.server, () =>
    clients.core.readNamespacedPodLog({
      name: request.pod,
      namespace: request.namespace,
      ...(request.container ? { container: request.container } : {}),
      tailLines: request.tailLines ?? 100,
      ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
    }),
  );
  return text.split("\n").filter((line, i, all) => line !== "" || i < all.length - 1);
}
