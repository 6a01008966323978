/**
 * The Docker runtime's restart (`--retries`) against the REAL engine (`.ci/run` starts dockerd;
 * without an engine these tests fail in beforeAll, naming how to start one).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerManifest } from "../../contract/manifest";
import { DockerRuntime, dockerClient, observeService } from "../../validators/providers/docker";
import { buildAppImage, eventually, removeStack, requireEngine, runService, uniqueStack } from "../support/docker";

const REPO = "delivery-test/rapp";
const GOOD = `${REPO}:v1`;
const client = dockerClient();
const stack = uniqueStack("restart");

const manifest: DockerManifest = {
  schemaVersion: 1,
  runtime: "docker",
  project: "delivery",
  stack,
  docker: { host: "unix:///var/run/docker.sock" },
  thresholds: {
    errorRateWarningPercent: 1,
    errorRateCriticalPercent: 5,
    minRequests: 1,
    p95LatencyMs: 1000,
    p99LatencyMs: 2000,
    windowSeconds: 600,
  },
  history: { prefix: stack },
  services: [
    { name: "api", image: REPO, imageTag: "v1", replicas: 2, url: "", healthPath: "/health", smokePaths: [], dependsOn: [] },
    { name: "ghost", image: REPO, imageTag: "v1", replicas: 1, url: "", healthPath: "/health", smokePaths: [], dependsOn: [] },
  ],
};
const runtime = () => new DockerRuntime(manifest, client, "unix:///var/run/docker.sock");
const now = () => new Date("2026-12-05T06:00:00.000Z");

beforeAll(() => {
  requireEngine();
  buildAppImage(GOOD, "serve");
  runService({ stack, service: "api", image: GOOD, index: 1, healthPath: "/health" });
  runService({ stack, service: "api", image: GOOD, index: 2, healthPath: "/health" });
  runService({ stack, service: "other", image: GOOD, index: 1 });
}, 120_000);

afterAll(() => removeStack(stack));

describe("the Docker runtime's restart", () => {
  it("restarts every container of the service through the engine, same containers and image, and the rollouts wait sees them healthy again", async () => {
    const healthy = await eventually("both api containers healthy", async () => {
      const o = await observeService(client, { stack, service: "api" });
      return o.replicas.length === 2 && o.replicas.every((r) => r.health === "healthy") ? o.replicas : undefined;
    });
    const other = (await observeService(client, { stack, service: "other" })).replicas;
    const r = runtime();

    const actions = await r.restart(["api"], now);

    expect(actions).toEqual([
      {
        kind: "force-new-deployment",
        target: "api",
        status: "ok",
        message: `Restarted ${stack}-api-1, ${stack}-api-2 (${GOOD})`,
        at: "2026-12-05T06:00:00.000Z",
        details: { stack, image: GOOD, containers: [`${stack}-api-1`, `${stack}-api-2`] },
      },
    ]);
    const after = (await observeService(client, { stack, service: "api" })).replicas;
    expect(after.map((c) => [c.id, c.image, c.state])).toEqual(healthy.map((c) => [c.id, GOOD, "running"]));
    after.forEach((c, i) => expect(Date.parse(c.startedAt ?? "")).toBeGreaterThan(Date.parse(healthy[i]?.startedAt ?? "")));
    // Another service of the stack is left alone.
    expect((await observeService(client, { stack, service: "other" })).replicas.map((c) => c.startedAt)).toEqual(
      other.map((c) => c.startedAt),
    );
    const waits: string[] = [];
    const { rollouts } = await r.rollouts(["api"], {
      waitSeconds: 30,
      pollSeconds: 1,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      onProgress: (m) => waits.push(m),
    });
    expect(rollouts.get("api")?.revision?.state).toBe("COMPLETED");
    expect(rollouts.get("api")?.revision?.running).toBe(2);
  }, 90_000);

  it("reports a service without containers as a failed action, never a throw", async () => {
    const actions = await runtime().restart(["ghost"], now);

    expect(actions.map((a) => [a.target, a.status, a.message])).toEqual([
      ["ghost", "failed", `no container of ${stack}/ghost exists to restart`],
    ]);
  });
});
