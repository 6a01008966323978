import type Docker from "dockerode";
import type { DockerManifest } from "../../../contract/manifest";
import { OperationalError } from "../../core/errors";
import type { AlertsObservation, GateObserver, GateRolloutObservation, ImageObservation } from "../gateObservations";
import type { RolloutState } from "../runtime";
import { type CallOptions, DockerProviderError } from "./client";
import { imageExists, observeService, type ReplicaObservation as Container } from "./containers";

/** Container states that mean the engine is (re)creating or restarting the service. */
const MOVING: readonly Container["state"][] = ["created", "restarting", "removing"];

/**
 * The gate's observations of a Docker stack. Image: `image:tag` must be in the engine (image
 * inspect): the Docker runtime creates containers from local images and pulls nothing, so an image
 * only in a registry would fail the deploy. Alarms: none (a Docker stack has no alerting), the check
 * is skipped. Rollout: a service's containers being created, restarting or removed, or starting
 * (health `starting`), is a rollout in progress.
 */
export class DockerGateObserver implements GateObserver {
  readonly name = "docker" as const;

  constructor(
    private readonly manifest: DockerManifest,
    private readonly client: Docker,
    private readonly host: string,
    private readonly options: CallOptions = {},
  ) {}

  private selected(names: readonly string[]) {
    return this.manifest.services.filter((s) => names.includes(s.name));
  }

  async images(services: readonly string[], tag: string): Promise<Map<string, ImageObservation>> {
    const result = new Map<string, ImageObservation>();
    for (const s of this.selected(services)) {
      const reference = `${s.image}:${tag}`;
      const repository = `${s.image} in the Docker engine ${this.host}`;
      result.set(
        s.name,
        (await engine(() => imageExists(this.client, reference, this.options)))
          ? { state: "exists", repository }
          : { state: "missing", repository, why: `no image ${reference} (nothing is pulled: build or pull it first)` },
      );
    }
    return result;
  }

  async alerts(): Promise<AlertsObservation> {
    return { kind: "none", reason: "a Docker stack has no alarms" };
  }

  async rollouts(services: readonly string[]): Promise<Map<string, GateRolloutObservation>> {
    const result = new Map<string, GateRolloutObservation>();
    for (const s of this.selected(services)) {
      const { replicas } = await engine(() => observeService(this.client, { stack: this.manifest.stack, service: s.name }, this.options));
      result.set(s.name, dockerGateRollout(s.name, this.manifest.stack, s.replicas, replicas));
    }
    return result;
  }
}

/** A Docker service's containers as the gate sees them (see DockerGateObserver). */
export function dockerGateRollout(
  service: string,
  stack: string,
  desired: number,
  containers: readonly Container[],
): GateRolloutObservation {
  const base = { name: `service ${service}`, fullName: `Service ${service} of stack ${stack}`, revisionWord: "Release" };
  const facts = {
    containers: containers.map((c) => ({ name: c.name, image: c.image, state: c.state, health: c.health })),
    desired,
  };
  if (containers.length === 0) {
    return { ...base, found: false, revision: null, stateReason: null, runs: "(none)", running: 0, desired, facts: { found: false } };
  }
  const moving = containers.filter((c) => MOVING.includes(c.state) || c.health === "starting");
  const failed = containers.filter((c) => c.state === "exited" || c.state === "dead");
  const running = containers.filter((c) => c.state === "running" && c.health !== "starting").length;
  const state: RolloutState = moving.length > 0 ? "IN_PROGRESS" : failed.length > 0 ? "FAILED" : "COMPLETED";
  const tags = [...new Set(containers.map((c) => c.tag ?? c.image))];
  return {
    ...base,
    found: true,
    state,
    revision: tags.join(", "),
    stateReason:
      failed.length > 0
        ? failed.map((c) => `${c.name} ${c.oomKilled ? "was killed out of memory" : `exited with code ${c.exitCode}`}`).join("; ")
        : moving.length > 0
          ? moving.map((c) => `${c.name} is ${c.health === "starting" ? "starting" : c.state}`).join("; ")
          : null,
    runs: [...new Set(containers.map((c) => c.image))].join(", "),
    running,
    desired,
    facts,
  };
}

/** An engine call; the engine unreachable or failing is an operational error (exit 4). */
async function engine<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof DockerProviderError) throw new OperationalError(err.message, `docker:${err.operation}`, { cause: err });
    throw err;
  }
}
