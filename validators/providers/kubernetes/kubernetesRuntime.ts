import type { KubernetesManifest, KubernetesManifestService } from "../../../contract/manifest";
import { OperationalError } from "../../core/errors";
import type {
  FastRollbackAction,
  FastRollbackTarget,
  LatencyPercentiles,
  LogQuery,
  LogScan,
  Outcome,
  ReplicasObservation,
  RestartAction,
  RolloutObservation,
  Runtime,
  TrafficCounts,
  Vocabulary,
} from "../runtime";
import { type KubernetesClients, statusOf } from "./client";
import { podLogLines } from "./logs";
import { type FetchLike, PrometheusMetrics } from "./prometheus";
import { podReplica, rolloutOf } from "./observe";
import { restartDeployment } from "./restart";
import { rollbackDeployment } from "./rollback";
import { type DeploymentObservation, observeDeployment, observePods, type PodObservation } from "./rollout";

export interface KubernetesRuntimeOptions {
  /** Prometheus' HTTP client. @default globalThis.fetch */
  fetch?: FetchLike;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** How long the fast rollback waits for the restored revision's rollout. @default 300 */
  rollbackWaitSeconds?: number;
  /** @default 5 */
  pollSeconds?: number;
}

/**
 * The Kubernetes runtime, krane-style: rollouts from the Deployment and its new ReplicaSet (waiting
 * while it progresses), replicas from that ReplicaSet's pods (crash loops, image pulls, config
 * errors and OOM kills named with the pod), traffic and latency from Prometheus, logs from each new
 * pod, and the fast rollback as `kubectl rollout undo --to-revision`.
 */
export class KubernetesRuntime implements Runtime {
  readonly name = "kubernetes" as const;
  readonly describe: string;
  readonly sources = "pods, Prometheus metrics and pod logs";
  private readonly namespace: string;
  private readonly prometheus: PrometheusMetrics;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The Deployments as `rollouts` last observed them. */
  private observed = new Map<string, DeploymentObservation>();
  /** Restarts per pod when the watch began (the first observation of its pods). */
  private restartsAtStart = new Map<string, number>();

  constructor(
    private readonly manifest: KubernetesManifest,
    private readonly clients: KubernetesClients,
    private readonly options: KubernetesRuntimeOptions = {},
  ) {
    this.namespace = manifest.kubernetes.namespace;
    this.describe = `namespace ${this.namespace} on ${clients.server}`;
    this.prometheus = new PrometheusMetrics({
      url: manifest.prometheus.url,
      traffic: manifest.prometheus.traffic,
      queries: manifest.prometheus.queries,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  private service(name: string): KubernetesManifestService {
    const service = this.manifest.services.find((s) => s.name === name);
    if (!service) throw new Error(`Kubernetes runtime: no service ${name} in the manifest of stack ${this.manifest.stack}`);
    return service;
  }

  words(name: string): Vocabulary {
    return {
      service: `Deployment ${this.service(name).deployment}`,
      location: `namespace ${this.namespace}`,
      replica: "pod",
      revision: "ReplicaSet",
      scaler: "the ReplicaSet controller",
    };
  }

  /** The Deployment, or undefined when the API server does not know it (404). */
  private async observe(name: string): Promise<DeploymentObservation | undefined> {
    try {
      return await observeDeployment(this.clients, this.namespace, this.service(name).deployment);
    } catch (err) {
      if (err instanceof OperationalError && statusOf(err.cause) === 404) return undefined;
      throw err;
    }
  }

  private rollout(name: string, d: DeploymentObservation | undefined, pods: PodObservation[]): RolloutObservation {
    return rolloutOf(this.words(name), this.service(name), d, pods);
  }

  private async podsOf(d: DeploymentObservation | undefined): Promise<PodObservation[]> {
    return d?.newReplicaSet ? observePods(this.clients, this.namespace, d.newReplicaSet) : [];
  }

  async rollouts(services: readonly string[], wait: Parameters<Runtime["rollouts"]>[1]) {
    let waitedSeconds = 0;
    for (;;) {
      const rollouts = new Map<string, RolloutObservation>();
      const inProgress: string[] = [];
      for (const name of services) {
        const d = await this.observe(name);
        const pods = await this.podsOf(d);
        if (d) this.observed.set(name, d);
        else this.observed.delete(name);
        for (const p of pods) if (!this.restartsAtStart.has(p.name)) this.restartsAtStart.set(p.name, p.restarts);
        const rollout = this.rollout(name, d, pods);
        rollouts.set(name, rollout);
        if (rollout.revision?.state === "IN_PROGRESS") inProgress.push(name);
      }
      if (inProgress.length === 0 || waitedSeconds + wait.pollSeconds > wait.waitSeconds || wait.signal?.aborted) {
        return { rollouts, waitedSeconds };
      }
      wait.onProgress(`waiting for the rollout of ${inProgress.map((n) => this.words(n).service).join(", ")} (${waitedSeconds}s)`);
      await wait.sleep(wait.pollSeconds * 1000);
      waitedSeconds += wait.pollSeconds;
    }
  }

  async replicas(services: readonly string[]): Promise<Map<string, ReplicasObservation>> {
    const result = new Map<string, ReplicasObservation>();
    for (const name of services) {
      const d = this.observed.get(name) ?? (await this.observe(name));
      const pods = await this.podsOf(d);
      result.set(name, {
        words: this.words(name),
        found: d !== undefined,
        desired: d?.replicas ?? 0,
        replicas: pods.map((p) => podReplica(p, p.restarts - (this.restartsAtStart.get(p.name) ?? p.restarts))),
      });
    }
    return result;
  }

  private async metrics(windows: readonly { service: string; start: Date }[], end: Date) {
    return Promise.all(
      windows.map(async (w) => {
        const s = this.service(w.service);
        const windowSeconds = Math.max(60, Math.ceil((end.getTime() - w.start.getTime()) / 1000));
        const m = await this.prometheus.traffic(
          { namespace: this.namespace, service: s.name, deployment: s.deployment },
          windowSeconds,
          end,
        );
        return { w, windowSeconds, m };
      }),
    );
  }

  async traffic(windows: readonly { service: string; start: Date }[], end: Date): Promise<Map<string, Outcome<TrafficCounts>>> {
    const result = new Map<string, Outcome<TrafficCounts>>();
    for (const { w, m } of await this.metrics(windows, end)) {
      if (m.requests.kind === "no-data") {
        result.set(w.service, { ok: false, reason: `Prometheus has no data for ${m.requests.query}` });
        continue;
      }
      const errors = m.errors.kind === "value" ? m.errors.value : 0;
      result.set(w.service, {
        ok: true,
        value: { requests: Math.round(m.requests.value), errors5xx: Math.round(errors), elb5xx: 0, windowStart: w.start, windowEnd: end },
      });
    }
    return result;
  }

  async latency(windows: readonly { service: string; start: Date }[], end: Date): Promise<Map<string, Outcome<LatencyPercentiles>>> {
    const result = new Map<string, Outcome<LatencyPercentiles>>();
    for (const { w, windowSeconds, m } of await this.metrics(windows, end)) {
      if (m.latencyP95.kind === "no-data" && m.latencyP99.kind === "no-data") {
        result.set(w.service, { ok: false, reason: `Prometheus has no data for ${m.latencyP95.query}` });
        continue;
      }
      result.set(w.service, {
        ok: true,
        value: {
          ...(m.latencyP95.kind === "value" ? { p95Ms: m.latencyP95.value } : {}),
          ...(m.latencyP99.kind === "value" ? { p99Ms: m.latencyP99.value } : {}),
          minutes: Math.ceil(windowSeconds / 60),
        },
      });
    }
    return result;
  }

  async logs(service: string, query: LogQuery): Promise<LogScan> {
    const d = this.observed.get(service) ?? (await this.observe(service));
    const rs = d?.newReplicaSet;
    const source = `pods of ReplicaSet ${this.namespace}/${rs?.name ?? this.service(service).deployment}`;
    if (!rs) return { found: false, source, reason: `Deployment ${this.service(service).deployment} has no new ReplicaSet` };
    const pods = await observePods(this.clients, this.namespace, rs);
    const lines: { message: string }[] = [];
    for (const p of pods) {
      let text: string[];
      try {
        text = await podLogLines(this.clients, { namespace: this.namespace, pod: p.name, tailLines: 100, sinceTime: query.since });
      } catch (err) {
        // A container that never started has no log yet (400), a pod replaced meanwhile is gone (404): the tasks check names it.
        const status = err instanceof OperationalError ? statusOf(err.cause) : undefined;
        if (status === 400 || status === 404) continue;
        throw err;
      }
      lines.push(...text.map((message) => ({ message: `${p.name}: ${message}` })));
    }
    return { found: true, source, lines, pages: pods.length, truncated: false, backend: "the Kubernetes API" };
  }

  async fastRollback(targets: readonly FastRollbackTarget[], now: () => Date): Promise<FastRollbackAction[]> {
    const actions: FastRollbackAction[] = [];
    for (const target of targets) {
      const deployment = this.manifest.services.find((s) => s.name === target.service)?.deployment ?? target.service;
      const base = { kind: "rollback-fast-path" as const, target: target.service };
      try {
        const d = await observeDeployment(this.clients, this.namespace, deployment);
        const to = d.replicaSets.find(
          (rs) => rs.name !== d.newReplicaSet?.name && rs.imageTags.includes(target.imageTag) && rs.revision !== undefined,
        );
        if (to?.revision === undefined)
          throw new OperationalError(
            `Deployment ${this.namespace}/${deployment} keeps no ReplicaSet running ${target.imageTag} (revisions kept: ${d.replicaSets.map((r) => `${r.revision ?? "?"}=${r.imageTags.join("+")}`).join(", ") || "none"})`,
            "kubernetes:rollback",
          );
        const done = await rollbackDeployment(this.clients, this.namespace, deployment, to.revision);
        const settled = await this.waitForRollout(target.service);
        const details = { namespace: this.namespace, deployment, toRevision: done.toRevision, fromRevision: done.fromRevision ?? null };
        actions.push({
          ...base,
          details,
          status: settled.ok ? "ok" : "failed",
          message: settled.ok
            ? `Deployment ${deployment} back to revision ${done.toRevision} (${target.imageTag}), rolled out`
            : `Deployment ${deployment} back to revision ${done.toRevision} (${target.imageTag}), but ${settled.why}`,
          at: now().toISOString(),
        });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        actions.push({
          ...base,
          details: { namespace: this.namespace, deployment },
          status: "failed",
          message: reason,
          at: now().toISOString(),
        });
      }
    }
    return actions;
  }

  async restart(services: readonly string[], now: () => Date): Promise<RestartAction[]> {
    const actions: RestartAction[] = [];
    for (const service of services) {
      const deployment = this.manifest.services.find((s) => s.name === service)?.deployment ?? service;
      const base = { kind: "force-new-deployment" as const, target: service };
      try {
        const done = await restartDeployment(this.clients, this.namespace, deployment, now());
        actions.push({
          ...base,
          status: "ok",
          message: `Deployment ${deployment} restarted (kubectl.kubernetes.io/restartedAt=${done.restartedAt})`,
          at: now().toISOString(),
          details: { namespace: this.namespace, deployment, restartedAt: done.restartedAt, generation: done.generation },
        });
      } catch (err) {
        actions.push({
          ...base,
          status: "failed",
          message: err instanceof Error ? err.message : String(err),
          at: now().toISOString(),
          details: { namespace: this.namespace, deployment },
        });
      }
    }
    return actions;
  }

  /** Polls the Deployment until its rollout completes, fails or the rollback's wait runs out. */
  private async waitForRollout(service: string): Promise<{ ok: true } | { ok: false; why: string }> {
    const poll = this.options.pollSeconds ?? 5;
    const limit = this.options.rollbackWaitSeconds ?? 300;
    for (let waited = 0; ; waited += poll) {
      const d = await this.observe(service);
      const state = this.rollout(service, d, []).revision?.state;
      if (state === "COMPLETED") return { ok: true };
      if (state === "FAILED") return { ok: false, why: `its rollout failed (${d?.progressing?.reason ?? "?"})` };
      if (waited + poll > limit) return { ok: false, why: `its rollout was still in progress after ${waited}s` };
      await this.sleep(poll * 1000);
    }
  }
}
