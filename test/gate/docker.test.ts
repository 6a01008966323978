/**
 * `deployctl gate --manifest <a Docker stack>` against the REAL engine (`.ci/run` starts dockerd;
 * without one these tests fail in beforeAll, naming how to start one): images built here, containers
 * started with the program's labels, the last good release in `.delivery/last-good` of the cwd.
 */
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerManifest } from "../../contract/manifest";
import type { GateReport } from "../../contract/report";
import { main } from "../../validators/cli/main";
import { LocalReleaseRegistry } from "../../validators/release/localRegistry";
import { captureIO } from "../support/io";
import { buildAppImage, docker, removeStack, requireEngine, runService, uniqueStack } from "../support/docker";

const REPO = `delivery-test/gate-${process.pid}`;
const stacks: string[] = [];

beforeAll(() => {
  requireEngine();
  buildAppImage(`${REPO}:v1`);
  docker(["tag", `${REPO}:v1`, `${REPO}:v2`]);
}, 120_000);
afterAll(() => {
  for (const stack of stacks) removeStack(stack);
  docker(["rmi", "-f", `${REPO}:v1`, `${REPO}:v2`], { allowFailure: true });
});

function manifest(stack: string): DockerManifest {
  return {
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
    services: [{ name: "api", image: REPO, imageTag: "v1", replicas: 1, url: "", healthPath: "/health", smokePaths: [], dependsOn: [] }],
  };
}

function newStack(): string {
  const stack = uniqueStack("gate");
  stacks.push(stack);
  return stack;
}

async function gate(stack: string, tag: string, before?: (cwd: string) => Promise<void>) {
  const io = captureIO({ DOCKER_HOST: "" });
  writeFileSync(join(io.cwd, "deployment.json"), JSON.stringify(manifest(stack)));
  await before?.(io.cwd);
  const code = await main(["node", "deployctl", "gate", "--manifest", "deployment.json", "--tag", tag, "--output", "json"], io);
  const report = JSON.parse(io.out() || "{}") as GateReport;
  const checks = Object.fromEntries((report.services?.[0]?.checks ?? []).map((c) => [c.name, c]));
  return { code, checks, stderr: io.err() };
}

describe("deployctl gate on a Docker stack", () => {
  it("passes with the image in the engine, the containers settled and a last good release in .delivery/; alarms skipped", async () => {
    const stack = newStack();
    runService({ stack, service: "api", image: `${REPO}:v1`, release: "v1" });

    const { code, checks } = await gate(stack, "v2", async (cwd) => {
      await new LocalReleaseRegistry(join(cwd, ".delivery", "last-good")).put({
        stack,
        service: "api",
        imageTag: "v1",
        taskDefinitionArn: `${REPO}:v1`,
        validatedAt: "2026-12-04T10:00:00.000Z",
        runId: "run-1",
      });
    });

    expect(code).toBe(0);
    expect(Object.fromEntries(Object.entries(checks).map(([n, c]) => [n, [c.status, c.message]]))).toEqual({
      image: ["pass", `Tag v2 exists in ${REPO} in the Docker engine unix:///var/run/docker.sock.`],
      alarms: ["skipped", "Skipped: a Docker stack has no alarms."],
      rollout: ["pass", `No rollout in progress for service api (${REPO}:v1, 1 of 1 running).`],
      lastGood: ["pass", "Last good release: image v1, validated 2026-12-04T10:00:00.000Z."],
    });
  }, 60_000);

  it("fails when the tag is not in the engine, naming image:tag", async () => {
    const stack = newStack();
    runService({ stack, service: "api", image: `${REPO}:v1`, release: "v1" });

    const { code, checks } = await gate(stack, "v9");

    expect(code).toBe(1);
    expect(checks.image).toMatchObject({
      status: "fail",
      message: `Tag v9 is missing from ${REPO} in the Docker engine unix:///var/run/docker.sock: no image ${REPO}:v9 (nothing is pulled: build or pull it first).`,
    });
  }, 60_000);

  it("fails while a container of the service is being created", async () => {
    const stack = newStack();
    docker([
      "create",
      "--name",
      `${stack}-api-1`,
      "--label",
      `delivery.stack=${stack}`,
      "--label",
      "delivery.service=api",
      "--label",
      "delivery.test=1",
      `${REPO}:v2`,
    ]);

    const { code, checks } = await gate(stack, "v2");

    expect(code).toBe(1);
    expect(checks.rollout).toMatchObject({
      status: "fail",
      message: "Release v2 of service api is still IN_PROGRESS (0 of 1 running): wait for it to finish.",
      observed: { containers: [{ name: `${stack}-api-1`, image: `${REPO}:v2`, state: "created", health: "none" }], desired: 1 },
    });
  }, 60_000);

  it("warns on a service with no container yet (first deploy), and on no last good release", async () => {
    const stack = newStack();

    const { code, checks } = await gate(stack, "v2");

    expect(code).toBe(0);
    expect([checks.rollout.status, checks.rollout.message]).toEqual([
      "warn",
      `Service api of stack ${stack} does not exist yet (first deploy?).`,
    ]);
    expect(checks.lastGood.status).toBe("warn");
    expect(checks.lastGood.message).toMatch(
      new RegExp(
        `^No last good release at .*/\\.delivery/last-good/${stack}/api\\.json: nothing to roll back to \\(expected on a first deploy\\)\\.$`,
      ),
    );
  }, 60_000);
});
