import { describe, expect, it } from "vitest";
import type { CheckName, CheckResult, ValidationReport } from "../../contract/report";
import { validate } from "../../validators/validate";
import { type TestServer, startTestServer } from "./support/httpServer";
import { testManifest } from "./support/manifest";
import { MotoWorld, useMotoWorld } from "./support/motoWorld";

// moto reports runningCount = MOTO_ECS_SERVICE_RUNNING for every service: 3 makes rollouts of 3 COMPLETED.
let world: MotoWorld;

useMotoWorld((_moto, w) => {
  world = w;
});

const run = (manifest: ReturnType<typeof testManifest>, extra: Partial<Parameters<typeof validate>[0]> = {}) =>
  validate({ manifest, smoke: false, ...extra }, { clients: world.clients, sleep: async () => undefined });
const check = (report: ValidationReport, name: CheckName, service = 0): CheckResult =>
  report.services[service].checks.find((c) => c.name === name) as CheckResult;
const statuses = (report: ValidationReport, service = 0) =>
  Object.fromEntries(report.services[service].checks.map((c) => [c.name, c.status]));

describe("validate against moto", () => {
  it("passes a healthy service; latency is inconclusive because moto cannot answer percentiles", async () => {
    const api = await world.healthy("api");

    const report = await run(testManifest([api]));

    expect(statuses(report)).toEqual({
      rollout: "pass",
      tasks: "pass",
      errorRate: "pass",
      latency: "inconclusive",
      smoke: "skipped",
      logs: "pass",
    });
    expect(check(report, "tasks").observed).toMatchObject({ desired: 3, running: 3, stopped: 0 });
    expect(check(report, "errorRate").observed).toMatchObject({ requests: 1000, errors5xx: 0, ratePercent: 0 });
    expect(check(report, "latency").message).toMatch(
      /^Latency percentiles unavailable: CloudWatch GetMetricData \(percentiles\) failed after 2 attempts/,
    );
    expect(report.verdict).toBe("inconclusive");
  });

  it("passes the same healthy service when latency is skipped", async () => {
    const api = await world.healthy("api");

    const report = await run(testManifest([api]), { skip: ["latency"] });

    expect(report.verdict).toBe("pass");
  });

  it("fails a 5xx spike", async () => {
    const api = await world.service("api");
    await world.runTasks(api, 3);
    await world.metrics(api, { requests: 1000, errors5xx: 200 });
    await world.logs(api, []);

    const report = await run(testManifest([api]), { skip: ["latency"] });

    expect(check(report, "errorRate")).toMatchObject({
      status: "fail",
      message:
        "200 5xx of 1000 requests (20%, 99% interval 16.944%-23.451%): even the interval's lower bound is above the fail threshold 1%.",
    });
    expect(report.verdict).toBe("fail");
  });

  it("is inconclusive on low traffic without a 5xx, never pass", async () => {
    const api = await world.service("api");
    await world.runTasks(api, 3);
    await world.metrics(api, { requests: 50, errors5xx: 0 });
    await world.logs(api, []);

    const report = await run(testManifest([api]), { skip: ["latency"] });

    expect(check(report, "errorRate").status).toBe("inconclusive");
    expect(check(report, "errorRate").observed).toMatchObject({ requests: 50, errors5xx: 0, ratePercent: 0 });
    expect(report.verdict).toBe("inconclusive");
  });

  it("fails low traffic whose 5xx rate is surely above 1 % (1 of 3: the interval's lower bound is 4 %)", async () => {
    const api = await world.service("api");
    await world.runTasks(api, 3);
    await world.metrics(api, { requests: 3, errors5xx: 1 });
    await world.logs(api, []);

    const report = await run(testManifest([api]), { skip: ["latency"] });

    expect(check(report, "errorRate").status).toBe("fail");
    expect(check(report, "errorRate").observed).toMatchObject({ requests: 3, errors5xx: 1, ratePercent: 33.333 });
    expect(report.verdict).toBe("fail");
  });

  it("is inconclusive without any metrics", async () => {
    const api = await world.service("api");
    await world.runTasks(api, 3);
    await world.logs(api, []);

    const report = await run(testManifest([api]), { skip: ["latency"] });

    expect(check(report, "errorRate").status).toBe("inconclusive");
    expect(check(report, "errorRate").message).toMatch(/^No requests in the window /);
  });

  it("fails when tasks are missing", async () => {
    const api = await world.service("api");
    await world.runTasks(api, 1);
    await world.metrics(api, { requests: 1000, errors5xx: 0 });
    await world.logs(api, []);

    const report = await run(testManifest([api]), { skip: ["latency"] });

    expect(check(report, "tasks")).toMatchObject({ status: "fail", message: "1 of 3 desired tasks RUNNING." });
  });

  it("names an OutOfMemory stop of a task of this deployment", async () => {
    const api = await world.service("api");
    const [first] = await world.runTasks(api, 4);
    await world.stopTask(first, "OutOfMemoryError: Container killed due to memory usage");
    await world.metrics(api, { requests: 1000, errors5xx: 0 });
    await world.logs(api, []);

    const report = await run(testManifest([api]), { skip: ["latency"] });

    const tasks = check(report, "tasks");
    expect(tasks.status).toBe("fail");
    expect(tasks.observed).toMatchObject({ desired: 3, running: 3, stopped: 1 });
    expect((tasks.observed.stoppedTasks as { cause: string }[])[0].cause).toBe("OutOfMemory");
  });

  it("fails on error lines in the logs, showing the first ones with secrets masked", async () => {
    const api = await world.service("api");
    await world.runTasks(api, 3);
    await world.metrics(api, { requests: 1000, errors5xx: 0 });
    await world.logs(api, [
      "INFO ready",
      "ERROR cannot connect to db password=hunter2",
      "WARN slow query",
      "java.lang.IllegalStateException: boom",
    ]);

    const report = await run(testManifest([api]), { skip: ["latency"] });

    expect(check(report, "logs")).toMatchObject({
      status: "fail",
      message: `${api.logGroup} since ${check(report, "logs").observed.since}: 2 error lines (first: "ERROR cannot connect to db password=***", "java.lang.IllegalStateException: boom").`,
      observed: { errorLines: 2, warnLines: 1 },
    });
    expect(JSON.stringify(report)).not.toContain("hunter2");
  });

  it("fails on three WARN lines (at most 2 by default) and requires a configured startup marker", async () => {
    const api = await world.service("api");
    await world.runTasks(api, 3);
    await world.metrics(api, { requests: 1000, errors5xx: 0 });
    await world.logs(api, ["WARN a", "WARN b", "WARN c"]);

    const warned = await run(testManifest([api]), { skip: ["latency"] });
    const marked = await run(testManifest([api]), { skip: ["latency"], logPatterns: { startupMarker: "Started Application" } });

    expect(check(warned, "logs")).toMatchObject({ status: "fail", observed: { warnLines: 3 } });
    expect(check(warned, "logs").message).toContain("3 warning lines (at most 2 allowed)");
    expect(check(marked, "logs")).toMatchObject({ status: "fail", observed: { startupMarkerFound: false } });
    expect(check(marked, "logs").message).toContain('startup marker "Started Application" not found');
  });

  it("passes two WARN lines, the most allowed by default", async () => {
    const api = await world.service("api");
    await world.runTasks(api, 3);
    await world.metrics(api, { requests: 1000, errors5xx: 0 });
    await world.logs(api, ["WARN a", "INFO b", "WARN c"]);

    const report = await run(testManifest([api]), { skip: ["latency"] });

    expect(check(report, "logs")).toMatchObject({ status: "pass", observed: { warnLines: 2 } });
  });

  it("judges only the last 100 lines of each task's stream, and finds the startup marker before them", async () => {
    const api = await world.service("api");
    await world.runTasks(api, 3);
    await world.metrics(api, { requests: 1000, errors5xx: 0 });
    const filler = Array.from({ length: 100 }, (_, i) => `INFO request ${i}`);
    await world.logs(api, ["Started Application", "ERROR during warm-up", ...filler], "app/api/task-1");
    await world.logs(api, ["Started Application", "ERROR during warm-up", ...filler.slice(1)], "app/api/task-2");
    const manifest = testManifest([{ ...api, logs: { startupMarker: "Started Application" } }]);
    await new Promise((resolve) => setTimeout(resolve, 250)); // the lines are stamped 1 ms apart from now on

    const report = await run(manifest, { skip: ["latency"] });

    expect(check(report, "logs")).toMatchObject({
      status: "fail",
      observed: { errorLines: 1, startupMarkerFound: true, eventsScanned: 200, linesJudged: 200 },
    });
    expect(check(report, "logs").message).toContain('1 error line (first: "ERROR during warm-up")');
  });

  it("takes tailLines and maxWarnings from the manifest's service entry, and the caller's patterns over them", async () => {
    const api = await world.service("api");
    await world.runTasks(api, 3);
    await world.metrics(api, { requests: 1000, errors5xx: 0 });
    await world.logs(api, ["ERROR old", "WARN a", "WARN b", "WARN c"]);
    const manifest = testManifest([{ ...api, logs: { tailLines: 3, maxWarnings: 3 } }]);

    const fromManifest = await run(manifest, { skip: ["latency"] });
    const overridden = await run(manifest, { skip: ["latency"], logPatterns: { maxWarnings: 2 } });

    expect(check(fromManifest, "logs")).toMatchObject({ status: "pass", observed: { errorLines: 0, warnLines: 3 } });
    expect(check(overridden, "logs")).toMatchObject({ status: "fail", observed: { warnLines: 3 } });
  });

  it("judges several services from one cluster listing, one verdict each", async () => {
    const api = await world.healthy("api");
    const web = await world.service("web");
    await world.runTasks(web, 2);
    await world.metrics(web, { requests: 1000, errors5xx: 0 });
    await world.logs(web, []);

    const report = await run(testManifest([api, web]), { skip: ["latency"] });

    expect(report.services.map((s) => [s.name, s.verdict])).toEqual([
      ["api", "pass"],
      ["web", "fail"],
    ]);
  });

  it("runs smoke and watchdog against the service url", async () => {
    const site: TestServer = await startTestServer(() => ({ status: 200, body: '{"status":"UP"}' }));
    try {
      const api = await world.healthy("api", { url: site.url });

      const report = await run(testManifest([api]), { smoke: true, watchSeconds: 10, skip: ["latency"] });

      expect(check(report, "smoke").status).toBe("pass");
      expect(site.requests).toEqual(["/health", "/health", "/health"]);
    } finally {
      await site.close();
    }
  });
});
