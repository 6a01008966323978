import { createHash } from "node:crypto";
import { z } from "zod";
import { type ConfigProblem, show } from "./errors";

/**
 * The Docker runtime's config (issue 16): `delivery:runtime: docker`, `delivery:docker` and each
 * service's `replicas`, `hostPort`, `writablePaths` and `build`. Pure: schemas, defaults and checks.
 */

const port = z.number({ error: "expected a port number" }).int({ error: "must be a port from 1 to 65535" }).min(1, {
  error: "must be a port from 1 to 65535",
});

/** `delivery:docker`: the engine and the stack's network. */
export const dockerSchema = z.strictObject({
  /** The engine: unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host. @default $DOCKER_HOST, else the local socket */
  host: z
    .string()
    .regex(/^(unix|tcp|ssh|npipe):\/\/\S+$/, { error: "expected an engine address: unix:///path, tcp://host:port or ssh://user@host" })
    .optional(),
  /** The stack's user-defined bridge network. @default "delivery-<stack>" */
  network: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, { error: "expected a Docker network name: letters, digits, '_', '.', '-'" })
    .optional(),
});

/** Per service, Docker runtime only. */
export const dockerServiceFields = {
  /** Containers of the service. @default the tier's desiredCount (local and dev: 1) */
  replicas: z
    .number({ error: "expected a number of containers" })
    .int({ error: "expected a whole number of containers" })
    .min(1, { error: "must be from 1 to 20 containers" })
    .max(20, { error: "must be from 1 to 20 containers" })
    .optional(),
  /** The loopback port the first replica's container port is published on. @default derived from stack and service (20000-29999) */
  hostPort: port.max(65535, { error: "must be a port from 1 to 65535" }).optional(),
  /** The only writable paths (tmpfs) of the otherwise read-only root filesystem. @default ["/tmp"] */
  writablePaths: z.array(z.string().regex(/^\/[A-Za-z0-9_.\-/]*$/, { error: "expected an absolute path inside the container" })).optional(),
  /** Build the image from source (tagged image.repository:image.tag) instead of using one already in the engine. */
  build: z
    .strictObject({
      /** The build context: a directory, relative to the project. */
      context: z.string().min(1, { error: "expected the build context directory" }),
      /** @default "<context>/Dockerfile" */
      dockerfile: z.string().min(1).optional(),
      /** Build arguments. @default {} */
      args: z.record(z.string(), z.string({ error: "expected a string value (quote numbers)" })).optional(),
    })
    .optional(),
};

export const DOCKER_SERVICE_KEYS = Object.keys(dockerServiceFields) as (keyof typeof dockerServiceFields)[];

/** What `delivery:docker` resolves to. */
export interface DockerConfig {
  /** The configured engine; undefined means $DOCKER_HOST, else the local socket (see dockerHost). */
  host?: string;
  network: string;
}

/** A service's Docker settings, defaults applied. */
export interface DockerServiceConfig {
  replicas: number;
  hostPort: number;
  /** Whether hostPort was configured (true) or derived (false). */
  hostPortConfigured: boolean;
  writablePaths: string[];
  build?: { context: string; dockerfile?: string; args: Record<string, string> };
}

export type RawDockerService = { [K in keyof typeof dockerServiceFields]?: z.infer<(typeof dockerServiceFields)[K]> };

/** The default engine when the stack config names none. */
export const LOCAL_DOCKER_SOCKET = "unix:///var/run/docker.sock";

/** The engine a stack talks to: the configured host, else $DOCKER_HOST, else the local socket. */
export function dockerHost(configured: string | undefined, env: Record<string, string | undefined> = process.env): string {
  return configured ?? (env.DOCKER_HOST || LOCAL_DOCKER_SOCKET);
}

/** The stack's network. @default "delivery-<stack>" */
export function dockerNetworkName(stack: string, configured?: string): string {
  return configured ?? `delivery-${stack}`;
}

/** Derived host ports fall in [HOST_PORT_BASE, HOST_PORT_BASE + HOST_PORT_SPAN). */
export const HOST_PORT_BASE = 20000;
export const HOST_PORT_SPAN = 10000;

/** A stable loopback port for a service of a stack: sha256("<stack>/<service>") into 20000-29999. */
export function derivedHostPort(stack: string, service: string): number {
  const digest = createHash("sha256").update(`${stack}/${service}`).digest();
  return HOST_PORT_BASE + (digest.readUInt32BE(0) % HOST_PORT_SPAN);
}

/** The tmpfs options of a writable path: writable, no executables, no setuid, at most 64 MiB. */
export const TMPFS_OPTIONS = "rw,noexec,nosuid,size=64m";

/**
 * Resolves every service's Docker settings. Configured host ports must be unique; a derived port
 * that meets one already taken in the stack moves up to the next free one (in config order).
 */
export function resolveDockerServices(
  stack: string,
  services: readonly { index: number; name: string; raw: RawDockerService; defaultReplicas: number }[],
  problems: ConfigProblem[],
): Map<string, DockerServiceConfig> {
  const out = new Map<string, DockerServiceConfig>();
  const taken = new Map<number, number>();
  for (const s of services) {
    const p = s.raw.hostPort;
    if (p === undefined) continue;
    const other = taken.get(p);
    if (other !== undefined) {
      problems.push({
        code: "duplicate",
        path: `delivery:services[${s.index}].hostPort`,
        message: `is ${p}, as delivery:services[${other}].hostPort is; each service needs its own host port.`,
      });
    } else taken.set(p, s.index);
  }
  for (const s of services) {
    let hostPort = s.raw.hostPort;
    if (hostPort === undefined) {
      hostPort = derivedHostPort(stack, s.name);
      while (taken.has(hostPort)) hostPort = HOST_PORT_BASE + ((hostPort - HOST_PORT_BASE + 1) % HOST_PORT_SPAN);
      taken.set(hostPort, s.index);
    }
    const build = s.raw.build;
    out.set(s.name, {
      replicas: s.raw.replicas ?? s.defaultReplicas,
      hostPort,
      hostPortConfigured: s.raw.hostPort !== undefined,
      writablePaths: [...new Set(s.raw.writablePaths ?? ["/tmp"])],
      ...(build
        ? { build: { context: build.context, ...(build.dockerfile ? { dockerfile: build.dockerfile } : {}), args: { ...build.args } } }
        : {}),
    });
  }
  return out;
}

/** Docker-only service keys given to a stack of another runtime: one problem each. */
export function dockerOnlyProblems(index: number, raw: RawDockerService, runtime: string): ConfigProblem[] {
  return DOCKER_SERVICE_KEYS.filter((k) => raw[k] !== undefined).map((k) => ({
    code: "runtime" as const,
    path: `delivery:services[${index}].${k}`,
    message: `is ${show(raw[k])}; it applies to the Docker runtime only, and this stack's runtime is ${runtime} (set delivery:runtime: docker, or remove it).`,
  }));
}
