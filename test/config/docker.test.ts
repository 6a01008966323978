import { describe, expect, it } from "vitest";
import { ConfigError, derivedHostPort, dockerHost, HOST_PORT_BASE, HOST_PORT_SPAN, resolveDockerServices } from "../../infra/config";
import { environmentConfig, serviceEntry } from "../support/pulumi";

const docker = (delivery: Record<string, unknown>, stack = "test") =>
  environmentConfig({ tier: "local", runtime: "docker", ...delivery }, { stack });

function problems(delivery: Record<string, unknown>, options: Parameters<typeof environmentConfig>[1] = {}): string[] {
  try {
    environmentConfig(delivery, options);
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split("\n").slice(1);
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("delivery:runtime", () => {
  it("is ecs when absent: no Docker settings anywhere", () => {
    const config = environmentConfig({ tier: "dev", services: [serviceEntry("api")] });
    expect([config.runtime, config.docker, config.services[0].docker]).toEqual(["ecs", undefined, undefined]);
  });

  it("docker applies the defaults: network delivery-<stack>, the engine from the environment, 1 replica, a derived port, /tmp writable", () => {
    const config = docker({ services: [serviceEntry("api")] }, "local");
    expect([config.runtime, config.docker, config.services[0].docker]).toEqual([
      "docker",
      { network: "delivery-local" },
      { replicas: 1, hostPort: 28261, hostPortConfigured: false, writablePaths: ["/tmp"] },
    ]);
  });

  it("docker takes an image from a registry with a port (a local registry)", () => {
    const config = docker(
      { services: [serviceEntry("api", { image: { repository: "localhost:5000/delivery/api", tag: "v1" } })] },
      "local",
    );
    expect(config.services[0].image).toEqual({ repository: "localhost:5000/delivery/api", tag: "v1" });
  });

  it("docker takes every configured setting", () => {
    const config = docker({
      docker: { host: "ssh://deploy@dev.example.com", network: "shared-dev" },
      services: [
        serviceEntry("api", {
          replicas: 3,
          hostPort: 18080,
          writablePaths: ["/tmp", "/var/cache/app"],
          build: { context: "services/api", dockerfile: "services/api/Dockerfile.dev", args: { NODE_ENV: "development" } },
        }),
      ],
    });
    expect([config.docker, config.services[0].docker]).toEqual([
      { host: "ssh://deploy@dev.example.com", network: "shared-dev" },
      {
        replicas: 3,
        hostPort: 18080,
        hostPortConfigured: true,
        writablePaths: ["/tmp", "/var/cache/app"],
        build: { context: "services/api", dockerfile: "services/api/Dockerfile.dev", args: { NODE_ENV: "development" } },
      },
    ]);
  });

  it("docker takes the tier's desiredCount as the replicas default, and any memory size Docker accepts", () => {
    const config = environmentConfig({ tier: "staging", runtime: "docker", services: [serviceEntry("api", { memory: 64, cpu: 100 })] });
    expect([config.services[0].docker?.replicas, config.services[0].memory, config.services[0].cpu, config.services[0].deployment]).toEqual(
      [2, 64, 100, { strategy: "rolling" }],
    );
  });

  it("docker needs no AWS region and no emulator endpoints on the local tier", () => {
    const config = environmentConfig({ tier: "local", runtime: "docker", services: [serviceEntry("api")] }, { region: "" });
    expect([config.tier, config.region]).toEqual(["local", ""]);
  });
});

describe("derived host ports", () => {
  it("are stable: sha256 of <stack>/<service> into 20000-29999", () => {
    expect([derivedHostPort("local", "api"), derivedHostPort("local", "web"), derivedHostPort("local", "api")]).toEqual([
      28261, 25141, 28261,
    ]);
  });

  it("stay in the documented range", () => {
    for (const s of ["a", "b", "c", "api", "web", "worker"]) {
      const p = derivedHostPort("dev", s);
      expect(p >= HOST_PORT_BASE && p < HOST_PORT_BASE + HOST_PORT_SPAN).toBe(true);
    }
  });

  it("move up past a port another service of the stack configured", () => {
    const taken = derivedHostPort("local", "api");
    const resolved = resolveDockerServices(
      "local",
      [
        { index: 0, name: "web", raw: { hostPort: taken }, defaultReplicas: 1 },
        { index: 1, name: "api", raw: {}, defaultReplicas: 1 },
      ],
      [],
    );
    expect([resolved.get("web")?.hostPort, resolved.get("api")?.hostPort]).toEqual([taken, taken + 1]);
  });
});

describe("the engine", () => {
  it.each([
    ["the configured host", "ssh://me@box", { DOCKER_HOST: "tcp://127.0.0.1:2375" }, "ssh://me@box"],
    ["DOCKER_HOST", undefined, { DOCKER_HOST: "tcp://127.0.0.1:2375" }, "tcp://127.0.0.1:2375"],
    ["the local socket", undefined, {}, "unix:///var/run/docker.sock"],
    ["the local socket when DOCKER_HOST is empty", undefined, { DOCKER_HOST: "" }, "unix:///var/run/docker.sock"],
  ])("is %s", (_what, configured, env, expected) => {
    expect(dockerHost(configured, env)).toBe(expected);
  });
});

describe("bad Docker config is reported, every problem with its key", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    [
      "Docker-only service keys on an ECS stack",
      { tier: "dev", services: [serviceEntry("api", { replicas: 2, hostPort: 18080 })] },
      [
        "  - Pulumi.test.yaml: delivery:services[0].replicas is 2; it applies to the Docker runtime only, and this stack's runtime is ecs (set delivery:runtime: docker, or remove it).",
        "  - Pulumi.test.yaml: delivery:services[0].hostPort is 18080; it applies to the Docker runtime only, and this stack's runtime is ecs (set delivery:runtime: docker, or remove it).",
      ],
    ],
    [
      "delivery:docker on an ECS stack",
      { tier: "dev", docker: { network: "x" }, services: [serviceEntry("api")] },
      [
        "  - Pulumi.test.yaml: delivery:docker is set, but this stack's runtime is ecs; it applies to the Docker runtime only (set delivery:runtime: docker, or remove it).",
      ],
    ],
    [
      "an unknown runtime",
      { tier: "dev", runtime: "nomad", services: [serviceEntry("api")] },
      ['  - Pulumi.test.yaml: delivery:runtime is "nomad"; expected one of ecs, docker, kubernetes.'],
    ],
    [
      "a bad engine address and replicas out of range",
      { tier: "local", runtime: "docker", docker: { host: "docker.example.com" }, services: [serviceEntry("api", { replicas: 0 })] },
      [
        "  - Pulumi.test.yaml: delivery:services[0].replicas is 0; must be from 1 to 20 containers.",
        '  - Pulumi.test.yaml: delivery:docker.host is "docker.example.com"; expected an engine address: unix:///path, tcp://host:port or ssh://user@host.',
      ],
    ],
    [
      "two services on one host port, secrets, a canary and a load balancer",
      {
        tier: "local",
        runtime: "docker",
        loadBalancer: { idleTimeoutSeconds: 30 },
        services: [
          serviceEntry("api", { hostPort: 18080, secrets: ["/delivery/local/api/db"], deployment: { strategy: "canary" } }),
          serviceEntry("web", { hostPort: 18080, path: "/web/*", deployment: { linear: { stepPercent: 10 } } }),
        ],
      },
      [
        '  - Pulumi.test.yaml: delivery:services[0].secrets is ["/delivery/local/api/db"]; a Docker stack reads no Secrets Manager or SSM parameter: give a local, non-secret value in environment, or remove it.',
        '  - Pulumi.test.yaml: delivery:services[0].deployment.strategy is "canary"; the Docker runtime replaces containers (rolling) only: remove it.',
        `  - Pulumi.test.yaml: delivery:services[1].path is "/web/*"; it sets the load balancer's routing, which a Docker stack does not have (use replicas and hostPort), so remove it.`,
        "  - Pulumi.test.yaml: delivery:services[1].deployment.linear is set; the Docker runtime replaces containers (rolling) only, so it would be ignored: remove it.",
        "  - Pulumi.test.yaml: delivery:services[1].hostPort is 18080, as delivery:services[0].hostPort is; each service needs its own host port.",
        "  - Pulumi.test.yaml: delivery:loadBalancer is set; a Docker stack has no load balancer; each service's first container is published on its hostPort. Remove it (or use delivery:runtime: ecs).",
      ],
    ],
  ])("%s", (_what, delivery, expected) => {
    expect(problems(delivery)).toEqual(expected);
  });

  it("an enabled pipeline and alert channels on a Docker stack", () => {
    expect(
      problems(
        { tier: "dev", runtime: "docker", services: [serviceEntry("api")], notifications: { emails: ["a@example.com"] } },
        { extra: { "delivery:pipeline": { enabled: true } } },
      ),
    ).toEqual([
      "  - Pulumi.test.yaml: delivery:notifications lists emails; a Docker stack creates no alert topics. Remove them (or use delivery:runtime: ecs).",
      "  - Pulumi.test.yaml: delivery:pipeline is set; the delivery pipeline runs on AWS CodePipeline, which a Docker stack does not use. Remove it or set enabled: false.",
    ]);
  });
});
