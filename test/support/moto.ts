import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

/** A moto server started by a test file, on a free loopback port. */
export interface MotoServer {
  endpoint: string;
  port: number;
  /** POST /moto-api/reset: forget every resource. */
  reset(): Promise<void>;
  /** Freezes ECS task states (moto otherwise advances a task one state per DescribeTasks call). */
  freezeEcsTasks(): Promise<void>;
  stop(): Promise<void>;
}

/** Dummy credentials for SDK clients pointed at moto. */
export const MOTO_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" } as const;

/** The moto_server executable: $MOTO_SERVER or `moto_server` on PATH. Throws (never skips) when absent. */
export function motoExecutable(): string {
  const candidate = process.env.MOTO_SERVER ?? "moto_server";
  const probe = spawnSync(candidate, ["--help"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `moto is required for this test and was not found: '${candidate} --help' failed ` +
        `(${probe.error?.message ?? `exit ${probe.status}`}). Install moto[server] 5.2.1 or set MOTO_SERVER.`,
    );
  }
  return candidate;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts moto_server on 127.0.0.1 with the given environment (for example
 * MOTO_ECS_SERVICE_RUNNING) and waits until it answers.
 */
export async function startMoto(env: Record<string, string> = {}): Promise<MotoServer> {
  const exe = motoExecutable();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(exe, ["-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const post = async (path: string, body?: unknown) => {
    const res = await fetch(`${endpoint}${path}`, {
      method: "POST",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`moto ${path} answered ${res.status}`);
  };
  return {
    endpoint,
    port,
    reset: () => post("/moto-api/reset"),
    freezeEcsTasks: () =>
      post("/moto-api/state-manager/set-transition", {
        model_name: "ecs::task",
        transition: { progression: "manual", times: 1_000_000_000 },
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
