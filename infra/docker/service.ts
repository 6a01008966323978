import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import {
  containerLabels,
  containerName,
  DEFAULT_MAX_RESTARTS,
  dockerCpus,
  environmentList,
  healthCheck,
  imageReference,
  serviceUrl,
  tmpfsFor,
} from "./settings";

/** The defaults of DockerServiceArgs' optional fields. */
export const DOCKER_SERVICE_DEFAULTS = {
  healthCheckPath: "/health",
  replicas: 1,
  cpu: 256,
  memory: 512,
  writablePaths: ["/tmp"],
  maxRestarts: DEFAULT_MAX_RESTARTS,
} as const;

/** Build the image from source instead of using one already in the engine. */
export interface DockerServiceBuildArgs {
  /** The build context directory. */
  context: pulumi.Input<string>;
  /** @default "<context>/Dockerfile" */
  dockerfile?: pulumi.Input<string>;
  /** @default {} */
  args?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface DockerServiceArgs {
  /** The stack: label `delivery.stack` and the containers' name prefix. */
  stack: pulumi.Input<string>;
  /** The service's name: label `delivery.service`, its network alias. */
  service: pulumi.Input<string>;
  /** The image repository (without tag), e.g. `delivery/api`. */
  repository: pulumi.Input<string>;
  /** The release's tag: the image is `<repository>:<tag>`; label `delivery.release`. */
  tag: pulumi.Input<string>;
  /** Build `<repository>:<tag>` from source (docker.Image, legacy builder, never pushed); else the engine must hold the image. */
  build?: DockerServiceBuildArgs;
  /** The port the service listens on inside the container. */
  port: pulumi.Input<number>;
  /** The health check GETs this path. @default "/health" */
  healthCheckPath?: pulumi.Input<string>;
  /** Containers of the service (a plain number: one resource each). @default 1 */
  replicas?: number;
  /** The loopback port the first replica's `port` is published on (127.0.0.1 only). */
  hostPort: pulumi.Input<number>;
  /** CPU limit in units of 1/1024 CPU. @default 256 */
  cpu?: pulumi.Input<number>;
  /** Memory limit in MiB (no swap beyond it). @default 512 */
  memory?: pulumi.Input<number>;
  /** @default {} */
  environment?: pulumi.Input<Record<string, string>>;
  /** The only writable paths (tmpfs) of the read-only root filesystem. @default ["/tmp"] */
  writablePaths?: pulumi.Input<string[]>;
  /** The stack's network (the containers join it with the service's name as alias). */
  networkName: pulumi.Input<string>;
  /** Restart policy on-failure, at most this many times. @default 5 */
  maxRestarts?: pulumi.Input<number>;
  /** What must exist before this service's containers start (the containers of the services it depends on). @default [] */
  after?: pulumi.Input<pulumi.Resource>[];
}

/**
 * One service on a Docker engine: its image (built, or referenced and kept locally) and `replicas`
 * containers labelled delivery.stack/service/release, health-checked, restarted on failure a
 * bounded number of times, limited in CPU and memory, with a read-only root filesystem.
 */
export class DockerService extends pulumi.ComponentResource {
  /** `<repository>:<tag>`, once the image exists in the engine. */
  public readonly imageName: pulumi.Output<string>;
  /** docker.Image when built from source, else docker.RemoteImage (kept locally on destroy). */
  public readonly image: docker.Image | docker.RemoteImage;
  public readonly containers: docker.Container[];
  /** The containers' names in the engine, replica 1 first. */
  public readonly containerNames: pulumi.Output<string[]>;
  /** `http://127.0.0.1:<hostPort>`. */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: DockerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:docker:Service", name, {}, opts);
    const parent = { parent: this };
    const reference = pulumi.all([args.repository, args.tag]).apply(([repository, tag]) => imageReference(repository, tag));

    if (args.build) {
      const built = new docker.Image(
        `${name}-image`,
        {
          imageName: reference,
          skipPush: true,
          build: {
            context: args.build.context,
            dockerfile: args.build.dockerfile,
            args: args.build.args,
            builderVersion: "BuilderV1",
          },
        },
        parent,
      );
      this.image = built;
      this.imageName = built.imageName;
    } else {
      // The engine's copy is used when it has one (nothing is pulled then); destroy leaves it there.
      const remote = new docker.RemoteImage(`${name}-image`, { name: reference, keepLocally: true }, parent);
      this.image = remote;
      this.imageName = remote.name;
    }

    const port = pulumi.output(args.port);
    const healthCheckPath = pulumi.output(args.healthCheckPath ?? DOCKER_SERVICE_DEFAULTS.healthCheckPath);
    const cpu = pulumi.output(args.cpu ?? DOCKER_SERVICE_DEFAULTS.cpu);
    const memory = args.memory ?? DOCKER_SERVICE_DEFAULTS.memory;
    const labels = pulumi.all([args.stack, args.service, args.tag]).apply(([stack, service, tag]) => containerLabels(stack, service, tag));
    const replicas = args.replicas ?? DOCKER_SERVICE_DEFAULTS.replicas;
    this.containers = [];
    for (let replica = 1; replica <= replicas; replica++) {
      this.containers.push(
        new docker.Container(
          `${name}-${replica}`,
          {
            name: pulumi.all([args.stack, args.service]).apply(([stack, service]) => containerName(stack, service, replica)),
            image: this.imageName,
            labels,
            envs: pulumi.output(args.environment ?? {}).apply(environmentList),
            healthcheck: pulumi.all([port, healthCheckPath]).apply(([p, path]) => healthCheck(p, path)),
            restart: "on-failure",
            maxRetryCount: args.maxRestarts ?? DOCKER_SERVICE_DEFAULTS.maxRestarts,
            memory,
            memorySwap: memory,
            cpus: cpu.apply(dockerCpus),
            readOnly: true,
            tmpfs: pulumi.output(args.writablePaths ?? [...DOCKER_SERVICE_DEFAULTS.writablePaths]).apply(tmpfsFor),
            networksAdvanced: [{ name: args.networkName, aliases: [args.service] }],
            ports: replica === 1 ? [{ internal: port, external: args.hostPort, ip: "127.0.0.1", protocol: "tcp" }] : [],
          },
          { parent: this, dependsOn: args.after ?? [] },
        ),
      );
    }

    this.containerNames = pulumi.all(this.containers.map((c) => c.name));
    this.url = pulumi.output(args.hostPort).apply(serviceUrl);
    this.registerOutputs({ imageName: this.imageName, containerNames: this.containerNames, url: this.url });
  }
}
