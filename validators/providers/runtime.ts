/**
 * The runtime seam: what a runtime (ECS today; Docker and Kubernetes next) tells the checks and
 * does for the workflows. Everything here is runtime-neutral: counts, states, reasons and lines.
 * The checks (validators/checks) judge these observations and never learn which runtime answered;
 * `validate`, the workflows and the rollback's fast path reach a runtime only through `Runtime`.
 *
 * One implementation per folder: providers/aws/ecsRuntime.ts (ECS, CloudWatch, CloudWatch Logs) and
 * providers/kubernetes/kubernetesRuntime.ts (the API server, Prometheus, pod logs).
 * The composition root (validators/cli/compose.ts) picks it from the manifest's `runtime`.
 *
 * Where last-good releases, run records and the stack lock live is chosen next to the runtime,
 * in the composition root: they are the domain's ReleaseRegistry, RecordStore and StackLock
 * (SSM / S3 / DynamoDB for ECS stacks, the local `.delivery/` store and lock file for the local
 * tier), which this layer may not import.
 */

import type { RuntimeName } from "../../contract/manifest";

export type { RuntimeName } from "../../contract/manifest";

/** How people call the runtime's things, so a check's messages read naturally on every runtime. */
export interface Vocabulary {
  /** The service, e.g. `ECS service staging-api`, `Deployment api`, `service api`. */
  service: string;
  /** Where it was looked for, e.g. `cluster staging`, `namespace delivery-staging`. */
  location: string;
  /** One replica: `task`, `pod`, `container`. */
  replica: string;
  /** One revision of the service: `Deployment` (ECS), `ReplicaSet` (Kubernetes). */
  revision: string;
  /** Who stops replicas on purpose (scale-in, replacement): `ECS scaling activity`. */
  scaler: string;
}

/** The state of a service's newest revision as the runtime rolls it out. */
export type RolloutState = "IN_PROGRESS" | "COMPLETED" | "FAILED";

/** The rollout of one service: its newest revision, how far it got, and whether it is the one the manifest expects. */
export interface RolloutObservation {
  words: Vocabulary;
  /** False when the runtime does not know the service at all. */
  found: boolean;
  /** Why the service cannot roll anything out (`is DRAINING`, `has no PRIMARY deployment`), with the runtime's status word. */
  unusable?: { reason: string; status: string | null };
  /** The revision being rolled out (or rolled out); absent when not found or unusable. */
  revision?: {
    id: string | null;
    state: RolloutState;
    /** The runtime's reason for the state (`ProgressDeadlineExceeded`, the circuit breaker's message...). */
    stateReason: string | null;
    /** What the revision runs, as people recognise it (`staging-api:7`, `api:v2`). */
    runs: string;
    /** What the manifest expects, in the same form. */
    expected: string;
    /** Whether the revision is the one the manifest expects. */
    isExpected: boolean;
    desired: number;
    /** Replicas of this revision running (ECS runningCount; Kubernetes available replicas). */
    running: number;
    pending: number;
    /** Replicas that failed to start during the rollout. */
    failedStarts: number;
    /** Revisions the service has at the moment (an older one still present while rolling). */
    revisions: number;
    /** ISO time the revision was created, when known. */
    createdAt: string | null;
  };
  /** When the newest revision started: the default start of the judged window. */
  deployedAt?: Date;
}

/** One replica (task, pod, container) of a service, as the runtime saw it. */
export interface ReplicaObservation {
  id: string;
  state: "running" | "pending" | "stopped";
  /** From the runtime's health check; `unknown` when there is none. */
  health: "healthy" | "unhealthy" | "unknown";
  /** Runs the revision being judged (stopped replicas of older revisions are history). */
  ofJudgedRevision: boolean;
  /** Times the runtime restarted it in place during the watch (Docker, Kubernetes); ECS replaces instead. */
  restarts?: number;
  /** For a stopped replica: when (undefined when the runtime does not say: it then counts) and why. */
  stoppedAt?: Date;
  stop?: ReplicaStop;
  /** Stopped on purpose by the runtime (scale-in, replaced by a deployment), not by the release failing. */
  stoppedByScaling?: boolean;
}

/** Why a replica stopped: facts the tasks check puts in words (`OutOfMemory (container app with exit code 137)`). */
export interface ReplicaStop {
  /** Out of memory (ECS OutOfMemoryError, Docker/Kubernetes OOMKilled), an essential container exited, never started, or something else. */
  kind: "out-of-memory" | "exited" | "failed-to-start" | "other";
  /** The container that ran out of memory or exited. */
  container?: string;
  exitCode?: number;
  /** The runtime's stop code (`EssentialContainerExited`, `OOMKilled`, `CrashLoopBackOff`). */
  stopCode: string | null;
  /** The runtime's own words for the stop (raw; the check masks secrets before showing it). */
  reason?: string;
  stoppedAt: string | null;
  containers: { name: string; exitCode: number | null; reason: string | null }[];
}

/** The replicas of one service. */
export interface ReplicasObservation {
  words: Vocabulary;
  found: boolean;
  desired: number;
  replicas: ReplicaObservation[];
}

/** Traffic counts of one service over its window. */
export interface TrafficCounts {
  requests: number;
  /** 5xx answered by the service itself. */
  errors5xx: number;
  /** 5xx generated by the load balancer in front; 0 when there is none. */
  elb5xx: number;
  /**
   * The load balancer serves only this service, so its own 5xx are the service's and count toward the
   * error rate; otherwise they are shown apart. @default false
   */
  loadBalancerOwn?: boolean;
  windowStart: Date;
  windowEnd: Date;
}

/** Latency percentiles of one service over its window, in milliseconds. */
export interface LatencyPercentiles {
  p95Ms?: number;
  p99Ms?: number;
  /** How many 1-minute datapoints the figures are built from. */
  minutes: number;
}

/** A service's figures, or why there are none. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The patterns a log scan looks for; the runtime may use them to fetch only candidate lines (all lines are matched again by the judge). */
export interface LogQuery {
  since: Date;
  until: Date;
  /** Substrings of interest (error, warning, startup marker). */
  terms: readonly string[];
  /**
   * Read every line (not only the terms) and return only the last this many of each stream (task);
   * unset: every line containing a term, in the whole range.
   */
  tailLines?: number;
  /** A line the runtime must look for in the whole range, even outside the tail (`LogScan.markerFound`). */
  startupMarker?: string;
}

/** What a log scan returned. */
export type LogScan =
  | {
      found: true;
      /** Where the lines came from, e.g. the log group `/ecs/staging/api`. */
      source: string;
      /** In order per stream; `stream` names the replica's log stream when the runtime knows it. */
      lines: { message: string; timestamp?: number; stream?: string }[];
      /** Whether the query's startup marker was seen anywhere in the range (set when the runtime looked beyond the lines it returns). */
      markerFound?: boolean;
      /** Requests made to the log backend. */
      pages: number;
      /** The backend had more to search when the scan stopped. */
      truncated: boolean;
      /** The backend's name for messages: `CloudWatch Logs`, `the Docker engine`. */
      backend: string;
    }
  | {
      found: false;
      source: string;
      /** In words: `Log group /ecs/x does not exist`. */
      reason: string;
    };

/** A release a service goes back to on the fast path. */
export interface FastRollbackTarget {
  /** The manifest's service name. */
  service: string;
  /** The image tag of the release. */
  imageTag: string;
  /** The runtime's handle on the release (ECS: the task definition ARN). */
  revision: string;
}

/** What the rollback's fast path did for one service. */
export interface FastRollbackAction {
  kind: "rollback-fast-path";
  target: string;
  status: "ok" | "failed" | "dry-run";
  message: string;
  at: string;
  details?: Record<string, unknown>;
}

/** What forcing a new deployment of the same revision did for one service (`--retries`). */
export interface RestartAction {
  kind: "force-new-deployment";
  /** The manifest's service name. */
  target: string;
  status: "ok" | "failed" | "dry-run";
  message: string;
  at: string;
  details?: Record<string, unknown>;
}

/** One of the validator's own requests to a service (a smoke attempt or a watchdog poll), as answered. */
export interface TappedRequest {
  /** The HTTP status; undefined when no answer came. */
  status?: number;
  ms: number;
  at: Date;
}

/**
 * A runtime without traffic metrics of its own (Docker) counts the validator's requests instead:
 * validate reports every smoke and watchdog answer here, and asks such a runtime for replicas,
 * traffic and latency only once those requests are done (the end of the watch).
 */
export interface RequestTap {
  record(service: string, request: TappedRequest): void;
}

/**
 * A runtime, bound to one manifest (it knows each service's runtime names, traffic source and log
 * source). Services are named by their manifest name everywhere.
 */
export interface Runtime {
  readonly name: RuntimeName;
  /** A line for people: `cluster staging`, `Docker engine unix:///var/run/docker.sock`. */
  readonly describe: string;
  /** What it reads, for the progress line: `tasks, ALB metrics and logs`. */
  readonly sources: string;
  /** Present when traffic and latency come from the validator's own requests (see RequestTap). */
  readonly tap?: RequestTap;
  /**
   * The rollout state of each service; waits (polling) while rollouts are in progress, up to
   * `waitSeconds`, and says how long it waited (counted in poll intervals, so fake clocks work).
   */
  rollouts(
    services: readonly string[],
    wait: {
      waitSeconds: number;
      pollSeconds: number;
      sleep: (ms: number) => Promise<void>;
      onProgress: (message: string) => void;
      signal?: AbortSignal;
    },
  ): Promise<{ rollouts: Map<string, RolloutObservation>; waitedSeconds: number }>;
  /** The replicas of each service and their health (of the revisions `rollouts` last saw). */
  replicas(services: readonly string[]): Promise<Map<string, ReplicasObservation>>;
  /** Request and 5xx counts per service, each over its own window (from its start to `end`). */
  traffic(windows: readonly { service: string; start: Date }[], end: Date): Promise<Map<string, Outcome<TrafficCounts>>>;
  /** Latency percentiles per service over the same windows. */
  latency(windows: readonly { service: string; start: Date }[], end: Date): Promise<Map<string, Outcome<LatencyPercentiles>>>;
  /** Log lines of one service within the query's time range. */
  logs(service: string, query: LogQuery): Promise<LogScan>;
  /** The fast rollback: points each service straight back at a release, in the order given; a failure is an action, not a throw. */
  fastRollback(targets: readonly FastRollbackTarget[], now: () => Date): Promise<FastRollbackAction[]>;
  /**
   * Forces a new deployment of the revision each service already runs (ECS `forceNewDeployment`,
   * Kubernetes `rollout restart`, Docker a restart of its containers), in the order given; returns
   * at once (the caller waits through `rollouts`). A failure is an action, not a throw.
   */
  restart(services: readonly string[], now: () => Date): Promise<RestartAction[]>;
}
