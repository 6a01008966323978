import type Docker from "dockerode";
import type { DockerManifest, DockerManifestService } from "../../../contract/manifest";
import type {
  FastRollbackAction,
  FastRollbackTarget,
  LatencyPercentiles,
  LogQuery,
  LogScan,
  Outcome,
  ReplicaObservation,
  ReplicasObservation,
  RestartAction,
  RolloutObservation,
  RolloutState,
  Runtime,
  TrafficCounts,
  Vocabulary,
} from "../runtime";
import type { CallOptions } from "./client";
import { imageExists, observeService, type ReplicaObservation as Container } from "./containers";
import { readContainerLogs } from "./logs";
import { recreateService } from "./recreate";
import { restartService } from "./restart";
import { RequestCounts } from "./requestCounts";

/**
 * The Docker runtime: a service is its containers labelled delivery.stack and delivery.service.
 * Rollout: `replicas` containers run image:imageTag and none of another tag remains. Replicas: each
 * container running (and healthy, with a health check); an exited one names its exit code, an
 * OOM-killed one out of memory; RestartCount is read when the rollout is first seen and again at
 * the end of the watch, any rise is a crash loop. Traffic and latency: the validator's own smoke and
 * watchdog requests (RequestCounts, the `tap`). Logs: the last 100 lines (or --tail-lines) of each container. The fast
 * rollback recreates the containers from the release's image with the same settings.
 */
export class DockerRuntime implements Runtime {
  readonly name = "docker" as const;
  readonly describe: string;
  readonly sources = "containers, logs and the smoke requests";
  readonly tap = new RequestCounts();
  /** RestartCount of each container when the watch began (container id -> count). */
  private readonly restartsAtStart = new Map<string, number>();
  /** Containers seen in the engine's `restarting` state (between two crashes) during the watch. */
  private readonly seenRestarting = new Set<string>();

  constructor(
    private readonly manifest: DockerManifest,
    private readonly client: Docker,
    host: string,
    private readonly options: CallOptions = {},
  ) {
    this.describe = `stack ${manifest.stack} on the Docker engine ${host}`;
  }

  private service(name: string): DockerManifestService {
    const service = this.manifest.services.find((s) => s.name === name);
    if (!service) throw new Error(`Docker runtime: no service ${name} in the manifest of stack ${this.manifest.stack}`);
    return service;
  }

  private words(name: string): Vocabulary {
    return { service: `service ${name}`, location: this.describe, replica: "container", revision: "Release", scaler: "the Docker engine" };
  }

  private observe(name: string) {
    return observeService(this.client, { stack: this.manifest.stack, service: name }, this.options);
  }

  async rollouts(services: readonly string[], wait: Parameters<Runtime["rollouts"]>[1]) {
    let waitedSeconds = 0;
    const rollouts = new Map<string, RolloutObservation>();
    for (;;) {
      for (const name of services) rollouts.set(name, await this.rollout(name));
      const pending = services.filter((n) => rollouts.get(n)?.revision?.state === "IN_PROGRESS");
      if (pending.length === 0 || waitedSeconds + wait.pollSeconds > wait.waitSeconds || wait.signal?.aborted) break;
      wait.onProgress(`Waiting for ${pending.join(", ")} to roll out (${waitedSeconds} s of ${wait.waitSeconds} s)`);
      await wait.sleep(wait.pollSeconds * 1000);
      waitedSeconds += wait.pollSeconds;
    }
    return { rollouts, waitedSeconds };
  }

  private async rollout(name: string): Promise<RolloutObservation> {
    const s = this.service(name);
    const expected = `${s.image}:${s.imageTag}`;
    const { replicas: containers } = await this.observe(name);
    this.remember(containers);
    const words = this.words(name);
    if (containers.length === 0) return { words, found: false };
    const ours = containers.filter((c) => isOf(c, s));
    const others = containers.filter((c) => !isOf(c, s));
    const running = ours.filter((c) => c.state === "running" && c.health !== "starting");
    // A container the engine is restarting has exited again: a crash loop fails the rollout at once (as CrashLoopBackOff does).
    const failed = ours.filter((c) => c.state === "exited" || c.state === "dead" || c.state === "restarting");
    let state: RolloutState = "IN_PROGRESS";
    let stateReason: string | null = null;
    if (ours.length === 0 && !(await imageExists(this.client, expected, this.options))) {
      state = "FAILED";
      stateReason = `image ${expected} is not in the engine (nothing is pulled)`;
    } else if (failed.length > 0) {
      state = "FAILED";
      stateReason = failed
        .map(
          (c) =>
            `${c.name} ${c.oomKilled ? "was killed out of memory" : `exited with code ${c.exitCode}`}${c.state === "restarting" ? ` and is restarting (crash loop, ${c.restartCount} restarts)` : ""}`,
        )
        .join("; ");
    } else if (running.length === s.replicas && ours.length === s.replicas && others.length === 0) {
      state = "COMPLETED";
    }
    const runs = [...new Set(containers.map((c) => c.image))].join(", ");
    // The release began when its first container was created (a crash loop restarts them, the creation stays).
    const started = ours.map((c) => c.createdAt ?? c.startedAt).filter((t): t is string => t !== undefined);
    const deployedAt = started.length > 0 ? new Date(Math.min(...started.map((t) => Date.parse(t)))) : undefined;
    return {
      words,
      found: true,
      revision: {
        id: s.imageTag,
        state,
        stateReason,
        runs,
        expected,
        isExpected: others.length === 0 && ours.length > 0,
        desired: s.replicas,
        running: running.length,
        pending: ours.length - running.length - failed.length,
        failedStarts: failed.length,
        revisions: new Set(containers.map((c) => c.image)).size,
        createdAt: deployedAt?.toISOString() ?? null,
      },
      ...(deployedAt ? { deployedAt } : {}),
    };
  }

  async replicas(services: readonly string[]): Promise<Map<string, ReplicasObservation>> {
    const result = new Map<string, ReplicasObservation>();
    for (const name of services) {
      const s = this.service(name);
      const { replicas: containers } = await this.observe(name);
      this.remember(containers);
      result.set(name, {
        words: this.words(name),
        found: containers.length > 0,
        desired: s.replicas,
        replicas: containers.map((c) => replicaOf(c, isOf(c, s), this.restartsDuringWatch(c))),
      });
    }
    return result;
  }

  private remember(containers: readonly Container[]): void {
    for (const c of containers) {
      if (!this.restartsAtStart.has(c.id)) this.restartsAtStart.set(c.id, c.restartCount);
      if (c.state === "restarting") this.seenRestarting.add(c.id);
    }
  }

  /**
   * The rise of RestartCount between the start and the end of the watch; a container seen waiting
   * to be restarted (state `restarting`) is crash-looping even when the watch was too short to see
   * the count rise: its RestartCount is then reported.
   */
  private restartsDuringWatch(c: Container): number {
    const rise = c.restartCount - (this.restartsAtStart.get(c.id) ?? 0);
    return rise > 0 ? rise : this.seenRestarting.has(c.id) ? Math.max(1, c.restartCount) : 0;
  }

  async traffic(windows: readonly { service: string; start: Date }[], end: Date): Promise<Map<string, Outcome<TrafficCounts>>> {
    return new Map(windows.map((w) => [w.service, this.tap.traffic(w.service, w.start, end)]));
  }

  async latency(windows: readonly { service: string; start: Date }[]): Promise<Map<string, Outcome<LatencyPercentiles>>> {
    return new Map(windows.map((w) => [w.service, this.tap.latency(w.service)]));
  }

  async logs(service: string, query: LogQuery): Promise<LogScan> {
    const source = `containers of ${this.manifest.stack}/${service}`;
    const { replicas: containers } = await this.observe(service);
    if (containers.length === 0) return { found: false, source, reason: `No container of ${this.manifest.stack}/${service} exists` };
    const lines: { message: string; timestamp?: number; stream: string }[] = [];
    for (const c of containers) {
      // At least the last 100 lines (more when --tail-lines asks for more); the judge keeps the tail of each container.
      const tail = Math.max(query.tailLines ?? 100, 100);
      for (const line of await readContainerLogs(this.client, c.id, { ...this.options, tail, since: query.since })) {
        const at = line.time ? Date.parse(line.time) : undefined;
        if (at !== undefined && at > query.until.getTime() + 1000) continue;
        lines.push({ message: `${c.name}: ${line.text}`, stream: c.name, ...(at !== undefined ? { timestamp: at } : {}) });
      }
    }
    return { found: true, source, lines, pages: containers.length, truncated: false, backend: "the Docker engine" };
  }

  async fastRollback(targets: readonly FastRollbackTarget[], now: () => Date): Promise<FastRollbackAction[]> {
    const actions: FastRollbackAction[] = [];
    for (const target of targets) {
      const image = `${this.service(target.service).image}:${target.imageTag}`;
      const base = { kind: "rollback-fast-path" as const, target: target.service, details: { stack: this.manifest.stack, image } };
      try {
        const done = await recreateService(this.client, { stack: this.manifest.stack, service: target.service, image }, this.options);
        const names = done.replicas.map((r) => r.name).join(", ") || "no containers";
        actions.push({ ...base, status: "ok", message: `Recreated ${names} from ${image}`, at: now().toISOString() });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        actions.push({
          ...base,
          status: "failed",
          message: `Recreating ${target.service} from ${image} failed: ${reason}`,
          at: now().toISOString(),
        });
      }
    }
    return actions;
  }

  async restart(services: readonly string[], now: () => Date): Promise<RestartAction[]> {
    const actions: RestartAction[] = [];
    for (const service of services) {
      const base = { kind: "force-new-deployment" as const, target: service };
      const image = `${this.service(service).image}:${this.service(service).imageTag}`;
      try {
        const names = await restartService(this.client, { stack: this.manifest.stack, service }, this.options);
        actions.push({
          ...base,
          status: "ok",
          message: `Restarted ${names.join(", ")} (${image})`,
          at: now().toISOString(),
          details: { stack: this.manifest.stack, image, containers: names },
        });
      } catch (err) {
        actions.push({
          ...base,
          status: "failed",
          message: err instanceof Error ? err.message : String(err),
          at: now().toISOString(),
          details: { stack: this.manifest.stack, image },
        });
      }
    }
    return actions;
  }
}

function isOf(c: Container, s: DockerManifestService): boolean {
  return c.image === `${s.image}:${s.imageTag}` || (c.image.startsWith(`${s.image}:`) && c.tag === s.imageTag);
}

/** A container as the tasks check sees it. */
function replicaOf(c: Container, ofJudgedRevision: boolean, restarts: number): ReplicaObservation {
  const stopped = c.state === "exited" || c.state === "dead" || c.state === "removing";
  const state = stopped ? "stopped" : c.state === "running" && c.health !== "starting" ? "running" : "pending";
  const health = c.health === "healthy" || c.health === "unhealthy" ? c.health : "unknown";
  const base: ReplicaObservation = { id: c.name, state, health, ofJudgedRevision, ...(restarts > 0 ? { restarts } : {}) };
  if (!stopped) return base;
  const kind = c.oomKilled ? "out-of-memory" : c.error ? "failed-to-start" : "exited";
  const reason = c.oomKilled ? `OOMKilled: out of memory (exit code ${c.exitCode})` : (c.error ?? `exited with code ${c.exitCode}`);
  return {
    ...base,
    ...(c.finishedAt ? { stoppedAt: new Date(c.finishedAt) } : {}),
    stop: {
      kind,
      container: c.name,
      exitCode: c.exitCode,
      stopCode: c.oomKilled ? "OOMKilled" : "Exited",
      reason,
      stoppedAt: c.finishedAt ?? null,
      containers: [{ name: c.name, exitCode: c.exitCode, reason }],
    },
  };
}
