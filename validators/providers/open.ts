import {
  type DeploymentManifest,
  type DockerManifest,
  type EcsManifest,
  type KubernetesManifest,
  runtimeOf,
} from "../../contract/manifest";
import { BadInputError } from "../core/errors";
import type { AwsClients } from "./aws/clients";
import { EcsRuntime } from "./aws/ecsRuntime";
import { dockerClient } from "./docker/client";
import { DockerRuntime } from "./docker/dockerRuntime";
import { type KubernetesClients, kubernetesClients } from "./kubernetes/client";
import { KubernetesRuntime, type KubernetesRuntimeOptions } from "./kubernetes/kubernetesRuntime";
import type { Runtime } from "./runtime";
import type { GateObserver } from "./gateObservations";
import { EcsGateObserver } from "./aws/ecsGate";
import { DockerGateObserver } from "./docker/gate";
import { KubernetesGateObserver, type KubernetesGateOptions } from "./kubernetes/gate";

export interface OpenRuntimeOptions {
  concurrency?: number;
  /**
   * The Kubernetes clients of a Kubernetes stack. @default from the standard kubeconfig resolution
   * (KUBECONFIG, ~/.kube/config, in-cluster), switched to the manifest's kubernetes.context
   */
  kubernetes?: KubernetesClients;
  /** Prometheus' fetch, sleep and the rollback's wait on Kubernetes. */
  kubernetesOptions?: KubernetesRuntimeOptions;
  /** Where DOCKER_HOST is read. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** The Kubernetes clients of a Kubernetes manifest: given ones, else the kubeconfig's with the manifest's context. */
export function kubernetesClientsFor(manifest: KubernetesManifest, given?: KubernetesClients): KubernetesClients {
  return given ?? kubernetesClients({ ...(manifest.kubernetes.context ? { context: manifest.kubernetes.context } : {}) });
}

/**
 * The runtime a manifest names (absent: ecs): ECS, Docker or Kubernetes. Docker's engine is
 * $DOCKER_HOST when set, else the manifest's `docker.host`; Docker and Kubernetes need no AWS clients.
 */
export function openRuntime(
  manifest: DeploymentManifest,
  clients: Pick<AwsClients, "ecs" | "cloudwatch" | "logs"> | undefined,
  options: OpenRuntimeOptions = {},
): Runtime {
  const runtime = runtimeOf(manifest);
  if (runtime === "ecs") {
    if (!clients) throw new Error(`openRuntime: stack ${manifest.stack} runs on ECS and needs the AWS clients`);
    return new EcsRuntime(manifest as EcsManifest, clients, options);
  }
  if (manifest.runtime === "kubernetes") {
    return new KubernetesRuntime(manifest, kubernetesClientsFor(manifest, options.kubernetes), options.kubernetesOptions);
  }
  if (runtime === "docker") {
    const docker = manifest as DockerManifest;
    const host = (options.env ?? process.env).DOCKER_HOST || docker.docker.host;
    return new DockerRuntime(docker, dockerClient(host), host);
  }
  throw new BadInputError(
    `stack ${manifest.stack} runs on ${runtime}: deployctl has no ${runtime} runtime yet; see docs/architecture.md, "Adding a runtime".`,
  );
}

/**
 * What the manifest's runtime tells the gate: ECS (ECR, CloudWatch alarms, ECS deployments),
 * Kubernetes (the images' registries, Prometheus' ALERTS, Deployments) or Docker (the engine).
 */
export function openGateObserver(
  manifest: DeploymentManifest,
  clients: Pick<AwsClients, "ecs" | "ecr" | "cloudwatch"> | undefined,
  options: Pick<OpenRuntimeOptions, "kubernetes" | "env"> & { kubernetesGate?: KubernetesGateOptions } = {},
): GateObserver {
  if (manifest.runtime === "kubernetes") {
    return new KubernetesGateObserver(manifest, kubernetesClientsFor(manifest, options.kubernetes), options.kubernetesGate);
  }
  if (manifest.runtime === "docker") {
    const host = (options.env ?? process.env).DOCKER_HOST || manifest.docker.host;
    return new DockerGateObserver(manifest, dockerClient(host), host);
  }
  if (!clients) throw new Error(`openGateObserver: stack ${manifest.stack} runs on ECS and needs the AWS clients`);
  return new EcsGateObserver(manifest, clients);
}
