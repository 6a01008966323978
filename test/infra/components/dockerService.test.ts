import { describe, expect, it } from "vitest";
import { TMPFS_OPTIONS } from "../../../infra/config";
import { DockerService, type DockerServiceArgs } from "../../../infra/docker";
import { childrenOf, componentOf, renderComponent, resourceNamed, resourcesOf, T } from "../../support/pulumi";

const minimal: DockerServiceArgs = {
  stack: "dev",
  service: "api",
  repository: "delivery/api",
  tag: "v7",
  port: 8080,
  hostPort: 18080,
  networkName: "dev-net",
};

const render = (args: DockerServiceArgs) =>
  renderComponent(() => {
    const service = new DockerService("shop-api", args);
    return { url: service.url, containerNames: service.containerNames, imageName: service.imageName };
  });

describe("the Docker service component constructed alone", () => {
  it("declares the image and one container, named from the component's name and parented to it", async () => {
    const r = await render(minimal);
    const component = componentOf(r, "delivery:docker:Service");
    expect([component.name, childrenOf(r, component), r.outputs]).toEqual([
      "shop-api",
      [
        [T.container, "shop-api-1"],
        [T.remoteImage, "shop-api-image"],
      ],
      { url: "http://127.0.0.1:18080", containerNames: ["dev-api-1"], imageName: "delivery/api:v7" },
    ]);
  });

  it("applies the documented defaults: /health, 256 CPU units, 512 MiB without swap, /tmp writable, 5 restarts, empty environment", async () => {
    const r = await render(minimal);
    const c = resourceNamed(r, T.container, "shop-api-1");
    expect([
      (c.inputs.healthcheck as { tests: string[] }).tests[1],
      c.inputs.cpus,
      [c.inputs.memory, c.inputs.memorySwap],
      c.inputs.tmpfs,
      [c.inputs.restart, c.inputs.maxRetryCount],
      c.inputs.envs,
      c.inputs.readOnly,
      c.inputs.networksAdvanced,
      c.inputs.ports,
      c.inputs.labels,
      resourceNamed(r, T.remoteImage, "shop-api-image").inputs.keepLocally,
    ]).toEqual([
      "wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1",
      "0.25",
      [512, 512],
      { "/tmp": TMPFS_OPTIONS },
      ["on-failure", 5],
      [],
      true,
      [{ name: "dev-net", aliases: ["api"] }],
      [{ internal: 8080, external: 18080, ip: "127.0.0.1", protocol: "tcp" }],
      [
        { label: "delivery.release", value: "v7" },
        { label: "delivery.service", value: "api" },
        { label: "delivery.stack", value: "dev" },
      ],
      true,
    ]);
  });

  it("lets the caller's args win: replicas (only the first published), health path, CPU, memory, paths, restarts, environment", async () => {
    const r = await render({
      ...minimal,
      replicas: 2,
      healthCheckPath: "/ready",
      cpu: 512,
      memory: 1024,
      writablePaths: ["/tmp", "/var/cache"],
      maxRestarts: 2,
      environment: { B: "2", A: "1" },
    });
    const [first, second] = resourcesOf(r, T.container);
    expect([
      [first.name, second.name, first.inputs.name, second.inputs.name],
      (first.inputs.healthcheck as { tests: string[] }).tests[1],
      [first.inputs.cpus, first.inputs.memory, first.inputs.memorySwap, first.inputs.maxRetryCount],
      Object.keys(first.inputs.tmpfs as object),
      first.inputs.envs,
      [(first.inputs.ports as unknown[]).length, second.inputs.ports],
    ]).toEqual([
      ["shop-api-1", "shop-api-2", "dev-api-1", "dev-api-2"],
      "wget -q -O /dev/null http://127.0.0.1:8080/ready || exit 1",
      ["0.5", 1024, 1024, 2],
      ["/tmp", "/var/cache"],
      ["A=1", "B=2"],
      [1, []],
    ]);
  });

  it("builds the image from source with the legacy builder and never pushes it when build is given", async () => {
    const r = await render({ ...minimal, build: { context: "./app" } });
    const image = resourceNamed(r, T.dockerImage, "shop-api-image");
    expect([resourcesOf(r, T.remoteImage).length, image.inputs.imageName, image.inputs.skipPush, image.inputs.build]).toEqual([
      0,
      "delivery/api:v7",
      true,
      { context: "./app", builderVersion: "BuilderV1" },
    ]);
  });
});
