import { type DeploymentManifest, type EcsManifest, type KubernetesManifest, runtimeOf } from "../../contract/manifest";
import { BadInputError } from "../core/errors";
import type { AwsClients } from "./aws/clients";
import { EcsRuntime } from "./aws/ecsRuntime";
import { type KubernetesClients, kubernetesClients } from "./kubernetes/client";
import { KubernetesRuntime, type KubernetesRuntimeOptions } from "./kubernetes/kubernetesRuntime";
import type { Runtime } from "./runtime";

export interface OpenRuntimeOptions {
  concurrency?: number;
  /**
   * The Kubernetes clients of a Kubernetes stack. @default from the standard kubeconfig resolution
   * (KUBECONFIG, ~/.kube/config, in-cluster), switched to the manifest's kubernetes.context
   */
  kubernetes?: KubernetesClients;
  /** Prometheus' fetch, sleep and the rollback's wait on Kubernetes. */
  kubernetesOptions?: KubernetesRuntimeOptions;
}

/** The Kubernetes clients of a Kubernetes manifest: given ones, else the kubeconfig's with the manifest's context. */
export function kubernetesClientsFor(manifest: KubernetesManifest, given?: KubernetesClients): KubernetesClients {
  return given ?? kubernetesClients({ ...(manifest.kubernetes.context ? { context: manifest.kubernetes.context } : {}) });
}

/**
 * The runtime a manifest names (absent: ecs): ECS or Kubernetes. A Docker manifest is refused here
 * with a message that says so (bad input, exit 2), before anything runs.
 */
export function openRuntime(
  manifest: DeploymentManifest,
  clients: Pick<AwsClients, "ecs" | "cloudwatch" | "logs">,
  options: OpenRuntimeOptions = {},
): Runtime {
  const runtime = runtimeOf(manifest);
  if (runtime === "ecs") return new EcsRuntime(manifest as EcsManifest, clients, options);
  if (manifest.runtime === "kubernetes") {
    return new KubernetesRuntime(manifest, kubernetesClientsFor(manifest, options.kubernetes), options.kubernetesOptions);
  }
  throw new BadInputError(
    `stack ${manifest.stack} runs on ${runtime}: deployctl has no ${runtime} runtime yet (ecs and kubernetes are implemented); see docs/architecture.md, "Adding a runtime".`,
  );
}
