/**
 * Pure settings of the Docker runtime: container names, labels, health check, limits, writable
 * paths and the `deployment` manifest. No Pulumi here; tested on their own.
 */
import { deployOrder, type EnvironmentConfig, TMPFS_OPTIONS } from "../config";
import { type DockerManifest, MANIFEST_SCHEMA_VERSION } from "../../contract/manifest";
import { manifestThresholds } from "../components/lib/manifest";

/** The labels that tell a stack's containers apart: the validator lists a service's containers by the first two. */
export const LABEL_STACK = "delivery.stack";
export const LABEL_SERVICE = "delivery.service";
/** The image tag the container was created from (the release). */
export const LABEL_RELEASE = "delivery.release";

/** A crashing container restarts at most this many times (restart policy on-failure), then stays exited. */
export const DEFAULT_MAX_RESTARTS = 5;

/** The health check's timing. */
export const HEALTH_CHECK = { interval: "10s", timeout: "3s", retries: 3, startPeriod: "20s" } as const;

/** `<repository>:<tag>`: what a container of the release runs (and what `docker inspect` shows as its Config.Image). */
export function imageReference(repository: string, tag: string): string {
  return `${repository}:${tag}`;
}

/** The engine's name of a replica's container: `<stack>-<service>-<n>`, n from 1. */
export function containerName(stack: string, service: string, replica: number): string {
  return `${stack}-${service}-${replica}`;
}

/** The container's labels, in a stable order. */
export function containerLabels(stack: string, service: string, release: string): { label: string; value: string }[] {
  return [
    { label: LABEL_RELEASE, value: release },
    { label: LABEL_SERVICE, value: service },
    { label: LABEL_STACK, value: stack },
  ];
}

/**
 * The health check: GET http://127.0.0.1:<port><path> from inside the container with `wget`
 * (busybox and Alpine images have it), every 10 s, 3 retries, 20 s to start.
 */
export function healthCheck(port: number, path: string) {
  return {
    tests: ["CMD-SHELL", `wget -q -O /dev/null http://127.0.0.1:${port}${path} || exit 1`],
    interval: HEALTH_CHECK.interval,
    timeout: HEALTH_CHECK.timeout,
    retries: HEALTH_CHECK.retries,
    startPeriod: HEALTH_CHECK.startPeriod,
  };
}

/** CPU units (1024 per CPU, as ECS counts them) as Docker's `cpus`, e.g. 256 -> "0.25". */
export function dockerCpus(cpuUnits: number): string {
  return String(Math.round((cpuUnits / 1024) * 1000) / 1000);
}

/** The environment as `NAME=value` entries, sorted by name (stable diffs). */
export function environmentList(environment: Record<string, string>): string[] {
  return Object.keys(environment)
    .sort()
    .map((k) => `${k}=${environment[k]}`);
}

/** tmpfs mounts for the writable paths of the read-only root filesystem. */
export function tmpfsFor(paths: readonly string[]): Record<string, string> {
  return Object.fromEntries(paths.map((p) => [p, TMPFS_OPTIONS]));
}

/** The URL the validator calls: the first replica's port on the engine's loopback. */
export function serviceUrl(hostPort: number): string {
  return `http://127.0.0.1:${hostPort}`;
}

/** The `deployment` stack output of a Docker stack (contract/manifest.ts, runtime "docker"). */
export function buildDockerManifest(config: EnvironmentConfig, host: string): DockerManifest {
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    runtime: "docker",
    project: config.project,
    stack: config.stack,
    docker: { host },
    thresholds: manifestThresholds(config.alarms),
    history: { prefix: `${config.stack}/` },
    services: deployOrder(config.services).map((svc) => {
      if (!svc.docker) throw new Error(`service ${svc.name} has no Docker settings; is delivery:runtime docker?`);
      return {
        name: svc.name,
        image: svc.image.repository,
        imageTag: svc.image.tag,
        replicas: svc.docker.replicas,
        url: serviceUrl(svc.docker.hostPort),
        healthPath: svc.healthCheckPath,
        smokePaths: [...svc.smokePaths],
        dependsOn: [...svc.dependsOn],
      };
    }),
  };
}
