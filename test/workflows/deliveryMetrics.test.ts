import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../../fixtures/ports";
import { deploy, type GateOutcome } from "../../validators/workflows/deploy/index";
import { afterValidation } from "../../validators/workflows/validateAndRollback";
import { FileStackLock } from "../../validators/lock";
import { LocalRecordStore } from "../../validators/records";
import type { ValidateRequest } from "../../validators/rollback";
import { clientConfig } from "../../validators/providers/aws/clients";
import { CloudWatchMetricsPublisher } from "../../validators/providers/aws/deliveryMetrics";
import type { DeliveryDatum, MetricsPublisher } from "../../validators/providers/metrics";
import type { Verdict } from "../../contract/report";
import { harness } from "../release/harness";
import { FakeStacks, lastGood, manifest, MemoryRegistry, report, service } from "../release/support";
import { MOTO_CREDENTIALS } from "../support/moto";
import { warnAfterRun } from "../../validators/cli/runWarnings";
import { main } from "../../validators/cli/main";
import { OperationalError } from "../../validators/core/errors";
import { type RunFinish, RunRecorder } from "../../validators/records/recorder";
import { recordRun } from "../../validators/workflows/stackLock";
import { captureIO } from "../support/io";

const m = manifest([service("db", { imageTag: "sha-old0000" }), service("api", { imageTag: "sha-old0000", dependsOn: ["db"] })]);
const passGate: GateOutcome = { verdict: "pass", services: [] };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "metrics-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Keeps what it was asked to publish. */
class RecordingPublisher implements MetricsPublisher {
  readonly destination = "test";
  readonly published: DeliveryDatum[][] = [];
  async publish(data: readonly DeliveryDatum[]): Promise<void> {
    this.published.push([...data]);
  }
}

/** Judges every requested service: the next verdict scripted for it, else pass. */
function validator(verdicts: Record<string, Verdict[]>) {
  return (request: ValidateRequest) =>
    report(Object.fromEntries(request.services.map((name) => [name, verdicts[name]?.shift() ?? "pass"])));
}

function setup(metrics: MetricsPublisher, verdicts: Record<string, Verdict[]> = {}) {
  const stacks = FakeStacks.withTags({ db: "sha-old0000", api: "sha-old0000" });
  // The last good releases run revision 4 of their task definitions.
  const registry = MemoryRegistry.with([lastGood("db", "sha-old0000", 4), lastGood("api", "sha-old0000", 4)]);
  const h = harness({ manifest: m, stacks, registry, manifestFromStacks: true, reports: validator(verdicts) });
  const deps = {
    ...h.deps,
    metrics,
    gate: async () => passGate,
    store: new LocalRecordStore(join(dir, "records")),
    lock: new FileStackLock(join(dir, "locks"), h.clock.now),
    who: "ci@runner",
    runId: "run-7",
  };
  return { ...h, deps, run: () => deploy(m, { tag: "sha-new1111", waitSeconds: 300 }, deps) };
}

const row = (d: DeliveryDatum) => [d.metric, d.stack, d.service, d.value];

describe("the delivery metrics of a run", () => {
  it("a deploy that rolls back publishes, per service, one datum of each metric, once, at the run's end", async () => {
    const publisher = new RecordingPublisher();
    const h = setup(publisher, { api: ["fail"] });

    const result = await h.run();

    expect(result.record.outcome).toBe("rolled-back");
    expect(publisher.published).toHaveLength(1);
    // db passed, then rolled back with api (and passed again); api failed, rolled back, passed on the last good release.
    expect(publisher.published[0]?.map(row)).toEqual([
      ["Deployments", "staging", "db", 1],
      ["Rollbacks", "staging", "db", 1],
      ["ValidationsFailed", "staging", "db", 0],
      ["ValidationsPassed", "staging", "db", 2],
      ["RunningRevision", "staging", "db", 4],
      ["Deployments", "staging", "api", 1],
      ["Rollbacks", "staging", "api", 1],
      ["ValidationsFailed", "staging", "api", 1],
      ["ValidationsPassed", "staging", "api", 1],
      ["RunningRevision", "staging", "api", 4],
    ]);
    expect(new Set(publisher.published[0]?.map((d) => d.at.toISOString()))).toEqual(new Set([result.record.finishedAt]));
    expect(result.record.actions.filter((a) => a.kind === "metrics")).toEqual([]);
  });

  it("a validate run publishes its verdicts and the running revision, never an inconclusive one as a pass", async () => {
    const publisher = new RecordingPublisher();
    const h = setup(publisher);

    await afterValidation(
      { manifest: m, outcome: report({ db: "pass", api: "inconclusive" }), rollback: false, record: true },
      { ...h.deps, runId: "run-8" },
    );

    expect(publisher.published.map((batch) => batch.map(row))).toEqual([
      [
        ["Deployments", "staging", "db", 0],
        ["Rollbacks", "staging", "db", 0],
        ["ValidationsFailed", "staging", "db", 0],
        ["ValidationsPassed", "staging", "db", 1],
        ["RunningRevision", "staging", "db", 2],
        ["Deployments", "staging", "api", 0],
        ["Rollbacks", "staging", "api", 0],
        ["ValidationsFailed", "staging", "api", 0],
        ["ValidationsPassed", "staging", "api", 0],
        ["RunningRevision", "staging", "api", 2],
      ],
    ]);
  });

  it("a deploy publishes through PutMetricData exactly the data of its run", async () => {
    const cloudwatch = new CloudWatchClient({ region: "eu-west-1", credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
    const cw = mockClient(cloudwatch);
    cw.on(PutMetricDataCommand).resolves({});
    const h = setup(new CloudWatchMetricsPublisher(cloudwatch));

    const result = await h.run();

    const calls = cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
    const at = new Date(result.record.finishedAt);
    const dims = (svc: string) => [
      { Name: "Stack", Value: "staging" },
      { Name: "Service", Value: svc },
    ];
    const count = (name: string, svc: string, value: number) => ({
      MetricName: name,
      Dimensions: dims(svc),
      Timestamp: at,
      Value: value,
      Unit: "Count",
    });
    expect(calls).toEqual([
      {
        Namespace: "Delivery",
        MetricData: ["db", "api"].flatMap((svc) => [
          count("Deployments", svc, 1),
          count("Rollbacks", svc, 0),
          count("ValidationsFailed", svc, 0),
          count("ValidationsPassed", svc, 1),
          // The task definition the stack update produced: revision 1 of staging-<svc>-sha-new1111 (release/harness.ts).
          { MetricName: "RunningRevision", Dimensions: dims(svc), Timestamp: at, Value: 1, Unit: "None" },
        ]),
      },
    ]);
  });

  describe("is best-effort: a failure to publish is recorded and changes nothing else", () => {
    async function baseline() {
      const result = await setup(new RecordingPublisher(), { api: ["fail"] }).run();
      return [result.outcome, result.record.verdict, result.record.exitCode];
    }

    it("CloudWatch throttling beyond the retries", async () => {
      const expected = await baseline();
      const cloudwatch = new CloudWatchClient({ region: "eu-west-1", credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
      mockClient(cloudwatch)
        .on(PutMetricDataCommand)
        .rejects(Object.assign(new Error("Rate exceeded"), { name: "Throttling", $metadata: { attempts: 3 } }));

      const result = await setup(new CloudWatchMetricsPublisher(cloudwatch), { api: ["fail"] }).run();

      expect([result.outcome, result.record.verdict, result.record.exitCode]).toEqual(expected);
      expect(expected).toEqual(["rolled-back", "fail", 1]);
      expect(result.record.actions.filter((a) => a.kind === "metrics")).toEqual([
        {
          kind: "metrics",
          target: "CloudWatch namespace Delivery",
          status: "failed",
          message:
            "could not publish 10 delivery metric data (the run's outcome is unchanged): CloudWatch PutMetricData failed after 3 attempts (throttled beyond retries): Throttling: Rate exceeded",
          at: result.record.actions.find((a) => a.kind === "metrics")?.at,
        },
      ]);
    });

    it("CloudWatch unreachable (nothing listens on the endpoint)", async () => {
      const expected = await baseline();
      const endpoint = `http://127.0.0.1:${await freePort()}`;
      const cloudwatch = new CloudWatchClient(
        clientConfig({ region: "eu-west-1", endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 }),
      );

      const result = await setup(new CloudWatchMetricsPublisher(cloudwatch), { api: ["fail"] }).run();

      expect([result.outcome, result.record.verdict, result.record.exitCode]).toEqual(expected);
      const actions = result.record.actions.filter((a) => a.kind === "metrics");
      expect(actions.map((a) => [a.status, a.target])).toEqual([["failed", "CloudWatch namespace Delivery"]]);
      expect(actions[0]?.message).toMatch(
        /^could not publish 10 delivery metric data \(the run's outcome is unchanged\): CloudWatch PutMetricData failed \(AWS unreachable\): .*ECONNREFUSED/,
      );
    });
  });
});

describe("the commands' warning after a run", () => {
  it("says a failed publication on stderr, as a warning, masked, and nothing for a published run", async () => {
    const cloudwatch = new CloudWatchClient({ region: "eu-west-1", credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
    mockClient(cloudwatch)
      .on(PutMetricDataCommand)
      .rejects(Object.assign(new Error("Rate exceeded for s3cr3t"), { name: "Throttling" }));
    const failed = await setup(new CloudWatchMetricsPublisher(cloudwatch)).run();
    const published = await setup(new RecordingPublisher()).run();
    const lines: string[] = [];
    const io = { stdout: () => undefined, stderr: (t: string) => lines.push(t), env: {}, cwd: dir };

    warnAfterRun(io, published);
    warnAfterRun(io, failed, (t) => t.replaceAll("s3cr3t", "****"));

    expect(lines).toEqual([
      "deployctl: warning: could not publish 10 delivery metric data (the run's outcome is unchanged): CloudWatch PutMetricData failed (throttled beyond retries): Throttling: Rate exceeded for ****\n",
    ]);
  });
});

describe("the commands' --help", () => {
  it.each(["deploy", "rollback", "validate"])("%s says what it publishes, on ECS only, and that it is best-effort", async (command) => {
    const io = captureIO({}, dir);

    const code = await main(["node", "deployctl", command, "--help"], io);

    expect(code).toBe(0);
    const text = io.out().replace(/\s+/g, " ");
    expect(text).toContain("Delivery metrics (ECS only): as the run ends, CloudWatch namespace Delivery gets, per stack and service,");
    expect(text).toContain("Best-effort: a failure is a warning on stderr and a metrics action in the run record;");
  });
});

describe("the delivery metrics under the command's --deadline", () => {
  const start = (metrics: MetricsPublisher, signal: AbortSignal) => () => ({
    recorder: new RunRecorder({
      runId: "run-9",
      command: "validate",
      who: "ci@runner",
      stack: "staging",
      now: () => new Date("2024-05-01T10:00:00.000Z"),
    }),
    store: new LocalRecordStore(join(dir, "records")),
    metrics,
    signal,
  });
  const body = async (recorder: RunRecorder): Promise<RunFinish> => {
    recorder.validation(report({ api: "pass" }));
    return { outcome: "released", verdict: "pass" };
  };

  it("abandons a publication still in flight when the deadline passes, and writes the record", async () => {
    const deadline = new AbortController();
    const hanging: MetricsPublisher = {
      destination: "CloudWatch namespace Delivery",
      publish: () => {
        setTimeout(() => deadline.abort(new Error("--deadline 2s passed while publishing")), 10);
        return new Promise<void>(() => undefined);
      },
    };

    const result = await recordRun(start(hanging, deadline.signal), body);

    expect([result.outcome, result.record.exitCode]).toEqual(["released", 0]);
    expect(result.record.actions.map((a) => [a.kind, a.status, a.message])).toEqual([
      [
        "metrics",
        "failed",
        "could not publish 4 delivery metric data (the run's outcome is unchanged): --deadline 2s passed while publishing",
      ],
    ]);
  });

  it("sends nothing once the deadline has passed, and says so in the record", async () => {
    const publisher = new RecordingPublisher();
    const deadline = new AbortController();
    const late = async (recorder: RunRecorder): Promise<RunFinish> => {
      const end = await body(recorder);
      deadline.abort(new OperationalError("--deadline 2s passed"));
      return end;
    };

    const result = await recordRun(start(publisher, deadline.signal), late).catch((e: unknown) => e);

    expect(publisher.published).toEqual([]);
    expect(result).toBeInstanceOf(OperationalError);
    const [saved] = await new LocalRecordStore(join(dir, "records")).list();
    expect(saved?.actions.map((a) => [a.kind, a.status, a.message])).toEqual([
      [
        "metrics",
        "skipped",
        "could not publish 4 delivery metric data (the run's outcome is unchanged): the command's deadline had passed",
      ],
    ]);
  });
});
