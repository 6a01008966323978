// npm run bench:validate: AWS calls and wall time of `deployctl validate` against moto for 1, 10
// and 100 services (3 tasks each), side by side with the naive per-service approach and the lower
// bound ceil(N/10) + 2*ceil(T/100) + ceil(Q/500), plus one log query per service.
// Quick mode (BENCH_QUICK=1 or --quick, what CI runs): 1 and 3 services.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { type AwsClients, createAwsClients } from "../validators/providers/aws/clients";
import { main } from "../validators/cli/main";
import type { EcsManifest } from "../contract/manifest";
import { describeServices } from "../validators/providers/aws/ecs";
import { mapLimit } from "../validators/core/pool";
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from "../fixtures/moto";
import { startFlakyProxy } from "../fixtures/flakyProxy";
import { captureIO } from "../fixtures/io";
import { REGION, testManifest } from "../fixtures/manifest";
import { MotoWorld } from "../fixtures/motoWorld";
import { QUICK } from "./quick";

const SIZES = QUICK ? [1, 3] : [1, 10, 100];
const TASKS_PER_SERVICE = 3;
const OPERATIONS = ["DescribeServices", "ListTasks", "DescribeTasks", "GetMetricData", "FilterLogEvents"] as const;

interface Measure {
  calls: Map<string, number>;
  ms: number;
}

async function main_(): Promise<void> {
  const moto = await startMoto({ MOTO_ECS_SERVICE_RUNNING: String(TASKS_PER_SERVICE) });
  const rows: string[][] = [];
  const ratios: string[] = [];
  try {
    for (const n of SIZES) {
      await moto.reset();
      await moto.freezeEcsTasks();
      const manifest = await buildWorld(moto, n);
      const ours = await measure(moto, (endpoint) => runDeployctl(manifest, endpoint));
      const naive = await measure(moto, (endpoint) => runNaive(manifest, endpoint));
      const tasks = n * TASKS_PER_SERVICE;
      // Queries: 2 counts per service + 1 ELB 5xx per load balancer, and p95, p99, SampleCount per service.
      const queries = 2 * n + 1 + 3 * n;
      const bound = Math.ceil(n / 10) + 2 * Math.ceil(tasks / 100) + Math.ceil(queries / 500);
      rows.push(row(n, tasks, "deployctl", ours, bound));
      rows.push(row(n, tasks, "naive", naive, bound));
      ratios.push(
        `${n} services: naive / deployctl = ${ratio(total(naive), total(ours))} in all, ` +
          `${ratio(total(naive) - logs(naive), total(ours) - logs(ours))} without the per-service log query both make`,
      );
    }
  } finally {
    await moto.stop();
  }
  const header = ["services", "tasks", "approach", ...OPERATIONS, "after the verdict", "total", "w/o logs", "bound+logs", "wall ms"];
  console.log(`deployctl validate against moto (${TASKS_PER_SERVICE} tasks per service; AWS requests counted at the endpoint)\n`);
  console.log(table([header, ...rows]));
  console.log("");
  for (const line of ratios) console.log(line);
  console.log(
    "\nbound = ceil(N/10) DescribeServices + 2*ceil(T/100) ListTasks+DescribeTasks + ceil(Q/500) GetMetricData, + N log queries." +
      "\ndeployctl also lists STOPPED tasks (one more ListTasks) and asks for percentiles in a request apart (moto answers it 500)." +
      "\nmoto does not paginate ListTasks; AWS would take ceil(T/100) pages. --max-attempts 1: requests = API calls, no retries.",
  );
}

/** A stack of `n` healthy services in moto: task definitions, services, 3 running tasks each, metrics, logs. */
async function buildWorld(moto: MotoServer, n: number): Promise<EcsManifest> {
  const world = new MotoWorld(moto.endpoint);
  await world.cluster();
  const services = await mapLimit(
    Array.from({ length: n }, (_, i) => `svc${String(i).padStart(3, "0")}`),
    8,
    (name) => world.healthy(name, { desired: TASKS_PER_SERVICE }),
  );
  return testManifest(services);
}

async function measure(moto: MotoServer, run: (endpoint: string) => Promise<void>): Promise<Measure> {
  const proxy = await startFlakyProxy(moto.endpoint, () => undefined);
  try {
    const started = performance.now();
    await run(proxy.endpoint);
    return { calls: new Map(proxy.seen), ms: performance.now() - started };
  } finally {
    await proxy.close();
  }
}

async function runDeployctl(manifest: EcsManifest, endpoint: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-validate-"));
  writeFileSync(join(dir, "deployment.json"), JSON.stringify(manifest));
  const io = captureIO({ AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey }, dir);
  // --no-record: the bench measures the judgement; recording last good is one SSM PutParameter per
  // passing service (SSM has no batch write), the same for any approach.
  const code = await main(
    [
      "node",
      "deployctl",
      "validate",
      "--manifest",
      "deployment.json",
      "--endpoint-url",
      endpoint,
      "--max-attempts",
      "1",
      "--output",
      "json",
      "--no-record",
    ],
    io,
  );
  const verdicts = (JSON.parse(io.out() || "{}") as { services?: { verdict: string }[] }).services?.map((s) => s.verdict) ?? [];
  if (code === 4 || code === 2) throw new Error(`deployctl validate exited ${code}: ${io.err()}`);
  if (verdicts.length !== manifest.services.length)
    throw new Error(`expected ${manifest.services.length} service verdicts, got ${verdicts.length}`);
}

/** What a validator without batching does: per service ListTasks, DescribeTasks, one GetMetricData (and the same log query). */
async function runNaive(manifest: EcsManifest, endpoint: string): Promise<void> {
  const clients: AwsClients = createAwsClients({ region: REGION, endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
  await describeServices(
    clients.ecs,
    manifest.cluster,
    manifest.services.map((s) => s.ecsService),
  );
  const end = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 60_000);
  const start = new Date(end.getTime() - 15 * 60_000);
  await mapLimit(manifest.services, 10, async (s) => {
    // AWS filters ListTasks by serviceName; moto ignores that filter, so ask by the task definition's
    // family (the service's name in this world), which gives the same three tasks.
    const listed = await clients.ecs.send(new ListTasksCommand({ cluster: manifest.cluster, family: s.name }));
    if ((listed.taskArns ?? []).length > 0)
      await clients.ecs.send(new DescribeTasksCommand({ cluster: manifest.cluster, tasks: listed.taskArns }));
    const dims = [
      { Name: "LoadBalancer", Value: s.loadBalancer },
      { Name: "TargetGroup", Value: s.targetGroup },
    ];
    await clients.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: end,
        MetricDataQueries: ["RequestCount", "HTTPCode_Target_5XX_Count"].map((metric, i) => ({
          Id: `m${i}`,
          MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: metric, Dimensions: dims }, Period: 60, Stat: "Sum" },
        })),
      }),
    );
    await clients.logs.send(new FilterLogEventsCommand({ logGroupName: s.logGroup, startTime: start.getTime() }));
  });
}

/** Calls outside the checks' operations (the post-verdict step's), by operation. */
const otherCalls = (m: Measure) =>
  [...m.calls.entries()]
    .filter(([op]) => !(OPERATIONS as readonly string[]).includes(op))
    .map(([op, n]) => `${op} ${n}`)
    .join(", ") || "0";
/** The checks' calls: what the comparison is about (the post-verdict alerts are shown apart, as "other"). */
const total = (m: Measure) => OPERATIONS.reduce((sum, op) => sum + (m.calls.get(op) ?? 0), 0);
const logs = (m: Measure) => m.calls.get("FilterLogEvents") ?? 0;
const ratio = (a: number, b: number) => `${(a / Math.max(b, 1)).toFixed(1)}x`;

function row(n: number, tasks: number, approach: string, m: Measure, bound: number): string[] {
  return [
    String(n),
    String(tasks),
    approach,
    ...OPERATIONS.map((op) => String(m.calls.get(op) ?? 0)),
    otherCalls(m),
    String(total(m)),
    String(total(m) - logs(m)),
    `${bound}+${n}`,
    m.ms.toFixed(0),
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ")).join("\n");
}

main_().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exitCode = 1;
});
