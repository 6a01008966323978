import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { deployOrder, dockerHost, type EnvironmentConfig } from "../config";
import type { DockerManifest } from "../../contract/manifest";
import { environmentName } from "../components/lib/naming";
import { DockerService } from "./service";
import { buildDockerManifest, LABEL_STACK } from "./settings";

export interface DockerEnvironmentArgs {
  /** The stack's config, parsed once (infra/config), with `runtime: "docker"`. */
  config: EnvironmentConfig;
  /** The engine. @default the config's delivery:docker.host, else $DOCKER_HOST, else unix:///var/run/docker.sock */
  host?: string;
}

/**
 * A whole environment on a Docker engine (local and dev): the engine's provider, one network per
 * stack, a DockerService per configured service (in deploy order, each after those it depends
 * on), and the `deployment` manifest the validator reads (runtime "docker").
 */
export class DockerEnvironment extends pulumi.ComponentResource {
  public readonly config: EnvironmentConfig;
  /** The engine address the provider and the manifest use. */
  public readonly host: string;
  public readonly provider: docker.Provider;
  public readonly network: docker.Network;
  /** By service name, in config order. */
  public readonly services: Record<string, DockerService>;
  public readonly networkName: pulumi.Output<string>;
  public readonly deployment: pulumi.Output<DockerManifest>;

  constructor(name: string, args: DockerEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:docker:Environment", name, {}, opts);
    const config = args.config;
    if (config.runtime !== "docker" || !config.docker) {
      throw new Error(`${config.file}: DockerEnvironment needs delivery:runtime: docker (this stack's runtime is ${config.runtime}).`);
    }
    this.config = config;
    this.host = args.host ?? dockerHost(config.docker.host);
    this.provider = new docker.Provider(`${name}-engine`, { host: this.host }, { parent: this });
    const children = { parent: this, provider: this.provider };

    this.network = new docker.Network(
      `${name}-network`,
      { name: config.docker.network, driver: "bridge", labels: [{ label: LABEL_STACK, value: config.stack }] },
      children,
    );
    this.networkName = this.network.name;

    const byName: Record<string, DockerService> = {};
    for (const svc of deployOrder(config.services)) {
      const settings = svc.docker;
      if (!settings) throw new Error(`service ${svc.name} has no Docker settings`);
      byName[svc.name] = new DockerService(
        `${name}-${svc.name}`,
        {
          stack: config.stack,
          service: svc.name,
          repository: svc.image.repository,
          tag: svc.image.tag,
          build: settings.build,
          port: svc.port,
          healthCheckPath: svc.healthCheckPath,
          replicas: settings.replicas,
          hostPort: settings.hostPort,
          cpu: svc.cpu,
          memory: svc.memory,
          environment: svc.environment,
          writablePaths: settings.writablePaths,
          networkName: this.network.name,
          after: svc.dependsOn.flatMap((d) => byName[d]?.containers ?? []),
        },
        { parent: this, providers: [this.provider] },
      );
    }
    this.services = Object.fromEntries(config.services.map((s) => [s.name, byName[s.name]]));

    // Known once every container exists: the manifest promises what runs.
    const containerIds = pulumi.all(Object.values(this.services).flatMap((s) => s.containers.map((c) => c.id)));
    const manifest = buildDockerManifest(config, this.host);
    this.deployment = containerIds.apply(() => manifest);
    this.registerOutputs({ deployment: this.deployment, networkName: this.networkName });
  }
}

/** Builds the Docker environment for a parsed stack config: the component is named `<project>-<stack>`. */
export function buildDockerEnvironment(config: EnvironmentConfig, opts?: pulumi.ComponentResourceOptions): DockerEnvironment {
  return new DockerEnvironment(environmentName(config.project, config.stack), { config }, opts);
}
