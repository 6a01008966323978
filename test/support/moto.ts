import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach } from "vitest";

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

/** A test file's moto server, started once for the file by `useMoto`. */
export interface MotoHandle {
  /** The running server (throws when it did not start: see the beforeAll error). */
  readonly server: MotoServer;
  readonly endpoint: string;
}

/**
 * Registers the hooks a test file on moto needs: start one server for the file (with `env`, e.g.
 * MOTO_ECS_SERVICE_RUNNING), stop it at the end, reset it before each test (and freeze ECS task
 * states when asked). Hooks registered after this call run after the reset.
 */
export function useMoto(env: Record<string, string> = {}, options: { freezeEcsTasks?: boolean } = {}): MotoHandle {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMoto(env);
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    const started = handle.server;
    await started.reset();
    if (options.freezeEcsTasks) await started.freezeEcsTasks();
  });
  const handle: MotoHandle = {
    get server() {
      if (!server) throw new Error("moto_server did not start (see the beforeAll error)");
      return server;
    },
    get endpoint() {
      return this.server.endpoint;
    },
  };
  return handle;
}
