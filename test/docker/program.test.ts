/**
 * The program's container settings on the REAL engine: the Docker stack is rendered under Pulumi's
 * mocks (no Pulumi CLI here), each container's inputs are run with the docker CLI as the provider
 * would create them, and the provider observes the result. This catches settings that render fine
 * but do not run (the health check command, the read-only root with its tmpfs, the limits).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderEnvironment } from "../../infra/synth/render";
import { dockerClient, observeService, readContainerLogs, recreateService } from "../../validators/providers/docker";
import { buildAppImage, docker, eventually, removeStack, requireEngine, uniqueStack } from "../support/docker";
import { dockerDeployment, environmentConfig, type RenderedResource, resourcesOf, serviceEntry, T } from "../support/pulumi";
import { freePort } from "../../fixtures/ports";

interface ContainerInputs {
  name: string;
  image: string;
  labels: { label: string; value: string }[];
  envs: string[];
  healthcheck: { tests: string[]; interval: string; timeout: string; retries: number; startPeriod: string };
  restart: string;
  maxRetryCount: number;
  memory: number;
  memorySwap: number;
  cpus: string;
  readOnly: boolean;
  tmpfs: Record<string, string>;
  networksAdvanced: { name: string; aliases: string[] }[];
  ports: { internal: number; external: number; ip: string; protocol: string }[];
}

/** `docker run` arguments for a rendered docker.Container: what the provider asks the engine for. */
function runArgs(resource: RenderedResource): string[] {
  const c = resource.inputs as unknown as ContainerInputs;
  const args = ["run", "-d", "--name", c.name];
  for (const l of c.labels) args.push("--label", `${l.label}=${l.value}`);
  args.push("--label", "delivery.test=1");
  for (const e of c.envs) args.push("-e", e);
  const [kind, command] = c.healthcheck.tests;
  if (kind !== "CMD-SHELL") throw new Error(`unexpected health check ${kind}`);
  args.push("--health-cmd", command, "--health-interval", c.healthcheck.interval, "--health-timeout", c.healthcheck.timeout);
  args.push("--health-retries", String(c.healthcheck.retries), "--health-start-period", c.healthcheck.startPeriod);
  args.push(
    "--restart",
    `${c.restart}:${c.maxRetryCount}`,
    "--memory",
    `${c.memory}m`,
    "--memory-swap",
    `${c.memorySwap}m`,
    "--cpus",
    c.cpus,
  );
  if (c.readOnly) args.push("--read-only");
  for (const [path, options] of Object.entries(c.tmpfs)) args.push("--tmpfs", `${path}:${options}`);
  for (const n of c.networksAdvanced) {
    args.push("--network", n.name);
    for (const a of n.aliases) args.push("--network-alias", a);
  }
  for (const p of c.ports) args.push("-p", `${p.ip}:${p.external}:${p.internal}/${p.protocol}`);
  args.push(c.image);
  return args;
}

const stack = uniqueStack("prog");
const network = `delivery-${stack}`;

beforeAll(() => {
  requireEngine();
  buildAppImage("delivery-test/app:v1", "serve");
  buildAppImage("delivery-test/app:v0", "serve");
}, 120_000);

afterAll(() => {
  removeStack(stack);
  docker(["network", "rm", network], { allowFailure: true });
});

describe("the rendered Docker stack on the real engine", () => {
  it("runs healthy with its read-only root, tmpfs, limits and labels, and answers on the manifest's url", async () => {
    const hostPort = await freePort();
    const config = environmentConfig(
      {
        tier: "local",
        runtime: "docker",
        services: [
          serviceEntry("api", {
            image: { repository: "delivery-test/app", tag: "v1" },
            hostPort,
            replicas: 2,
            memory: 64,
            environment: { LOG_LEVEL: "debug" },
          }),
        ],
      },
      { stack },
    );
    const rendered = await renderEnvironment(config);
    const manifest = dockerDeployment(rendered);
    docker(["network", "create", "--label", `delivery.stack=${stack}`, network]);

    for (const c of resourcesOf(rendered, T.container)) docker(runArgs(c));

    const observed = await eventually(
      "both replicas healthy",
      async () => {
        const o = await observeService(dockerClient(), { stack, service: "api" });
        return o.replicas.length === 2 && o.replicas.every((r) => r.health === "healthy") ? o : undefined;
      },
      40_000,
    );
    expect(observed.replicas.map((r) => [r.name, r.image, r.release, r.state, r.restartCount])).toEqual([
      [`${stack}-api-1`, "delivery-test/app:v1", "v1", "running", 0],
      [`${stack}-api-2`, "delivery-test/app:v1", "v1", "running", 0],
    ]);
    const service = manifest.services[0];
    expect((await fetch(`${service.url}${service.healthPath}`)).status).toBe(200);
    const lines = await readContainerLogs(dockerClient(), observed.replicas[0].id);
    expect(lines.map((l) => l.text)).toContain("INFO started: listening on 8080");
    // The root filesystem refuses writes; the writable path takes them.
    expect(docker(["exec", `${stack}-api-1`, "sh", "-c", "echo x > /www/x 2>&1 || echo refused"])).toContain("refused");
    expect(docker(["exec", `${stack}-api-1`, "sh", "-c", "echo x > /tmp/x && cat /tmp/x"])).toBe("x");
    expect(docker(["inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}", `${stack}-api-1`])).toBe(
      `${64 * 1024 * 1024} ${0.25 * 1e9}`,
    );
  }, 60_000);

  it("the fast rollback keeps the program's settings: read-only root, tmpfs, network alias, limits, published port", async () => {
    const before = docker(["inspect", "-f", "{{json .HostConfig.PortBindings}}", `${stack}-api-1`]);

    const after = await recreateService(dockerClient(), { stack, service: "api", image: "delivery-test/app:v0" });

    expect(after.replicas.map((r) => [r.name, r.image, r.release])).toEqual([
      [`${stack}-api-1`, "delivery-test/app:v0", "v0"],
      [`${stack}-api-2`, "delivery-test/app:v0", "v0"],
    ]);
    const inspect = (format: string) => docker(["inspect", "-f", format, `${stack}-api-1`]);
    expect([
      inspect("{{.HostConfig.ReadonlyRootfs}}"),
      inspect("{{json .HostConfig.Tmpfs}}"),
      inspect(`{{json (index .NetworkSettings.Networks "${network}").Aliases}}`).includes('"api"'),
      inspect("{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}"),
      inspect("{{json .HostConfig.PortBindings}}"),
      inspect("{{json .Config.Env}}").includes("LOG_LEVEL=debug"),
    ]).toEqual(["true", '{"/tmp":"rw,noexec,nosuid,size=64m"}', true, `${64 * 1024 * 1024} ${0.25 * 1e9} on-failure`, before, true]);
  }, 60_000);
});
