/**
 * The Docker observation provider against the REAL engine (`.ci/run` starts dockerd; without an
 * engine these tests fail in beforeAll, naming how to start one).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  demultiplex,
  dockerCall,
  dockerClient,
  DockerProviderError,
  imageExists,
  observeService,
  readContainerLogs,
  recreateService,
  tagOf,
  toLines,
} from "../../validators/providers/docker";
import { buildAppImage, docker, eventually, removeStack, requireEngine, runService, uniqueStack } from "../support/docker";
import { freePort } from "../../fixtures/ports";

const GOOD = "delivery-test/app:v1";
const CRASHING = "delivery-test/app:v2";
const MISSING = "delivery-test/app:v9-never-built";

const client = dockerClient();
const stack = uniqueStack("prov");

beforeAll(() => {
  requireEngine();
  buildAppImage(GOOD, "serve");
  buildAppImage(CRASHING, "crash");
}, 120_000);

afterAll(() => removeStack(stack));

describe("a healthy service", () => {
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    runService({ stack, service: "api", image: GOOD, index: 1, hostPort: port, healthPath: "/health", restart: "on-failure:5" });
    runService({ stack, service: "api", image: GOOD, index: 2, healthPath: "/health", restart: "on-failure:5" });
    // another service of the stack: never listed with api
    runService({ stack, service: "web", image: GOOD, index: 1 });
  });

  it("lists exactly the service's containers, each running the release's image and healthy", async () => {
    const observed = await eventually("both api replicas healthy", async () => {
      const o = await observeService(client, { stack, service: "api" });
      return o.replicas.every((r) => r.health === "healthy") ? o : undefined;
    });
    expect(
      observed.replicas.map((r) => [r.name, r.image, r.tag, r.release, r.state, r.health, r.exitCode, r.oomKilled, r.restartCount]),
    ).toEqual([
      [`${stack}-api-1`, GOOD, "v1", "v1", "running", "healthy", 0, false, 0],
      [`${stack}-api-2`, GOOD, "v1", "v1", "running", "healthy", 0, false, 0],
    ]);
    expect(observed.replicas.every((r) => r.id.length === 64 && !Number.isNaN(Date.parse(r.startedAt ?? "")))).toBe(true);
  });

  it("answers 200 on its health path and 500 where the test app fails, through the published port", async () => {
    const status = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).status;
    expect([await status("/health"), await status("/cgi-bin/ok"), await status("/cgi-bin/fail")]).toEqual([200, 200, 500]);
  });

  it("reads the ERROR and WARN lines a request wrote, with their time, since a given moment", async () => {
    const since = new Date();
    await fetch(`http://127.0.0.1:${port}/cgi-bin/error`);
    await fetch(`http://127.0.0.1:${port}/cgi-bin/warn`);
    const [api1] = (await observeService(client, { stack, service: "api" })).replicas;

    const lines = await eventually("the ERROR and WARN lines", async () => {
      const l = await readContainerLogs(client, api1.id, { since, tail: 100 });
      return l.some((x) => x.text.startsWith("WARN")) ? l : undefined;
    });

    expect(lines.map((l) => [l.stream, l.text])).toEqual([
      ["stdout", "ERROR request failed: upstream timeout"],
      ["stdout", "WARN slow upstream"],
    ]);
    expect(lines.every((l) => Date.parse(l.time ?? "") >= since.getTime() - 1000)).toBe(true);
  });

  it("reads only the last N lines with tail", async () => {
    const [api1] = (await observeService(client, { stack, service: "api" })).replicas;
    const all = await readContainerLogs(client, api1.id);
    const last = await readContainerLogs(client, api1.id, { tail: 1 });
    expect([all[0].text, last.map((l) => l.text)]).toEqual(["INFO started: listening on 8080", [all[all.length - 1].text]]);
  });
});

describe("failing containers", () => {
  it("a crash loop: the restart count rises, the exit code and the ERROR line are there", async () => {
    runService({ stack, service: "crashy", image: CRASHING, restart: "on-failure:5" });

    const replica = await eventually("two restarts", async () => {
      const [r] = (await observeService(client, { stack, service: "crashy" })).replicas;
      return r && r.restartCount >= 2 ? r : undefined;
    });
    const logs = await readContainerLogs(client, replica.id, { tail: 5 });

    expect([replica.exitCode, replica.oomKilled, replica.tag]).toEqual([3, false, "v2"]);
    expect(["restarting", "running", "exited"]).toContain(replica.state);
    expect(logs.map((l) => l.text)).toContain("ERROR fatal: cannot start (test app, MODE=crash)");
  });

  it("an OOM-killed container: OOMKilled and exit 137", async () => {
    runService({ stack, service: "hungry", image: GOOD, env: { MODE: "oom" }, memory: "16m" });

    const replica = await eventually("the kill", async () => {
      const [r] = (await observeService(client, { stack, service: "hungry" })).replicas;
      return r && r.state === "exited" ? r : undefined;
    });

    expect([replica.oomKilled, replica.exitCode, replica.health]).toEqual([true, 137, "none"]);
  });

  it("a service with no container at all is observed as no replicas", async () => {
    expect(await observeService(client, { stack, service: "nothing" })).toEqual({ stack, service: "nothing", replicas: [] });
  });
});

describe("the fast rollback: recreate from a previous image", () => {
  it("puts the last good image back with the same name, port, environment and labels", async () => {
    const port = await freePort();
    runService({
      stack,
      service: "back",
      image: CRASHING,
      hostPort: port,
      healthPath: "/health",
      restart: "on-failure:5",
      env: { FOO: "bar" },
    });
    const before = (await observeService(client, { stack, service: "back" })).replicas;

    const after = await recreateService(client, { stack, service: "back", image: GOOD });

    expect(after.replicas.map((r) => [r.name, r.image, r.release])).toEqual([[`${stack}-back-1`, GOOD, "v1"]]);
    expect(after.replicas[0].id).not.toBe(before[0].id);
    const healthy = await eventually("the recreated container healthy", async () => {
      const [r] = (await observeService(client, { stack, service: "back" })).replicas;
      return r?.health === "healthy" ? r : undefined;
    });
    expect([healthy.restartCount, healthy.state]).toEqual([0, "running"]);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const env = docker(["inspect", "-f", "{{json .Config.Env}}", `${stack}-back-1`]);
    expect(JSON.parse(env)).toEqual(expect.arrayContaining(["FOO=bar", "MODE=serve"]));
    expect(JSON.parse(env)).not.toContain("MODE=crash");
    const restart = docker([
      "inspect",
      "-f",
      "{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}",
      `${stack}-back-1`,
    ]);
    expect(restart).toBe("on-failure:5");
  });

  it("refuses an image the engine does not hold, and leaves the containers as they are", async () => {
    runService({ stack, service: "keep", image: GOOD });
    const before = (await observeService(client, { stack, service: "keep" })).replicas.map((r) => r.id);

    const error = await recreateService(client, { stack, service: "keep", image: MISSING }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DockerProviderError);
    expect([(error as DockerProviderError).code, (error as Error).message]).toEqual([
      "image-missing",
      `Docker image ${MISSING} is not in the engine; ${stack}/keep was left as it is (nothing is pulled: build or load the image first).`,
    ]);
    expect((await observeService(client, { stack, service: "keep" })).replicas.map((r) => r.id)).toEqual(before);
  });

  it("knows which images the engine holds", async () => {
    expect([await imageExists(client, GOOD), await imageExists(client, MISSING)]).toEqual([true, false]);
  });
});

describe("Engine API calls", () => {
  it("time out as a DockerProviderError naming the operation", async () => {
    const error = await dockerCall("list containers of s/api", () => new Promise<never>(() => undefined), { timeoutMs: 50 }).catch(
      (e: unknown) => e,
    );
    expect([(error as DockerProviderError).code, (error as Error).message]).toEqual([
      "timeout",
      "Docker list containers of s/api timed out after 50 ms.",
    ]);
  });

  it("name an engine that does not answer", async () => {
    const error = await observeService(dockerClient("unix:///tmp/no-such-docker.sock"), { stack, service: "api" }).catch((e: unknown) => e);
    expect([(error as DockerProviderError).code, (error as Error).message]).toEqual([
      "unreachable",
      expect.stringMatching(/^Docker list containers of .*\/api failed \(engine unreachable\): /),
    ]);
  });

  it("time out through the observation functions too (an engine that accepts and never answers)", async () => {
    const silent = { listContainers: () => new Promise<never>(() => undefined) } as unknown as ReturnType<typeof dockerClient>;
    const error = await observeService(silent, { stack: "s", service: "api" }, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect([(error as DockerProviderError).code, (error as DockerProviderError).operation]).toEqual([
      "timeout",
      "list containers of s/api",
    ]);
  });

  it.each([
    ["unix:///run/user/1000/docker.sock", { socketPath: "/run/user/1000/docker.sock" }],
    ["tcp://10.0.0.5:2375", { protocol: "http", host: "10.0.0.5", port: "2375" }],
    ["ssh://deploy@dev.example.com", { protocol: "ssh", host: "dev.example.com", port: 22, username: "deploy" }],
  ])("connect to %s", (host, expected) => {
    const modem = (dockerClient(host) as unknown as { modem: Record<string, unknown> }).modem;
    expect(modem).toEqual(expect.objectContaining(expected));
  });

  it("refuse a host that is no engine address", () => {
    expect(() => dockerClient("ftp://example.com")).toThrow(
      'Docker host "ftp://example.com" is not an engine address; expected unix:///path, tcp://host:port or ssh://user@host.',
    );
  });
});

describe("log frames and image references", () => {
  const frame = (type: number, text: string) => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = type;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it("demultiplexes stdout and stderr frames into lines, joining a line split across frames", () => {
    const buffer = Buffer.concat([
      frame(1, "2026-01-01T00:00:00.000000001Z INFO start\n2026-01-01T00:00:01.0Z ERR"),
      frame(2, "2026-01-01T00:00:02.0Z WARN on stderr\n"),
      frame(1, "OR boom\n"),
    ]);
    expect(toLines(demultiplex(buffer))).toEqual([
      { stream: "stdout", time: "2026-01-01T00:00:00.000000001Z", text: "INFO start" },
      { stream: "stderr", time: "2026-01-01T00:00:02.0Z", text: "WARN on stderr" },
      { stream: "stdout", time: "2026-01-01T00:00:01.0Z", text: "ERROR boom" },
    ]);
  });

  it("reads a TTY container's unframed output as stdout", () => {
    expect(toLines(demultiplex(Buffer.from("plain line\n")))).toEqual([{ stream: "stdout", text: "plain line" }]);
  });

  it.each([
    ["delivery/api:v2", "v2"],
    ["registry:5000/delivery/api:sha-1", "sha-1"],
    ["registry:5000/delivery/api", undefined],
    ["delivery/api@sha256:abc", undefined],
  ])("the tag of %s is %s", (ref, tag) => {
    expect(tagOf(ref)).toBe(tag);
  });
});
