import { afterEach, describe, expect, it } from "vitest";
import { replicaChanges } from "../../validators/checks/replicaChanges";
import { runSmoke } from "../../validators/checks/smoke";
import type { ReplicaObservation, ReplicasObservation } from "../../validators/providers/runtime";
import { type TestServer, startTestServer } from "./support/httpServer";

const START = new Date("2025-03-01T12:10:00.000Z");
const END = new Date("2025-03-01T12:10:30.000Z");
const words = { service: "ECS service staging-api", location: "cluster staging", replica: "task", revision: "Deployment", scaler: "ECS" };
const running = (id: string, extra: Partial<ReplicaObservation> = {}): ReplicaObservation => ({
  id,
  state: "running",
  health: "healthy",
  ofJudgedRevision: true,
  ...extra,
});
const observed = (...replicas: ReplicaObservation[]): ReplicasObservation => ({ words, found: true, desired: 2, replicas });
const changes = (before: ReplicasObservation, after: ReplicasObservation) => replicaChanges(before, after, { start: START, end: END });

describe("replicaChanges: a replica stopped or restarted during the watch", () => {
  it("finds nothing when the same replicas run at both ends", () => {
    expect(changes(observed(running("t1"), running("t2")), observed(running("t1"), running("t2")))).toEqual([]);
  });

  it("names an ECS task replaced by a new one (the old gone, the new started)", () => {
    expect(changes(observed(running("t1"), running("t2")), observed(running("t1"), running("t3")))).toEqual([
      "task t2 was running when the watch began and is gone at its end",
      "task t3 started during the watch (replacing one that stopped)",
    ]);
  });

  it("names a task that stopped during the watch, with its stop code", () => {
    const stopped = running("t2", {
      state: "stopped",
      stoppedAt: new Date("2025-03-01T12:10:12.000Z"),
      stop: { kind: "exited", stopCode: "EssentialContainerExited", exitCode: 1, stoppedAt: null, containers: [] },
    });
    expect(changes(observed(running("t1"), running("t2")), observed(running("t1"), stopped))).toEqual([
      "task t2 stopped during the watch (EssentialContainerExited, exit code 1)",
    ]);
  });

  it("names a task that started and stopped inside the watch, but not one stopped before it began", () => {
    const inside = running("t3", { state: "stopped", stoppedAt: new Date("2025-03-01T12:10:20.000Z") });
    const earlier = running("t4", { state: "stopped", stoppedAt: new Date("2025-03-01T12:09:00.000Z") });
    expect(changes(observed(running("t1")), observed(running("t1"), inside, earlier))).toEqual([
      "task t3 started and stopped during the watch",
    ]);
  });

  it("names a restart count that went up (runtimes that restart in place)", () => {
    expect(changes(observed(running("c1", { restarts: 0 })), observed(running("c1", { restarts: 1 })))).toEqual([
      "task c1 restarted 1 time(s) during the watch",
    ]);
  });

  it("does not count a task the runtime stopped on purpose (scale-in)", () => {
    expect(
      changes(observed(running("t1"), running("t2")), observed(running("t1"), running("t2", { state: "stopped", stoppedByScaling: true }))),
    ).toEqual([]);
  });
});

describe("the watchdog reads the replicas at its start and end", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("fails the smoke check when a task was replaced during the watch, naming it", async () => {
    server = await startTestServer(() => ({ status: 200, body: JSON.stringify({ status: "UP" }) }));
    const readings = [observed(running("t1"), running("t2")), observed(running("t1"), running("t9"))];
    let reads = 0;

    const result = await runSmoke(
      { url: server.url, healthPath: "/health", smokePaths: [] },
      { slowMs: 1000, watchSeconds: 10 },
      { fetch: globalThis.fetch, now: () => new Date(), sleep: async () => undefined, replicas: async () => readings[reads++] },
    );

    expect(reads).toBe(2);
    expect(result.status).toBe("fail");
    expect(result.message).toMatch(
      /watchdog: task t2 was running when the watch began and is gone at its end; task t9 started during the watch \(replacing one that stopped\)\.$/,
    );
  });

  it("passes when the same tasks run at both ends", async () => {
    server = await startTestServer(() => ({ status: 200, body: JSON.stringify({ status: "UP" }) }));

    const result = await runSmoke(
      { url: server.url, healthPath: "/health", smokePaths: [] },
      { slowMs: 1000, watchSeconds: 10 },
      { fetch: globalThis.fetch, now: () => new Date(), sleep: async () => undefined, replicas: async () => observed(running("t1")) },
    );

    expect(result.status).toBe("pass");
  });
});
