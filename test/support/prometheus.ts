/**
 * A real Prometheus (Debian's `prometheus` and `promtool`, installed by .ci/run) for the tests:
 * backfill OpenMetrics samples with promtool, start Prometheus on a free loopback port, query it
 * for real, stop it. Fails loudly, naming the install, when a binary is missing: never skips.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../fixtures/ports";

export interface PrometheusServer {
  url: string;
  stop(): Promise<void>;
}

const INSTALL = "apt-get install -y -qq --no-install-recommends prometheus (as .ci/run does)";

export function prometheusBinary(name: "prometheus" | "promtool"): string {
  const override = name === "prometheus" ? process.env.PROMETHEUS_BIN : process.env.PROMTOOL_BIN;
  const bin = override ?? name;
  try {
    execFileSync(bin, ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error(`${name} is not installed (looked for "${bin}"): the Prometheus tests need a real one. Install it: ${INSTALL}`);
  }
  return bin;
}

/** Backfills `openMetrics` (OpenMetrics text ending with `# EOF`, timestamps in seconds) and starts Prometheus on it. */
export async function startPrometheus(openMetrics: string): Promise<PrometheusServer> {
  const prometheus = prometheusBinary("prometheus");
  const promtool = prometheusBinary("promtool");
  const dir = mkdtempSync(join(tmpdir(), "prometheus-test-"));
  const tsdb = join(dir, "tsdb");
  writeFileSync(join(dir, "data.om"), openMetrics);
  writeFileSync(join(dir, "prometheus.yml"), "global:\n  evaluation_interval: 1m\n");
  execFileSync(promtool, ["tsdb", "create-blocks-from", "openmetrics", join(dir, "data.om"), tsdb], { stdio: "pipe" });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = "";
  const child: ChildProcess = spawn(
    prometheus,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${tsdb}`,
      `--storage.tsdb.retention.time=3650d`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`Prometheus did not become ready on ${url}; its log ends with:\n${log}`);
}
