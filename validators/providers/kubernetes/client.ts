import { ApiException, AppsV1Api, CoordinationV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { OperationalError } from "../../core/errors";

/** The three API groups deployctl reads and writes on a Kubernetes stack. */
export interface KubernetesClients {
  apps: AppsV1Api;
  core: CoreV1Api;
  coordination: CoordinationV1Api;
  /** The server's URL, for messages. */
  server: string;
}

/**
 * Clients from the standard kubeconfig resolution (KUBECONFIG, then ~/.kube/config, then the
 * in-cluster service account), switched to the manifest's `context` when it names one. Tests pass
 * their own KubeConfig.
 */
export function kubernetesClients(options: { context?: string; kubeConfig?: KubeConfig } = {}): KubernetesClients {
  const kc = options.kubeConfig ?? new KubeConfig();
  if (!options.kubeConfig) kc.loadFromDefault();
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new OperationalError(
        `the kubeconfig has no context "${options.context}" (the manifest's kubernetes.context); it has: ${known.join(", ") || "none"}.`,
        "kubernetes:config",
      );
    }
    kc.setCurrentContext(options.context);
  }
  return {
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    server: kc.getCurrentCluster()?.server ?? "(no cluster)",
  };
}

/** The HTTP status of a failed call (404, 409...), or undefined when the server was not reached. */
export function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** Runs one API call; any failure becomes an OperationalError naming what was being done. */
export async function call<T>(what: string, server: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const status = statusOf(err);
    const why = status !== undefined ? `HTTP ${status}` : err instanceof Error ? err.message : String(err);
    throw new OperationalError(`Kubernetes API at ${server}: ${what} failed (${why})`, "kubernetes:api", { cause: err });
  }
}
