// npm run bench:synth: how long the offline synth takes, for the four shipped stacks and for one
// stack as its number of services grows. Aim: all four stacks under 10 s; cost linear in services.
// Quick mode (BENCH_QUICK=1 or --quick, what CI runs): the local stack, then dev with 1 and 3 services.
import { join } from "node:path";
import { parseEnvironmentConfig, readStackFile } from "../infra/config";
import { synthConfig } from "../infra/synth/synth";
import { QUICK } from "./quick";

const root = join(__dirname, "..");
const STACKS = QUICK ? ["local"] : ["local", "dev", "staging", "prod"];

function withServices(count: number) {
  const raw = readStackFile(root, "dev");
  const services = Array.from({ length: count }, (_, i) => ({
    name: `svc-${i}`,
    image: { repository: `delivery/svc-${i}`, tag: "sha-0000000" },
    port: 8080,
    path: `/svc-${i}/*`,
    // What the dev stack's delivery:envTemplate requires (its secret key is required of none).
    environment: { LOG_LEVEL: "info" },
  }));
  return parseEnvironmentConfig({ ...raw, values: { ...raw.values, "delivery:services": services } });
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

async function main(): Promise<void> {
  const rows: string[][] = [["case", "services", "resources", "ms", "ms/service", "heap MiB"]];
  const heap = () => (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);

  // Warm up module loading so the first row does not carry it.
  await synthConfig(withServices(1));

  const all = await time(async () => {
    let resources = 0;
    let services = 0;
    for (const stack of STACKS) {
      const doc = await synthConfig(parseEnvironmentConfig(readStackFile(root, stack)));
      resources += doc.resources.length;
      services += doc.summary.services.length;
    }
    return { resources, services };
  });
  rows.push([
    QUICK ? "the local stack" : "all four stacks",
    String(all.value.services),
    String(all.value.resources),
    all.ms.toFixed(0),
    (all.ms / all.value.services).toFixed(1),
    heap(),
  ]);

  for (const n of QUICK ? [1, 3] : [1, 10, 50, 100]) {
    const config = withServices(n);
    const r = await time(() => synthConfig(config));
    rows.push([`dev with ${n}`, String(n), String(r.value.resources.length), r.ms.toFixed(0), (r.ms / n).toFixed(1), heap()]);
  }

  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
  if (QUICK) {
    console.log("\nquick mode: the aim (all four stacks under 10 s) is judged by the full run, npm run bench:synth");
    return;
  }
  const verdict = all.ms < 10_000 ? "met" : "MISSED";
  console.log(`\naim: all four stacks under 10 s: ${verdict} (${(all.ms / 1000).toFixed(2)} s)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
