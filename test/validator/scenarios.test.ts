import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeServicesCommand, type Service } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { OperationalError } from "../../validators/core/errors";
import type { CheckName, CheckResult, ValidationReport } from "../../contract/report";
import { validate } from "../../validators/validate";
import { testManifest, testService } from "./support/manifest";
import { DEPLOYED_AT, type MockedAws, NOW, ecsService, ecsTask, mockedAws } from "./support/mocks";
import { startTestServer } from "./support/httpServer";
import { arrangeHealthy } from "./support/scenario";

const api = testService("api");
const manifest = testManifest([api]);

let aws: MockedAws;
let slept: number[];
const deps = () => ({ clients: aws.clients, now: () => NOW, sleep: async (ms: number) => void slept.push(ms) });
const check = (report: ValidationReport, name: CheckName, service = 0): CheckResult =>
  report.services[service].checks.find((c) => c.name === name) as CheckResult;

beforeEach(() => {
  aws = mockedAws();
  slept = [];
});

describe("validate with mocked AWS", () => {
  it("passes a healthy service on every check, the smoke check skipped for lack of a url", async () => {
    arrangeHealthy(aws, [api]);

    const report = await validate({ manifest }, deps());

    expect(report.verdict).toBe("pass");
    expect(report.services[0].checks.map((c) => [c.name, c.status])).toEqual([
      ["rollout", "pass"],
      ["tasks", "pass"],
      ["errorRate", "pass"],
      ["latency", "pass"],
      ["smoke", "skipped"],
      ["logs", "pass"],
    ]);
  });

  it("waits for a rollout in progress and judges it once COMPLETED", async () => {
    arrangeHealthy(aws, [api]);
    aws.ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [ecsService(api, { rolloutState: "IN_PROGRESS", runningCount: 1 })] })
      .resolves({ services: [ecsService(api)] });
    const progress: string[] = [];

    const report = await validate({ manifest, waitSeconds: 60, onProgress: (m) => progress.push(m) }, deps());

    expect(check(report, "rollout").status).toBe("pass");
    expect(check(report, "rollout").observed.waitedSeconds).toBe(10);
    expect(slept).toEqual([10_000]);
    expect(aws.ecs.commandCalls(DescribeServicesCommand)).toHaveLength(2);
    expect(progress).toContain("Rollout IN_PROGRESS for api-svc; waiting (0 of 60 s)");
  });

  it("fails a rollout still in progress when the wait is used up, naming the state", async () => {
    arrangeHealthy(aws, [api], { services: [ecsService(api, { rolloutState: "IN_PROGRESS", runningCount: 2 })] });

    const report = await validate({ manifest, waitSeconds: 25 }, deps());

    expect(slept).toEqual([10_000, 10_000, 5_000]);
    expect(check(report, "rollout")).toMatchObject({
      status: "fail",
      message: "Deployment ecs-svc/api1: rollout still IN_PROGRESS after waiting 25 s (--wait 25s); 2 of 3 desired tasks running.",
    });
  });

  it("fails a FAILED rollout with ECS's reason", async () => {
    const failed = ecsService(api, {
      rolloutState: "FAILED",
      rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
      runningCount: 0,
      failedTasks: 4,
    });
    arrangeHealthy(aws, [api], { services: [failed] });

    const report = await validate({ manifest }, deps());

    expect(report.verdict).toBe("fail");
    expect(check(report, "rollout").message).toBe(
      "Deployment ecs-svc/api1: rollout FAILED (ECS deployment circuit breaker: tasks failed to start.); 0 of 3 desired tasks running; 4 tasks failed to start during the rollout.",
    );
    expect(check(report, "rollout").observed.failedTasks).toBe(4);
  });

  it("fails when the primary deployment runs another task definition than the manifest's", async () => {
    const other = ecsService(api, { taskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:1" });
    arrangeHealthy(aws, [api], { services: [other] });

    const report = await validate({ manifest }, deps());

    expect(check(report, "rollout").message).toBe(
      "Deployment ecs-svc/api1: the primary deployment runs api:1, the manifest expects api:2.",
    );
    expect(check(report, "rollout").status).toBe("fail");
  });

  it("fails on tasks of this deployment stopped by OutOfMemory, with the stop reason and exit code", async () => {
    const oom = ecsTask(api, "oom1", {
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      stoppedAt: new Date(DEPLOYED_AT.getTime() + 120_000),
      containers: [{ name: "app", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" }],
    });
    const running = [1, 2, 3].map((i) => ecsTask(api, `run${i}`));
    arrangeHealthy(aws, [api], { tasks: [...running, oom] });

    const report = await validate({ manifest }, deps());

    const tasks = check(report, "tasks");
    expect(tasks.status).toBe("fail");
    expect(tasks.message).toBe(
      "1 task of this deployment stopped since 2025-03-01T12:00:00.000Z (oom1: OutOfMemory (container app with exit code 137)).",
    );
    expect(tasks.observed).toMatchObject({ desired: 3, running: 3, stopped: 1 });
  });

  it("names an essential container's exit code when a task of this deployment stopped", async () => {
    const crashed = ecsTask(api, "crash1", {
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      containers: [{ name: "app", exitCode: 1 }],
    });
    arrangeHealthy(aws, [api], { tasks: [...[1, 2, 3].map((i) => ecsTask(api, `run${i}`)), crashed] });

    const report = await validate({ manifest }, deps());

    expect((check(report, "tasks").observed.stoppedTasks as { cause: string }[])[0].cause).toBe(
      "essential container app exited with exit code 1",
    );
  });

  it("ignores tasks of the previous task definition stopped by the rollout", async () => {
    const old = ecsTask(api, "old1", {
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:1",
      stoppedReason: "Scaling activity initiated by (deployment ecs-svc/api1)",
    });
    arrangeHealthy(aws, [api], { tasks: [...[1, 2, 3].map((i) => ecsTask(api, `run${i}`)), old] });

    const report = await validate({ manifest }, deps());

    expect(check(report, "tasks").status).toBe("pass");
  });

  it("does not fail on tasks of this deployment that ECS stopped for a scale-in, even with exit code 143", async () => {
    const scaledIn = ecsTask(api, "scaled1", {
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: "Scaling activity initiated by (deployment ecs-svc/api1)",
      stoppedAt: new Date(DEPLOYED_AT.getTime() + 300_000),
      containers: [{ name: "app", exitCode: 143 }],
    });
    arrangeHealthy(aws, [api], { tasks: [...[1, 2, 3].map((i) => ecsTask(api, `run${i}`)), scaledIn] });

    const report = await validate({ manifest }, deps());

    expect(check(report, "tasks")).toMatchObject({
      status: "pass",
      message:
        "3 of 3 desired tasks RUNNING, none unhealthy, none of this deployment stopped (1 task stopped by ECS scaling activity, not counted).",
      observed: { stopped: 0, scaledIn: ["scaled1"] },
    });
  });

  it("still fails on a task of this deployment that ECS stopped for failing its ELB health checks", async () => {
    const sick = ecsTask(api, "sick1", {
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason:
        "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/0)",
      stoppedAt: new Date(DEPLOYED_AT.getTime() + 300_000),
      containers: [{ name: "app", exitCode: 143 }],
    });
    arrangeHealthy(aws, [api], { tasks: [...[1, 2, 3].map((i) => ecsTask(api, `run${i}`)), sick] });

    const report = await validate({ manifest }, deps());

    expect(check(report, "tasks")).toMatchObject({ status: "fail", observed: { stopped: 1, scaledIn: [] } });
  });

  it("fails on an UNHEALTHY task", async () => {
    const tasks = [ecsTask(api, "a"), ecsTask(api, "b"), ecsTask(api, "sick", { healthStatus: "UNHEALTHY" })];
    arrangeHealthy(aws, [api], { tasks });

    const report = await validate({ manifest }, deps());

    expect(check(report, "tasks")).toMatchObject({ status: "fail", message: "1 task UNHEALTHY (sick)." });
  });

  it("fails when fewer tasks than desired are RUNNING", async () => {
    arrangeHealthy(aws, [api], { tasks: [ecsTask(api, "a"), ecsTask(api, "b", { lastStatus: "PENDING" })] });

    const report = await validate({ manifest }, deps());

    expect(check(report, "tasks")).toMatchObject({ status: "fail", message: "1 of 3 desired tasks RUNNING." });
    expect(check(report, "tasks").observed).toMatchObject({ desired: 3, running: 1, pending: 1, stopped: 0 });
  });

  it("ends with an OperationalError naming the operation when access is denied", async () => {
    arrangeHealthy(aws, [api]);
    const denied = Object.assign(new Error("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:DescribeServices"), {
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    aws.ecs.on(DescribeServicesCommand).rejects(denied);

    const run = validate({ manifest }, deps());

    await expect(run).rejects.toBeInstanceOf(OperationalError);
    await expect(run).rejects.toMatchObject({
      operation: "ECS DescribeServices",
      kind: "operational",
      message:
        "ECS DescribeServices failed (access denied): AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:DescribeServices",
    });
  });

  it("makes only the latency check inconclusive when the percentile request fails", async () => {
    arrangeHealthy(aws, [api], {
      percentilesFail: Object.assign(new Error("Internal Server Error"), {
        name: "InternalServerError",
        $metadata: { httpStatusCode: 500, attempts: 3 },
      }),
    });

    const report = await validate({ manifest }, deps());

    expect(check(report, "latency")).toMatchObject({
      status: "inconclusive",
      message:
        "Latency percentiles unavailable: CloudWatch GetMetricData (percentiles) failed after 3 attempts (AWS error): InternalServerError: Internal Server Error.",
    });
    expect(check(report, "errorRate").status).toBe("pass");
    expect(report.verdict).toBe("inconclusive");
  });

  it("makes only one service's error rate inconclusive when its metrics come back Forbidden", async () => {
    const web = testService("web");
    arrangeHealthy(aws, [api, web]);
    aws.cloudwatch.on(GetMetricDataCommand).callsFake((input) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map(
        (q: { Id: string; MetricStat: { Metric: { Dimensions: { Name: string; Value: string }[] } } }) =>
          q.MetricStat.Metric.Dimensions.some((d) => d.Value === web.targetGroup)
            ? { Id: q.Id, StatusCode: "Forbidden", Messages: [{ Code: "Forbidden", Value: "not authorized" }], Timestamps: [], Values: [] }
            : {
                Id: q.Id,
                StatusCode: "Complete",
                Timestamps: [new Date(DEPLOYED_AT.getTime() + 60_000)],
                Values: [q.Id.startsWith("r") ? 500 : 0.05],
              },
      ),
    }));

    const report = await validate({ manifest: testManifest([api, web]) }, deps());

    expect(check(report, "errorRate", 0).status).toBe("pass");
    expect(check(report, "errorRate", 1)).toMatchObject({
      status: "inconclusive",
      message: "ALB metrics unavailable: CloudWatch GetMetricData returned Forbidden for r1: not authorized.",
    });
  });

  it("judges p95 and p99 from the percentile request: warn above the threshold, fail above twice it", async () => {
    arrangeHealthy(aws, [api], { metrics: { [api.targetGroup]: { requests: 1000, errors5xx: 0, p95: 0.6, p99: 2.5 } } });

    const report = await validate({ manifest }, deps());

    expect(check(report, "latency")).toMatchObject({
      status: "fail",
      message: "p95 600 ms is above the 500 ms threshold; p99 2500 ms is above twice the 1000 ms threshold.",
      observed: { p95Ms: 600, p99Ms: 2500, minutes: 1 },
    });
  });

  it("asks GetMetricData for counts once and for percentiles once, from the newest deployment on", async () => {
    arrangeHealthy(aws, [api]);

    await validate({ manifest }, deps());

    const calls = aws.cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0].MetricDataQueries?.map((q) => `${q.Id}:${q.MetricStat?.Metric?.MetricName}:${q.MetricStat?.Stat}`)).toEqual([
      "r0:RequestCount:Sum",
      "t0:HTTPCode_Target_5XX_Count:Sum",
      "e0:HTTPCode_ELB_5XX_Count:Sum",
    ]);
    expect(calls[1].MetricDataQueries?.map((q) => q.MetricStat?.Stat)).toEqual(["p95", "p99", "SampleCount"]);
    expect(calls[0].StartTime).toEqual(DEPLOYED_AT);
    expect(calls[0].EndTime).toEqual(new Date("2025-03-01T12:11:00Z"));
  });

  it("batches 25 services and 250 tasks to the API limits", async () => {
    const services = Array.from({ length: 25 }, (_, i) => testService(`s${i}`));
    const tasks = services.flatMap((s) => Array.from({ length: 10 }, (_, i) => ecsTask(s, `${s.name}-${i}`)));
    arrangeHealthy(aws, services, { tasks });

    const report = await validate({ manifest: testManifest(services) }, deps());

    expect(report.verdict).toBe("pass");
    expect(aws.ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services?.length)).toEqual([10, 10, 5]);
    expect(aws.ecs.commandCalls(DescribeServicesCommand)).toHaveLength(3);
    const describeTasks = aws.ecs.calls().filter((c) => c.args[0].constructor.name === "DescribeTasksCommand");
    expect(describeTasks.map((c) => (c.args[0].input as { tasks: string[] }).tasks.length)).toEqual([100, 100, 50]);
    expect(aws.cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(2);
    expect(aws.logs.commandCalls(FilterLogEventsCommand)).toHaveLength(25);
  });

  it("reports skipped checks as skipped and does not call their APIs", async () => {
    arrangeHealthy(aws, [api]);

    const report = await validate({ manifest, skip: ["errorRate", "latency", "logs"] }, deps());

    expect(check(report, "errorRate")).toMatchObject({ status: "skipped", message: "Skipped on request (--skip errorRate)." });
    expect(aws.cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(0);
    expect(aws.logs.commandCalls(FilterLogEventsCommand)).toHaveLength(0);
    expect(report.verdict).toBe("pass");
  });

  it("fails rollout and tasks of a service ECS does not know", async () => {
    arrangeHealthy(aws, [api], { services: [] as Service[] });

    const report = await validate({ manifest }, deps());

    expect(check(report, "rollout").message).toBe("ECS service api-svc was not found in cluster delivery-staging.");
    expect(check(report, "tasks").status).toBe("fail");
  });

  it("stops the smoke watchdog at once when another part of the run fails, instead of waiting it out", async () => {
    const site = await startTestServer(() => ({ status: 200, body: '{"status":"UP"}' }));
    try {
      const withUrl = testService("api", { url: site.url });
      arrangeHealthy(aws, [withUrl]);
      aws.logs.on(FilterLogEventsCommand).callsFake(async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw Object.assign(new Error("not authorized to perform: logs:FilterLogEvents"), {
          name: "AccessDeniedException",
          $metadata: { httpStatusCode: 400 },
        });
      });
      const started = Date.now();

      const run = validate({ manifest: testManifest([withUrl]), watchSeconds: 30 }, { clients: aws.clients, now: () => NOW });

      await expect(run).rejects.toThrow("CloudWatch Logs FilterLogEvents failed (access denied)");
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await site.close();
    }
  });
});
