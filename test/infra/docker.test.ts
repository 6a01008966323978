import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { dockerManifestSchema } from "../../contract/manifest";
import { renderEnvironment } from "../../infra/synth/render";
import {
  countByType,
  dockerDeployment,
  dockerLocalConfig,
  environmentConfig,
  parentOf,
  type RenderedStack,
  resourceNamed,
  resourcesOf,
  serviceEntry,
  T,
} from "../support/pulumi";

/** A Docker stack with every declared input set: two replicas of api (built), web from the engine. */
const config = () =>
  environmentConfig(
    {
      tier: "local",
      runtime: "docker",
      docker: { host: "ssh://dev@builder.example.com" },
      services: [
        serviceEntry("web", { port: 3000, healthCheckPath: "/healthz", dependsOn: ["api"], memory: 128, cpu: 512 }),
        serviceEntry("api", {
          replicas: 2,
          hostPort: 18080,
          environment: { LOG_LEVEL: "debug", API_MODE: "local" },
          writablePaths: ["/tmp", "/var/run/app"],
          smokePaths: ["/api/version"],
          build: { context: "services/api", args: { VERSION: "sha-abc1234" } },
        }),
      ],
    },
    { stack: "dev1" },
  );

describe("a Docker stack under the mocks", () => {
  let rendered: RenderedStack;
  beforeAll(async () => {
    rendered = await renderEnvironment(config());
  });

  it("registers exactly the provider, one network, each service's image and one container per replica", () => {
    expect(countByType(rendered)).toEqual({
      "delivery:docker:Environment": 1,
      "delivery:docker:Service": 2,
      [T.container]: 3,
      [T.dockerImage]: 1,
      [T.dockerNetwork]: 1,
      [T.remoteImage]: 1,
      [T.dockerProvider]: 1,
    });
  });

  it("talks to the configured engine", () => {
    expect(resourceNamed(rendered, T.dockerProvider, "delivery-dev1-engine").inputs.host).toBe("ssh://dev@builder.example.com");
  });

  it("creates the stack's network, named delivery-<stack> and labelled with the stack", () => {
    expect(resourceNamed(rendered, T.dockerNetwork, "delivery-dev1-network").inputs).toEqual({
      name: "delivery-dev1",
      driver: "bridge",
      labels: [{ label: "delivery.stack", value: "dev1" }],
    });
  });

  it("builds an image given `build` with the legacy builder, tagged with the configured tag, never pushed", () => {
    expect(resourceNamed(rendered, T.dockerImage, "delivery-dev1-api-image").inputs).toEqual({
      imageName: "delivery/api:sha-abc1234",
      skipPush: true,
      build: { context: "services/api", args: { VERSION: "sha-abc1234" }, builderVersion: "BuilderV1" },
      buildOnPreview: false,
    });
  });

  it("uses the engine's image otherwise, and keeps it on destroy", () => {
    expect(resourceNamed(rendered, T.remoteImage, "delivery-dev1-web-image").inputs).toEqual({
      name: "delivery/web:sha-abc1234",
      keepLocally: true,
    });
  });

  it("gives the first replica every declared setting and publishes its port on the host port, loopback only", () => {
    expect(resourceNamed(rendered, T.container, "delivery-dev1-api-1").inputs).toEqual({
      name: "dev1-api-1",
      image: "delivery/api:sha-abc1234",
      labels: [
        { label: "delivery.release", value: "sha-abc1234" },
        { label: "delivery.service", value: "api" },
        { label: "delivery.stack", value: "dev1" },
      ],
      envs: ["API_MODE=local", "LOG_LEVEL=debug"],
      healthcheck: {
        tests: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1"],
        interval: "10s",
        timeout: "3s",
        retries: 3,
        startPeriod: "20s",
      },
      restart: "on-failure",
      maxRetryCount: 5,
      memory: 512,
      memorySwap: 512,
      cpus: "0.25",
      readOnly: true,
      tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m", "/var/run/app": "rw,noexec,nosuid,size=64m" },
      networksAdvanced: [{ name: "delivery-dev1", aliases: ["api"] }],
      ports: [{ internal: 8080, external: 18080, ip: "127.0.0.1", protocol: "tcp" }],
    });
  });

  it("publishes no port for the other replicas", () => {
    const second = resourceNamed(rendered, T.container, "delivery-dev1-api-2");
    expect([second.inputs.name, second.inputs.ports]).toEqual(["dev1-api-2", []]);
  });

  it("takes limits, the health path and a derived host port from the service's config", () => {
    const web = resourceNamed(rendered, T.container, "delivery-dev1-web-1").inputs;
    expect([web.memory, web.cpus, web.healthcheck, web.ports, web.tmpfs, web.envs]).toEqual([
      128,
      "0.5",
      expect.objectContaining({ tests: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:3000/healthz || exit 1"] }),
      [{ internal: 3000, external: config().services[0].docker?.hostPort, ip: "127.0.0.1", protocol: "tcp" }],
      { "/tmp": "rw,noexec,nosuid,size=64m" },
      [],
    ]);
  });

  it("parents every container and image to its service's component, and the services to the environment", () => {
    const parents = [
      ...resourcesOf(rendered, T.container),
      ...resourcesOf(rendered, T.remoteImage),
      ...resourcesOf(rendered, T.dockerImage),
    ].map((r) => [r.name, parentOf(rendered, r)?.name]);
    expect(parents.sort()).toEqual([
      ["delivery-dev1-api-1", "delivery-dev1-api"],
      ["delivery-dev1-api-2", "delivery-dev1-api"],
      ["delivery-dev1-api-image", "delivery-dev1-api"],
      ["delivery-dev1-web-1", "delivery-dev1-web"],
      ["delivery-dev1-web-image", "delivery-dev1-web"],
    ]);
    expect(resourcesOf(rendered, "delivery:docker:Service").map((s) => parentOf(rendered, s)?.type)).toEqual([
      "delivery:docker:Environment",
      "delivery:docker:Environment",
    ]);
  });

  it("outputs the Docker manifest: deploy order, replicas, loopback URLs, the engine", () => {
    const deployment = dockerDeployment(rendered);
    expect(dockerManifestSchema.parse(deployment)).toEqual(deployment);
    expect(deployment).toEqual({
      schemaVersion: 1,
      runtime: "docker",
      project: "delivery",
      stack: "dev1",
      docker: { host: "ssh://dev@builder.example.com" },
      thresholds: {
        errorRateWarningPercent: 1,
        errorRateCriticalPercent: 5,
        errorRateFailPercent: 1,
        minRequests: 100,
        p95LatencyMs: 500,
        p99LatencyMs: 1000,
        windowSeconds: 300,
      },
      history: { prefix: "dev1/" },
      services: [
        {
          name: "api",
          image: "delivery/api",
          imageTag: "sha-abc1234",
          replicas: 2,
          url: "http://127.0.0.1:18080",
          healthPath: "/health",
          smokePaths: ["/api/version"],
          dependsOn: [],
        },
        {
          name: "web",
          image: "delivery/web",
          imageTag: "sha-abc1234",
          replicas: 1,
          url: `http://127.0.0.1:${config().services[0].docker?.hostPort}`,
          healthPath: "/healthz",
          smokePaths: [],
          dependsOn: ["api"],
        },
      ],
    });
    expect(rendered.outputs.networkName).toBe("delivery-dev1");
  });
});

describe("the engine of a Docker stack that names none", () => {
  const saved = process.env.DOCKER_HOST;
  afterEach(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  });

  it("is DOCKER_HOST when set", async () => {
    process.env.DOCKER_HOST = "tcp://127.0.0.1:2375";
    const rendered = await renderEnvironment(dockerLocalConfig());
    expect([
      resourceNamed(rendered, T.dockerProvider, "delivery-local-engine").inputs.host,
      dockerDeployment(rendered).docker.host,
    ]).toEqual(["tcp://127.0.0.1:2375", "tcp://127.0.0.1:2375"]);
  });

  it("is the local socket otherwise", async () => {
    delete process.env.DOCKER_HOST;
    const rendered = await renderEnvironment(dockerLocalConfig());
    expect(dockerDeployment(rendered).docker.host).toBe("unix:///var/run/docker.sock");
  });
});

describe("the shipped local stack", () => {
  it("runs api and web on Docker, on host ports 18080 and 13000, web on the api by its network alias", async () => {
    const rendered = await renderEnvironment(dockerLocalConfig());
    const containers = resourcesOf(rendered, T.container).map((c) => [c.inputs.name, c.inputs.image, c.inputs.ports, c.inputs.envs]);
    expect(containers).toEqual([
      [
        "local-api-1",
        "delivery/api:sha-0000000",
        [{ internal: 8080, external: 18080, ip: "127.0.0.1", protocol: "tcp" }],
        ["LOG_LEVEL=debug"],
      ],
      [
        "local-web-1",
        "delivery/web:sha-0000000",
        [{ internal: 3000, external: 13000, ip: "127.0.0.1", protocol: "tcp" }],
        ["API_URL=http://api:8080", "LOG_LEVEL=debug"],
      ],
    ]);
  });

  it("a kubernetes stack is built by the Kubernetes program, not the Docker or ECS one", async () => {
    const k8s = environmentConfig({
      tier: "staging",
      runtime: "kubernetes",
      kubernetes: { prometheusUrl: "http://prometheus:9090" },
      services: [serviceEntry("api")],
    });
    const rendered = await renderEnvironment(k8s);
    expect(rendered.outputs.deployment.runtime).toBe("kubernetes");
    expect(rendered.resources.filter((r) => r.type.startsWith("docker:") || r.type.startsWith("aws:"))).toEqual([]);
  });
});

describe("deploy order on Docker", () => {
  it("creates a service's containers after those of the services it depends on", async () => {
    const rendered = await renderEnvironment(config());
    const apiContainers = resourcesOf(rendered, T.container)
      .filter((c) => c.inputs.name !== "dev1-web-1")
      .map((c) => c.urn);
    const web = resourceNamed(rendered, T.container, "delivery-dev1-web-1");
    const api = resourceNamed(rendered, T.container, "delivery-dev1-api-1");
    expect(apiContainers.every((urn) => web.dependencies?.includes(urn))).toBe(true);
    expect(api.dependencies?.some((urn) => urn.includes("web"))).toBe(false);
  });
});
