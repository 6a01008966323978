import type { Service } from "@aws-sdk/client-ecs";
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { EcsManifest, EcsManifestService } from "../../../contract/manifest";
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
} from "../runtime";
import { toOperationalError } from "./call";
import type { AwsClients } from "./clients";
import { clusterTasks, describeServices, tasksByGroup } from "./ecs";
import { ecsReplicas, ecsRollout } from "./ecsObserve";
import { scanLogGroup } from "./logs";
import { type MetricWindow, fetchErrorCounts, fetchLatency } from "./metrics";
import { waitForRollouts } from "./rolloutWait";

/**
 * The ECS runtime: rollouts from DescribeServices (waiting while IN_PROGRESS), tasks from the
 * cluster's task list, traffic and latency from the ALB's CloudWatch metrics, logs from CloudWatch
 * Logs, and the fast rollback as UpdateService to the release's task definition.
 */
export class EcsRuntime implements Runtime {
  readonly name = "ecs" as const;
  readonly describe: string;
  readonly sources = "tasks, ALB metrics and logs";
  /** The services as last described by `rollouts` (the tasks check needs their desired count and primary deployment). */
  private described = new Map<string, Service>();

  constructor(
    private readonly manifest: EcsManifest,
    private readonly clients: Pick<AwsClients, "ecs" | "cloudwatch" | "logs">,
    private readonly options: { concurrency?: number } = {},
  ) {
    this.describe = `cluster ${manifest.cluster}`;
  }

  private get concurrency(): number {
    return this.options.concurrency ?? 10;
  }

  private service(name: string): EcsManifestService {
    const service = this.manifest.services.find((s) => s.name === name);
    if (!service) throw new Error(`ECS runtime: no service ${name} in the manifest of stack ${this.manifest.stack}`);
    return service;
  }

  private ref(s: EcsManifestService) {
    return { ecsService: s.ecsService, cluster: this.manifest.cluster, expectedTaskDefinition: s.taskDefinitionArn };
  }

  async rollouts(services: readonly string[], wait: Parameters<Runtime["rollouts"]>[1]) {
    const entries = services.map((n) => this.service(n));
    const initial = await describeServices(
      this.clients.ecs,
      this.manifest.cluster,
      entries.map((s) => s.ecsService),
      this.concurrency,
    );
    const { described, waitedSeconds } = await waitForRollouts({
      ecs: this.clients.ecs,
      cluster: this.manifest.cluster,
      described: initial,
      waitSeconds: wait.waitSeconds,
      pollSeconds: wait.pollSeconds,
      sleep: wait.sleep,
      onProgress: wait.onProgress,
      concurrency: this.concurrency,
      signal: wait.signal,
    });
    const rollouts = new Map<string, RolloutObservation>();
    for (const s of entries) {
      const service = described.found.get(s.ecsService);
      if (service) this.described.set(s.name, service);
      else this.described.delete(s.name);
      rollouts.set(s.name, ecsRollout(service, this.ref(s)));
    }
    return { rollouts, waitedSeconds };
  }

  async replicas(services: readonly string[]): Promise<Map<string, ReplicasObservation>> {
    const result = new Map<string, ReplicasObservation>();
    if (services.length === 0) return result;
    const groups = tasksByGroup(await clusterTasks(this.clients.ecs, this.manifest.cluster, this.concurrency));
    for (const name of services) {
      const s = this.service(name);
      result.set(name, ecsReplicas(this.described.get(name), groups.get(`service:${s.ecsService}`) ?? [], this.ref(s)));
    }
    return result;
  }

  private windows(windows: readonly { service: string; start: Date }[]): MetricWindow[] {
    return windows.map((w) => {
      const s = this.service(w.service);
      return {
        service: s.name,
        targetGroup: s.targetGroup,
        alternateTargetGroup: s.deployment?.alternateTargetGroup,
        loadBalancer: s.loadBalancer,
        start: w.start,
      };
    });
  }

  async traffic(windows: readonly { service: string; start: Date }[], end: Date): Promise<Map<string, Outcome<TrafficCounts>>> {
    const counts = await fetchErrorCounts(this.clients.cloudwatch, this.windows(windows), end);
    for (const [service, outcome] of counts) {
      if (outcome.ok) outcome.value.loadBalancerOwn = aloneBehindLoadBalancer(this.manifest.services, this.service(service));
    }
    return counts;
  }

  latency(windows: readonly { service: string; start: Date }[], end: Date): Promise<Map<string, Outcome<LatencyPercentiles>>> {
    return fetchLatency(this.clients.cloudwatch, this.windows(windows), end);
  }

  logs(service: string, query: LogQuery): Promise<LogScan> {
    return scanLogGroup(this.clients.logs, this.service(service).logGroup, query);
  }

  fastRollback(targets: readonly FastRollbackTarget[], now: () => Date): Promise<FastRollbackAction[]> {
    return ecsFastRollback(this.manifest, this.clients).fastRollback(targets, now);
  }

  restart(services: readonly string[], now: () => Date): Promise<RestartAction[]> {
    return ecsRestart(this.manifest, this.clients).restart(services, now);
  }
}

/** Is `service` the only service of the stack behind its load balancer (so the balancer's own 5xx are its)? */
export function aloneBehindLoadBalancer(services: readonly EcsManifestService[], service: EcsManifestService): boolean {
  return services.every((other) => other.name === service.name || other.loadBalancer !== service.loadBalancer);
}

/**
 * The ECS fast rollback alone (it needs only the ECS client): points each service straight at its
 * release's task definition with UpdateService, in the order given; a failure is an action with
 * status failed and does not stop the others.
 */
export function ecsFastRollback(
  manifest: Pick<EcsManifest, "cluster" | "stack" | "services">,
  clients: Pick<AwsClients, "ecs">,
): Pick<Runtime, "fastRollback"> {
  return {
    async fastRollback(targets, now) {
      const { cluster } = manifest;
      const actions: FastRollbackAction[] = [];
      for (const target of targets) {
        const ecsService = manifest.services.find((s) => s.name === target.service)?.ecsService ?? target.service;
        const base = {
          kind: "rollback-fast-path" as const,
          target: target.service,
          details: { cluster, ecsService, taskDefinition: target.revision },
        };
        try {
          await clients.ecs.send(new UpdateServiceCommand({ cluster, service: ecsService, taskDefinition: target.revision }));
          actions.push({
            ...base,
            status: "ok",
            message: `UpdateService ${ecsService} to ${target.revision} (${target.imageTag})`,
            at: now().toISOString(),
          });
        } catch (err) {
          const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          actions.push({ ...base, status: "failed", message: `UpdateService ${ecsService} failed: ${reason}`, at: now().toISOString() });
        }
      }
      return actions;
    },
  };
}

/**
 * The ECS restart alone (it needs only the ECS client): UpdateService with `forceNewDeployment`
 * and no task definition, so ECS starts a new deployment of the revision the service runs and
 * replaces every task; a failure is an action with status failed and does not stop the others.
 */
export function ecsRestart(
  manifest: Pick<EcsManifest, "cluster" | "stack" | "services">,
  clients: Pick<AwsClients, "ecs">,
): Pick<Runtime, "restart"> {
  return {
    async restart(services, now) {
      const { cluster } = manifest;
      const actions: RestartAction[] = [];
      for (const service of services) {
        const ecsService = manifest.services.find((s) => s.name === service)?.ecsService ?? service;
        const base = { kind: "force-new-deployment" as const, target: service };
        try {
          const out = await clients.ecs.send(new UpdateServiceCommand({ cluster, service: ecsService, forceNewDeployment: true }));
          const taskDefinition = out.service?.taskDefinition ?? null;
          actions.push({
            ...base,
            status: "ok",
            message: `UpdateService ${ecsService} forceNewDeployment${taskDefinition ? ` (${taskDefinition})` : ""}`,
            at: now().toISOString(),
            details: { cluster, ecsService, taskDefinition },
          });
        } catch (err) {
          actions.push({
            ...base,
            status: "failed",
            message: toOperationalError("ECS UpdateService", err).message,
            at: now().toISOString(),
            details: { cluster, ecsService },
          });
        }
      }
      return actions;
    },
  };
}
