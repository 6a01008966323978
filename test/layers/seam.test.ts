import { describe, expect, it } from "vitest";
import type { DeploymentManifest, DockerManifest } from "../../contract/manifest";
import { DockerRuntime } from "../../validators/providers/docker/dockerRuntime";
import { BadInputError } from "../../validators/core/errors";
import { openRuntime } from "../../validators/providers/open";
import type {
  LogScan,
  Outcome,
  ReplicaObservation,
  ReplicasObservation,
  RolloutObservation,
  Runtime,
  TrafficCounts,
  Vocabulary,
} from "../../validators/providers/runtime";
import type { AwsClients } from "../../validators/providers/aws/clients";
import { validate } from "../../validators/validate/run";

/**
 * The seam: validate judges a runtime it knows only through the interface. A fake runtime shaped
 * like a Docker engine (containers, restart counts, OOMKilled, no load balancer) drives the same
 * checks; nothing ECS is involved (no AWS clients are given).
 */
const NOW = new Date("2026-01-01T12:00:00.000Z");
const STARTED = new Date("2026-01-01T11:50:00.000Z");

const manifest: DockerManifest = {
  schemaVersion: 1,
  runtime: "docker",
  project: "delivery",
  stack: "local",
  docker: { host: "unix:///var/run/docker.sock" },
  thresholds: {
    errorRateWarningPercent: 1,
    errorRateCriticalPercent: 5,
    minRequests: 50,
    p95LatencyMs: 500,
    p99LatencyMs: 1000,
    windowSeconds: 600,
  },
  history: { prefix: "local" },
  services: [
    { name: "api", image: "delivery/api", imageTag: "v2", replicas: 2, url: "", healthPath: "/health", smokePaths: [], dependsOn: [] },
    { name: "web", image: "delivery/web", imageTag: "v2", replicas: 1, url: "", healthPath: "/health", smokePaths: [], dependsOn: [] },
  ],
};

const words = (service: string): Vocabulary => ({
  service: `service ${service}`,
  location: "Docker engine unix:///var/run/docker.sock",
  replica: "container",
  revision: "Release",
  scaler: "the engine",
});

const container = (id: string, extra: Partial<ReplicaObservation> = {}): ReplicaObservation => ({
  id,
  state: "running",
  health: "healthy",
  ofJudgedRevision: true,
  restarts: 0,
  ...extra,
});

class FakeDockerRuntime implements Runtime {
  readonly name = "docker" as const;
  readonly describe = "Docker engine unix:///var/run/docker.sock";
  readonly sources = "containers and their logs";
  readonly calls: string[] = [];

  constructor(private readonly containers: Record<string, ReplicaObservation[]>) {}

  async rollouts(services: readonly string[]) {
    this.calls.push(`rollouts ${services.join(",")}`);
    const rollouts = new Map<string, RolloutObservation>(
      services.map((s) => {
        const n = manifest.services.find((x) => x.name === s)?.replicas ?? 0;
        const running = (this.containers[s] ?? []).filter((c) => c.state === "running").length;
        return [
          s,
          {
            words: words(s),
            found: true,
            deployedAt: STARTED,
            revision: {
              id: `${s}-v2`,
              state: "COMPLETED",
              stateReason: null,
              runs: `delivery/${s}:v2`,
              expected: `delivery/${s}:v2`,
              isExpected: true,
              desired: n,
              running,
              pending: 0,
              failedStarts: 0,
              revisions: 1,
              createdAt: STARTED.toISOString(),
            },
          },
        ];
      }),
    );
    return { rollouts, waitedSeconds: 0 };
  }

  async replicas(services: readonly string[]) {
    return new Map<string, ReplicasObservation>(
      services.map((s) => [
        s,
        {
          words: words(s),
          found: true,
          desired: manifest.services.find((x) => x.name === s)?.replicas ?? 0,
          replicas: this.containers[s] ?? [],
        },
      ]),
    );
  }

  async traffic(windows: readonly { service: string; start: Date }[], end: Date) {
    return new Map<string, Outcome<TrafficCounts>>(
      windows.map((w) => [
        w.service,
        { ok: true, value: { requests: 1000, errors5xx: 0, elb5xx: 0, windowStart: w.start, windowEnd: end } },
      ]),
    );
  }

  async latency(windows: readonly { service: string; start: Date }[]) {
    return new Map(windows.map((w) => [w.service, { ok: true as const, value: { p95Ms: 80, p99Ms: 120, minutes: 10 } }]));
  }

  async logs(service: string): Promise<LogScan> {
    return {
      found: true,
      source: `containers of ${service}`,
      lines: [{ message: "started" }],
      pages: 1,
      truncated: false,
      backend: "the Docker engine",
    };
  }

  async fastRollback() {
    return [];
  }

  async restart() {
    return [];
  }
}

const run = (runtime: Runtime) =>
  validate({ manifest, smoke: false }, { runtime, now: () => NOW, sleep: async () => undefined, fetch: async () => new Response("") });

describe("validate through the runtime seam", () => {
  it("passes a healthy release on a runtime that is not ECS, in that runtime's words", async () => {
    const runtime = new FakeDockerRuntime({ api: [container("api-1"), container("api-2")], web: [container("web-1")] });

    const report = await run(runtime);

    expect(report.verdict).toBe("pass");
    expect(report.services.map((s) => [s.name, s.checks.find((c) => c.name === "tasks")?.message])).toEqual([
      ["api", "2 of 2 desired containers RUNNING, none unhealthy, none of this deployment stopped."],
      ["web", "1 of 1 desired containers RUNNING, none unhealthy, none of this deployment stopped."],
    ]);
    expect(report.services[0]?.checks.find((c) => c.name === "rollout")?.message).toBe(
      "Release api-v2 COMPLETED: 2 of 2 running delivery/api:v2.",
    );
    expect(runtime.calls).toEqual(["rollouts api,web"]);
  });

  it("fails a crash loop (restarts during the watch) and names an OOM-killed container", async () => {
    const runtime = new FakeDockerRuntime({
      api: [
        container("api-1", { restarts: 3 }),
        container("api-2", {
          state: "stopped",
          stoppedAt: new Date("2026-01-01T11:55:00.000Z"),
          stop: {
            kind: "out-of-memory",
            container: "api-2",
            exitCode: 137,
            stopCode: "OOMKilled",
            stoppedAt: "2026-01-01T11:55:00.000Z",
            containers: [{ name: "api-2", exitCode: 137, reason: "OOMKilled" }],
          },
        }),
      ],
      web: [container("web-1")],
    });

    const report = await run(runtime);

    const api = report.services.find((s) => s.name === "api");
    expect([report.verdict, api?.verdict]).toEqual(["fail", "fail"]);
    expect(api?.checks.find((c) => c.name === "tasks")?.message).toBe(
      "1 of 2 desired containers RUNNING; 1 container restarted during the watch (api-1: 3 restarts); " +
        "1 container of this deployment stopped since 2026-01-01T11:50:00.000Z (api-2: OutOfMemory (container api-2 with exit code 137)).",
    );
  });

  it("skips the canary comparison on a runtime that has none, saying so", async () => {
    const runtime = new FakeDockerRuntime({ api: [container("api-1"), container("api-2")], web: [container("web-1")] });

    const report = await validate(
      { manifest, smoke: false, compare: "baseline" },
      { runtime, now: () => NOW, sleep: async () => undefined },
    );

    expect(report.services[0]?.checks.find((c) => c.name === "canary")).toMatchObject({
      status: "skipped",
      message: "Skipped: the docker runtime has no baseline comparison.",
    });
  });
});

describe("openRuntime, the composition root's choice", () => {
  const clients = {} as Pick<AwsClients, "ecs" | "cloudwatch" | "logs">;

  it("opens the Docker runtime for a Docker manifest, on the manifest's engine when DOCKER_HOST is unset", () => {
    const runtime = openRuntime(manifest, clients, { env: {} });
    expect(runtime).toBeInstanceOf(DockerRuntime);
    expect(runtime.describe).toBe("stack local on the Docker engine unix:///var/run/docker.sock");
  });

  it("prefers DOCKER_HOST to the manifest's docker.host", () => {
    const runtime = openRuntime(manifest, clients, { env: { DOCKER_HOST: "tcp://127.0.0.1:2375" } });
    expect(runtime.describe).toBe("stack local on the Docker engine tcp://127.0.0.1:2375");
  });

  it("refuses a runtime it does not know as bad input naming it", () => {
    const other = { ...manifest, runtime: "nomad" } as unknown as DeploymentManifest;
    const open = () => openRuntime(other, clients);
    expect(open).toThrow(BadInputError);
    expect(open).toThrow("stack local runs on nomad: deployctl has no nomad runtime yet");
  });
});
