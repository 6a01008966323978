import { type LastGoodRelease, lastGoodReleaseSchema, parseLastGoodRelease } from "../../contract/lastGood";
import { type ConfigMapReleaseStore, RELEASES_CONFIGMAP } from "../providers/kubernetes/releases";
import { MalformedReleaseError, type ReleaseRegistry, ReleaseRegistryError, type ReleaseVersion } from "./lastGood";

/** How many releases per service the ConfigMap keeps in `<service>.history` (a ConfigMap holds at most 1 MiB). */
export const CONFIGMAP_HISTORY_LIMIT = 20;

interface StoredHistory {
  versions: { version: number; modifiedAt: string; release: unknown }[];
}

/**
 * Last good releases of a Kubernetes stack, in the ConfigMap delivery-releases of its namespace:
 * key `<service>` holds the last good release (the same JSON as ECS's SSM parameter), key
 * `<service>.history` the newest releases with a version number that counts up, as SSM's does.
 */
export class ConfigMapReleaseRegistry implements ReleaseRegistry {
  constructor(
    private readonly store: Pick<ConfigMapReleaseStore, "get" | "put">,
    private readonly namespace: string,
  ) {}

  private where(service: string): string {
    return `ConfigMap ${this.namespace}/${RELEASES_CONFIGMAP} key ${service}`;
  }

  location(_stack: string, service: string): string {
    return this.where(service);
  }

  describe(_stack: string, service: string): string {
    return this.where(service);
  }

  async get(stack: string, service: string): Promise<LastGoodRelease | undefined> {
    const value = await this.read(service);
    if (value === undefined) return undefined;
    const { release, problem } = parseLastGoodRelease(JSON.stringify(value));
    if (!release)
      throw new MalformedReleaseError(
        `${this.where(service)} does not hold a release (${problem ?? "?"}); fix or remove it.`,
        this.where(service),
        problem ?? "?",
      );
    if (release.stack !== stack)
      throw new MalformedReleaseError(
        `${this.where(service)} holds a release of stack ${release.stack}, not ${stack}.`,
        this.where(service),
        `it is a release of stack ${release.stack}, not ${stack}`,
      );
    return release;
  }

  async put(release: LastGoodRelease): Promise<number> {
    const value = lastGoodReleaseSchema.parse(release);
    const history = await this.storedHistory(release.service);
    const version = (history.versions[0]?.version ?? 0) + 1;
    const versions = [{ version, modifiedAt: value.validatedAt, release: value }, ...history.versions].slice(0, CONFIGMAP_HISTORY_LIMIT);
    try {
      await this.store.put(`${release.service}.history`, { versions } satisfies StoredHistory);
      await this.store.put(release.service, value);
    } catch (err) {
      throw new ReleaseRegistryError(`cannot write ${this.where(release.service)}: ${(err as Error).message}`, { cause: err });
    }
    return version;
  }

  async history(_stack: string, service: string): Promise<ReleaseVersion[]> {
    const history = await this.storedHistory(service);
    return history.versions.map((v) => ({
      version: v.version,
      modifiedAt: v.modifiedAt,
      ...parseLastGoodRelease(JSON.stringify(v.release)),
    }));
  }

  private async storedHistory(service: string): Promise<StoredHistory> {
    const value = (await this.read(`${service}.history`)) as Partial<StoredHistory> | undefined;
    return { versions: Array.isArray(value?.versions) ? value.versions : [] };
  }

  private async read(key: string): Promise<unknown> {
    try {
      return await this.store.get(key);
    } catch (err) {
      throw new ReleaseRegistryError(`cannot read ${this.where(key)}: ${(err as Error).message}`, { cause: err });
    }
  }
}
