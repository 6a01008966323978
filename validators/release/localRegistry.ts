import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type LastGoodRelease, parseLastGoodRelease } from "../../contract/lastGood";
import { writeFileAtomic } from "../core/atomicWrite";
import { confinedPath } from "../core/confine";
import { MalformedReleaseError, type ReleaseRegistry, ReleaseRegistryError, type ReleaseVersion } from "./lastGood";

/**
 * Last good releases in the local store (stacks without SSM: the Docker tier):
 * `<dir>/<stack>/<service>.json` holds every version, newest last, each value the same JSON as
 * ECS's SSM parameter (contract/lastGood.ts).
 */
export class LocalReleaseRegistry implements ReleaseRegistry {
  constructor(private readonly dir: string) {}

  private file(stack: string, service: string): string {
    return confinedPath(this.dir, [
      { value: stack, field: "stack" },
      { value: service, field: "service name", suffix: ".json" },
    ]);
  }

  private async read(stack: string, service: string): Promise<{ version: number; modifiedAt: string; value: string }[]> {
    const file = this.file(stack, service);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT") return [];
      throw new ReleaseRegistryError(`cannot read ${file}: ${String(err)}`, { cause: err });
    }
    try {
      return JSON.parse(text) as { version: number; modifiedAt: string; value: string }[];
    } catch (err) {
      throw new ReleaseRegistryError(`${file} is not JSON`, { cause: err });
    }
  }

  location(stack: string, service: string): string {
    return this.file(stack, service);
  }

  describe(stack: string, service: string): string {
    return `the file ${this.file(stack, service)}`;
  }

  async get(stack: string, service: string): Promise<LastGoodRelease | undefined> {
    const versions = await this.read(stack, service);
    const last = versions[versions.length - 1];
    if (!last) return undefined;
    const { release, problem } = parseLastGoodRelease(last.value);
    if (!release)
      throw new MalformedReleaseError(
        `${this.file(stack, service)} holds no release (${problem})`,
        this.file(stack, service),
        problem ?? "?",
      );
    return release;
  }

  async put(release: LastGoodRelease): Promise<number> {
    const versions = await this.read(release.stack, release.service);
    const version = (versions[versions.length - 1]?.version ?? 0) + 1;
    versions.push({ version, modifiedAt: new Date().toISOString(), value: JSON.stringify(release) });
    await mkdir(dirname(this.file(release.stack, release.service)), { recursive: true });
    await writeFileAtomic(this.file(release.stack, release.service), `${JSON.stringify(versions, null, 2)}\n`);
    return version;
  }

  async history(stack: string, service: string): Promise<ReleaseVersion[]> {
    const versions = await this.read(stack, service);
    return versions.map((v) => ({ version: v.version, modifiedAt: v.modifiedAt, ...parseLastGoodRelease(v.value) })).reverse();
  }
}
