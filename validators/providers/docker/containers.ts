import type Docker from "dockerode";
import { type CallOptions, dockerCall } from "./client";

/** The labels the program puts on every container (infra/docker/settings.ts). */
export const LABELS = { stack: "delivery.stack", service: "delivery.service", release: "delivery.release" } as const;

/** Which service's containers: those labelled with both. */
export interface ServiceRef {
  stack: string;
  service: string;
}

export type ReplicaState = "created" | "running" | "restarting" | "paused" | "exited" | "removing" | "dead" | "unknown";
export type ReplicaHealth = "healthy" | "unhealthy" | "starting" | "none";

/** One container of a service, as observed: runtime-neutral facts, no judgement. */
export interface ReplicaObservation {
  id: string;
  /** The container's name, without the leading '/'. */
  name: string;
  /** The image reference it was created from (e.g. `delivery/api:v2`). */
  image: string;
  /** The reference's tag, when it has one. */
  tag?: string;
  /** The `delivery.release` label. */
  release?: string;
  state: ReplicaState;
  /** The health check's verdict; "none" when the container has no health check. */
  health: ReplicaHealth;
  /** Its last exit code (0 while it never exited). */
  exitCode: number;
  /** The kernel killed it for exceeding its memory limit. */
  oomKilled: boolean;
  /** How many times the engine restarted it (its restart policy). */
  restartCount: number;
  /** ISO time it was created. */
  createdAt?: string;
  /** ISO time it last started; undefined if never. */
  startedAt?: string;
  /** ISO time it last stopped; undefined while it never did. */
  finishedAt?: string;
  /** The engine's error for it (e.g. a failed start), when any. */
  error?: string;
}

export interface ServiceObservation extends ServiceRef {
  /** By name. */
  replicas: ReplicaObservation[];
}

/** The tag of an image reference: after the last ':' that follows the last '/' (none for digests or bare names). */
export function tagOf(reference: string): string | undefined {
  const at = reference.indexOf("@");
  const ref = at >= 0 ? reference.slice(0, at) : reference;
  const colon = ref.lastIndexOf(":");
  return colon > ref.lastIndexOf("/") ? ref.slice(colon + 1) : undefined;
}

const ZERO_TIME = /^0001-01-01/;
const STATES: readonly ReplicaState[] = ["created", "running", "restarting", "paused", "exited", "removing", "dead"];

/** The plain observation of an inspected container. */
export function replicaOf(info: Docker.ContainerInspectInfo): ReplicaObservation {
  const state = info.State;
  const health = state.Health?.Status;
  const status = STATES.find((s) => s === state.Status) ?? "unknown";
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    image: info.Config.Image,
    ...(tagOf(info.Config.Image) ? { tag: tagOf(info.Config.Image) } : {}),
    ...(info.Config.Labels?.[LABELS.release] ? { release: info.Config.Labels[LABELS.release] } : {}),
    state: status,
    health: health === "healthy" || health === "unhealthy" || health === "starting" ? health : "none",
    exitCode: state.ExitCode,
    oomKilled: state.OOMKilled,
    restartCount: info.RestartCount,
    ...(info.Created && !ZERO_TIME.test(info.Created) ? { createdAt: info.Created } : {}),
    ...(state.StartedAt && !ZERO_TIME.test(state.StartedAt) ? { startedAt: state.StartedAt } : {}),
    ...(state.FinishedAt && !ZERO_TIME.test(state.FinishedAt) ? { finishedAt: state.FinishedAt } : {}),
    ...(state.Error ? { error: state.Error } : {}),
  };
}

/** The ids of a service's containers (running or not), by name. */
export async function listServiceContainers(
  client: Docker,
  ref: ServiceRef,
  options: CallOptions = {},
): Promise<{ id: string; name: string }[]> {
  const filters = { label: [`${LABELS.stack}=${ref.stack}`, `${LABELS.service}=${ref.service}`] };
  const found = await dockerCall(
    `list containers of ${ref.stack}/${ref.service}`,
    (abortSignal) => client.listContainers({ all: true, filters, abortSignal }),
    options,
  );
  return found
    .map((c) => ({ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, "") }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Inspects one container. */
export async function inspectReplica(client: Docker, id: string, options: CallOptions = {}): Promise<ReplicaObservation> {
  return replicaOf(await inspectContainer(client, id, options));
}

/** The engine's full view of a container (for recreating it). */
export function inspectContainer(client: Docker, id: string, options: CallOptions = {}): Promise<Docker.ContainerInspectInfo> {
  return dockerCall(`inspect container ${id.slice(0, 12)}`, (abortSignal) => client.getContainer(id).inspect({ abortSignal }), options);
}

/** Every container of a service, inspected. A container removed meanwhile is left out. */
export async function observeService(client: Docker, ref: ServiceRef, options: CallOptions = {}): Promise<ServiceObservation> {
  const listed = await listServiceContainers(client, ref, options);
  const replicas: ReplicaObservation[] = [];
  for (const c of listed) {
    try {
      replicas.push(await inspectReplica(client, c.id, options));
    } catch (err) {
      if ((err as { code?: string }).code !== "not-found") throw err;
    }
  }
  return { ...ref, replicas };
}

/** Whether the engine holds an image (nothing is pulled). */
export async function imageExists(client: Docker, reference: string, options: CallOptions = {}): Promise<boolean> {
  try {
    await dockerCall(`inspect image ${reference}`, () => client.getImage(reference).inspect(), options);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "not-found") return false;
    throw err;
  }
}
