import type Docker from "dockerode";
import { type CallOptions, dockerCall, DockerProviderError } from "./client";
import {
  imageExists,
  inspectContainer,
  LABELS,
  listServiceContainers,
  type ServiceObservation,
  type ServiceRef,
  tagOf,
  replicaOf,
} from "./containers";

/**
 * The fast rollback on Docker: every container of a service is recreated from `image` (which the
 * engine already holds) with the same settings: name, command, container-level environment, labels
 * (delivery.release becomes the image's tag), health check, host config (restart policy, limits,
 * read-only root, tmpfs, published ports) and networks with their aliases.
 */
export async function recreateService(
  client: Docker,
  ref: ServiceRef & { image: string },
  options: CallOptions = {},
): Promise<ServiceObservation> {
  if (!(await imageExists(client, ref.image, options))) {
    throw new DockerProviderError(
      `Docker image ${ref.image} is not in the engine; ${ref.stack}/${ref.service} was left as it is (nothing is pulled: build or load the image first).`,
      "image-missing",
      `recreate ${ref.stack}/${ref.service}`,
    );
  }
  const listed = await listServiceContainers(client, ref, options);
  const replicas = [];
  for (const { id } of listed) {
    const info = await inspectContainer(client, id, options);
    const create = await createOptions(client, info, ref.image, options);
    await dockerCall(`remove container ${create.name}`, () => client.getContainer(id).remove({ force: true }), options);
    const container = await dockerCall(
      `create container ${create.name}`,
      (abortSignal) => client.createContainer({ ...create, abortSignal }),
      options,
    );
    await dockerCall(`start container ${create.name}`, (abortSignal) => container.start({ abortSignal }), options);
    replicas.push(replicaOf(await inspectContainer(client, container.id, options)));
  }
  return { stack: ref.stack, service: ref.service, replicas };
}

/** The old container's own settings (not those it inherited from its image) on the new image. */
async function createOptions(
  client: Docker,
  info: Docker.ContainerInspectInfo,
  image: string,
  options: CallOptions,
): Promise<Docker.ContainerCreateOptions & { name: string }> {
  const name = info.Name.replace(/^\//, "");
  const old = await dockerCall(`inspect image of ${name}`, () => client.getImage(info.Image).inspect(), options).catch(() => undefined);
  const inherited = new Set(old?.Config?.Env ?? []);
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const config = info.Config as Docker.ContainerInspectInfo["Config"] & { Healthcheck?: Docker.HealthConfig; StopSignal?: string };
  const tag = tagOf(image);
  const endpoints: Docker.EndpointsConfig = {};
  for (const [network, settings] of Object.entries(info.NetworkSettings.Networks ?? {})) {
    const aliases = ((settings.Aliases as string[] | null | undefined) ?? []).filter((a) => !info.Id.startsWith(a));
    endpoints[network] = aliases.length > 0 ? { Aliases: aliases } : {};
  }
  return {
    name,
    Image: image,
    Env: (config.Env ?? []).filter((e) => !inherited.has(e)),
    ...(old && same(config.Cmd, old.Config?.Cmd) ? {} : { Cmd: config.Cmd }),
    ...(old && same(config.Entrypoint, old.Config?.Entrypoint) ? {} : { Entrypoint: config.Entrypoint }),
    ...(old && same(config.WorkingDir, old.Config?.WorkingDir) ? {} : { WorkingDir: config.WorkingDir }),
    ...(old && same(config.User, old.Config?.User) ? {} : { User: config.User }),
    Labels: { ...config.Labels, ...(tag ? { [LABELS.release]: tag } : {}) },
    ExposedPorts: config.ExposedPorts,
    ...(config.Healthcheck && !(old && same(config.Healthcheck, (old.Config as { Healthcheck?: unknown })?.Healthcheck))
      ? { Healthcheck: config.Healthcheck }
      : {}),
    HostConfig: info.HostConfig,
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
}
