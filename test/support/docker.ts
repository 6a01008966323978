/**
 * The real Docker engine for the Docker runtime's tests (../shared/DOCKER.md; `.ci/run` starts it).
 * Nothing can be pulled from a registry: images are built here from the static busybox
 * (`/bin/busybox`, Debian's busybox-static), imported as a root filesystem, then `FROM` it.
 *
 * A test that needs the engine calls `requireEngine()` first: it throws (never skips) when no
 * engine answers, naming how to start one.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The static busybox the images are made of. */
export const BUSYBOX = process.env.DELIVERY_TEST_BUSYBOX ?? "/bin/busybox";
/** The root-filesystem image every test image starts `FROM`. */
export const BASE_IMAGE = "delivery-test/busybox:1";
/** The label every test container carries, so a run cleans up only what it made. */
export const TEST_LABEL = "delivery.test";

const APPLETS = ["sh", "httpd", "echo", "sleep", "cat", "head", "tr", "wget", "ls", "env", "kill", "true", "false", "printf"];

/** Runs the docker CLI; throws with its output when it fails. */
export function docker(args: string[], options: { input?: string | Buffer; cwd?: string; allowFailure?: boolean } = {}): string {
  const result = spawnSync("docker", args, {
    input: options.input,
    cwd: options.cwd,
    env: { ...process.env, DOCKER_BUILDKIT: "0" },
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (!options.allowFailure && (result.error || result.status !== 0)) {
    throw new Error(`docker ${args.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr}`);
  }
  return (result.stdout ?? "").trim();
}

/** Throws, loudly, when no Docker engine answers: these tests need the real thing and never skip. */
export function requireEngine(): void {
  const probe = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], { encoding: "utf8", timeout: 15_000 });
  if (probe.error || probe.status !== 0 || !probe.stdout.trim()) {
    throw new Error(
      "A Docker engine is required for this test and none answered ('docker version' failed: " +
        `${probe.error?.message ?? probe.stderr.trim() ?? `exit ${probe.status}`}). ` +
        "Start one as ../shared/DOCKER.md shows (apt-get install docker.io busybox-static; dockerd --storage-driver=vfs &), " +
        "or run .ci/run, which does both.",
    );
  }
  if (!existsSync(BUSYBOX)) {
    throw new Error(`The static busybox (${BUSYBOX}) is required to build test images; install Debian's busybox-static.`);
  }
}

function imageExists(ref: string): boolean {
  return spawnSync("docker", ["image", "inspect", ref], { stdio: "ignore" }).status === 0;
}

/** The busybox root-filesystem image, imported once per engine. */
export function ensureBaseImage(): string {
  requireEngine();
  if (imageExists(BASE_IMAGE)) return BASE_IMAGE;
  const root = mkdtempSync(join(tmpdir(), "delivery-rootfs-"));
  try {
    mkdirSync(join(root, "bin"));
    mkdirSync(join(root, "tmp"));
    copyFileSync(BUSYBOX, join(root, "bin", "busybox"));
    chmodSync(join(root, "bin", "busybox"), 0o755);
    for (const applet of APPLETS) symlinkSync("busybox", join(root, "bin", applet));
    const tar = spawnSync("tar", ["-C", root, "-c", "."], { maxBuffer: 64 * 1024 * 1024 });
    if (tar.status !== 0) throw new Error(`tar of the busybox root filesystem failed: ${String(tar.stderr)}`);
    docker(["import", "--change", "ENV PATH=/bin", "-", BASE_IMAGE], { input: tar.stdout });
    const probe = spawnSync("docker", ["run", "--rm", BASE_IMAGE, "true"], { encoding: "utf8", timeout: 60_000 });
    if (probe.status !== 0) {
      docker(["rmi", "-f", BASE_IMAGE], { allowFailure: true });
      throw new Error(`${BUSYBOX} does not run alone in a container (is it the static busybox of busybox-static?): ${probe.stderr}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return BASE_IMAGE;
}

/** What the test app does when it starts (the image's default; a container's MODE variable overrides it). */
export type AppMode = "serve" | "crash" | "oom" | "errors" | "stale";

/**
 * The test app: busybox httpd on $PORT (default 8080) serving
 * - `/health` and `/` (200), `/cgi-bin/ok` (200), `/cgi-bin/fail` (500), `/cgi-bin/slow` (200 after 2 s),
 *   `/cgi-bin/error` (500, and writes an ERROR line to the container's log), `/cgi-bin/warn` (a WARN line);
 * - MODE=crash: logs `ERROR fatal: cannot start` and exits 3 (a crash loop under a restart policy);
 * - MODE=oom: allocates about 64 MiB (killed when the memory limit is lower);
 * - MODE=errors: logs an ERROR line at start, then serves.
 * - MODE=stale: its first start serves nothing (404 everywhere, /health too, so the container turns
 *   unhealthy); once restarted it serves (a marker in the container's own layer, which a restart
 *   keeps): what a forced restart repairs. It stops at once on SIGTERM.
 */
const START = `#!/bin/sh
PORT="\${PORT:-8080}"
case "\${MODE:-serve}" in
  crash) echo "ERROR fatal: cannot start (test app, MODE=crash)"; exit 3 ;;
  oom) echo "INFO allocating"; x="$(head -c 67108864 /dev/zero | tr '\\0' a)"; echo "allocated \${#x}"; sleep 3600 ;;
  errors) echo "ERROR connection to the database refused (test app, MODE=errors)" ;;
  stale) root=/www
    if [ ! -e /started-once ]; then
      touch /started-once; root=/nothing; mkdir -p /nothing
      echo "INFO first start: serving nothing until restarted (test app, MODE=stale)"
    fi
    echo "INFO started: listening on \${PORT}"
    # In the background, so the shell (PID 1) takes the engine's SIGTERM and the restart is quick.
    httpd -f -p "\${PORT}" -h "$root" & trap 'kill $!; exit 0' TERM; wait; exit 0 ;;
esac
echo "INFO started: listening on \${PORT}"
exec httpd -f -p "\${PORT}" -h /www
`;

const HEADERS = (status: string) => `printf '${status}Content-Type: text/plain\\r\\n\\r\\n'`;
const OK = HEADERS("");
const FAILED = HEADERS("Status: 500 Internal Server Error\\r\\n");
const CGI: Record<string, string> = {
  ok: `${OK}; echo ok`,
  fail: `${FAILED}; echo failed`,
  slow: `sleep 2; ${OK}; echo slow`,
  error: `echo "ERROR request failed: upstream timeout" > /proc/1/fd/1; ${FAILED}; echo error`,
  warn: `echo "WARN slow upstream" > /proc/1/fd/1; ${OK}; echo warned`,
};

/** Builds the test app as `ref` (repository:tag) with the given default mode (legacy builder, FROM the busybox image). */
export function buildAppImage(ref: string, mode: AppMode = "serve"): string {
  ensureBaseImage();
  const dir = mkdtempSync(join(tmpdir(), "delivery-app-"));
  try {
    mkdirSync(join(dir, "www", "cgi-bin"), { recursive: true });
    writeFileSync(join(dir, "www", "health"), "ok\n");
    writeFileSync(join(dir, "www", "index.html"), "ok\n");
    for (const [name, body] of Object.entries(CGI))
      writeFileSync(join(dir, "www", "cgi-bin", name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    writeFileSync(join(dir, "start.sh"), START, { mode: 0o755 });
    writeFileSync(
      join(dir, "Dockerfile"),
      [`FROM ${BASE_IMAGE}`, "COPY www /www", "COPY start.sh /start.sh", `ENV MODE=${mode}`, 'CMD ["/start.sh"]', ""].join("\n"),
    );
    docker(["build", "-q", "-t", ref, "."], { cwd: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return ref;
}

/** A unique stack name for one test file's containers (labels delivery.stack). */
export function uniqueStack(prefix = "t"): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Removes every container (forcibly) carrying `delivery.stack=<stack>`. */
export function removeStack(stack: string): void {
  const ids = docker(["ps", "-aq", "--filter", `label=delivery.stack=${stack}`])
    .split(/\s+/)
    .filter(Boolean);
  if (ids.length > 0) docker(["rm", "-f", "-v", ...ids], { allowFailure: true });
}

export interface RunOptions {
  stack: string;
  service: string;
  image: string;
  /** The container's name. @default `<stack>-<service>-<index>` */
  name?: string;
  index?: number;
  env?: Record<string, string>;
  /** `on-failure:N`, `no`... @default "no" */
  restart?: string;
  /** Memory limit, e.g. "16m". */
  memory?: string;
  /** Publish the container's 8080 on this loopback port. */
  hostPort?: number;
  /** A health check GETting this path with wget every second. */
  healthPath?: string;
  release?: string;
}

/** Starts one labelled container the way the program would (labels delivery.stack/service/release); returns its id. */
export function runService(o: RunOptions): string {
  const index = o.index ?? 1;
  const args = ["run", "-d", "--name", o.name ?? `${o.stack}-${o.service}-${index}`];
  args.push("--label", `delivery.stack=${o.stack}`, "--label", `delivery.service=${o.service}`, "--label", `${TEST_LABEL}=1`);
  args.push("--label", `delivery.release=${o.release ?? o.image.split(":").pop() ?? ""}`);
  for (const [k, v] of Object.entries(o.env ?? {})) args.push("-e", `${k}=${v}`);
  if (o.restart) args.push("--restart", o.restart);
  if (o.memory) args.push("--memory", o.memory, "--memory-swap", o.memory);
  if (o.hostPort) args.push("-p", `127.0.0.1:${o.hostPort}:8080`);
  if (o.healthPath) {
    args.push("--health-cmd", `wget -q -O /dev/null http://127.0.0.1:8080${o.healthPath} || exit 1`);
    args.push("--health-interval", "1s", "--health-retries", "3", "--health-start-period", "2s", "--health-timeout", "2s");
  }
  args.push(o.image);
  return docker(args);
}

/** Polls `check` every 200 ms until it returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}
