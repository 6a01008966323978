/**
 * A PulumiStacks double for a Docker stack on the REAL engine: the stack config is kept in memory
 * (`delivery:services` with each service's image tag), and `up` does what `pulumi up` of the program
 * does to the containers: every service whose containers do not run the configured tag gets them
 * (re)created from `<repository>:<tag>` with the program's labels, health check, restart policy and
 * published port. `getOutput("deployment")` is the stack's manifest for the configured tags. With
 * `cliMissing` every method throws PulumiCliMissingError, as the real one does without a Pulumi CLI.
 */
import Docker from "dockerode";
import type { DockerManifest } from "../../contract/manifest";
import { PulumiCliMissingError } from "../../validators/providers/pulumi/errors";
import type { ConfigEdit, PulumiStacks, UpResult } from "../../validators/providers/pulumi/stacks";
import { TEST_LABEL } from "./docker";

export interface EngineService {
  name: string;
  repository: string;
  tag: string;
  /** The loopback port the container's 8080 is published on. */
  port: number;
  smokePaths?: string[];
  dependsOn?: string[];
}

export type EngineStacksCall =
  | { op: "getOutput" | "getConfig"; stack: string }
  | { op: "setConfig"; stack: string; values: ConfigEdit[] }
  | { op: "up"; stack: string; tags: Record<string, string> };

export class EngineStacks implements PulumiStacks {
  readonly calls: EngineStacksCall[] = [];
  readonly docker = new Docker();
  /** Throw PulumiCliMissingError from every method (no Pulumi CLI). */
  cliMissing = false;

  constructor(
    readonly stack: string,
    readonly services: EngineService[],
  ) {}

  /** The calls that change something (setConfig and up), for exact assertions. */
  changes(): EngineStacksCall[] {
    return this.calls.filter((c) => c.op === "setConfig" || c.op === "up");
  }

  private cli(): void {
    if (this.cliMissing) throw new PulumiCliMissingError(`no \`pulumi\` executable on the PATH (test, stack ${this.stack})`, "update");
  }

  /** The stack's `deployment` output for the configured tags. */
  manifest(): DockerManifest {
    return {
      schemaVersion: 1,
      runtime: "docker",
      project: "delivery",
      stack: this.stack,
      docker: { host: "unix:///var/run/docker.sock" },
      thresholds: {
        errorRateWarningPercent: 1,
        errorRateCriticalPercent: 5,
        minRequests: 1,
        p95LatencyMs: 1000,
        p99LatencyMs: 2000,
        windowSeconds: 600,
      },
      history: { prefix: this.stack },
      services: this.services.map((s) => ({
        name: s.name,
        image: s.repository,
        imageTag: s.tag,
        replicas: 1,
        url: `http://127.0.0.1:${s.port}`,
        healthPath: "/health",
        smokePaths: s.smokePaths ?? [],
        dependsOn: s.dependsOn ?? [],
      })),
    };
  }

  async getOutput(stack: string, name: string): Promise<unknown> {
    this.cli();
    this.calls.push({ op: "getOutput", stack });
    return name === "deployment" ? this.manifest() : undefined;
  }

  async getConfig(stack: string, path: string): Promise<string | undefined> {
    this.cli();
    this.calls.push({ op: "getConfig", stack });
    if (path !== "delivery:services") return undefined;
    return JSON.stringify(this.services.map((s) => ({ name: s.name, image: { repository: s.repository, tag: s.tag } })));
  }

  async setConfig(stack: string, values: readonly ConfigEdit[]): Promise<void> {
    this.cli();
    this.calls.push({ op: "setConfig", stack, values: [...values] });
    for (const edit of values) {
      const match = /^delivery:services\[(\d+)\]\.image\.tag$/.exec(edit.path);
      const entry = match ? this.services[Number(match[1])] : undefined;
      if (!entry) throw new Error(`EngineStacks: unexpected config path ${edit.path}`);
      entry.tag = edit.value;
    }
  }

  async up(stack: string, options?: { onOutput?: (line: string) => void }): Promise<UpResult> {
    this.cli();
    this.calls.push({ op: "up", stack, tags: Object.fromEntries(this.services.map((s) => [s.name, s.tag])) });
    let replaced = 0;
    for (const service of this.services) if (await this.converge(service)) replaced += 1;
    options?.onOutput?.(`Updating (${stack}): ${replaced} replaced\n`);
    return { result: "succeeded", changes: replaced > 0 ? { replace: replaced } : { same: this.services.length } };
  }

  /** (Re)creates the service's container when it does not run the configured tag; true when it did. */
  private async converge(s: EngineService): Promise<boolean> {
    const image = `${s.repository}:${s.tag}`;
    const labels = [`delivery.stack=${this.stack}`, `delivery.service=${s.name}`];
    const existing = await this.docker.listContainers({ all: true, filters: { label: labels } });
    if (existing.length === 1 && existing[0]?.Labels["delivery.release"] === s.tag && existing[0]?.Image === image) return false;
    for (const c of existing) await this.docker.getContainer(c.Id).remove({ force: true });
    const container = await this.docker.createContainer({
      name: `${this.stack}-${s.name}-1`,
      Image: image,
      Labels: { "delivery.stack": this.stack, "delivery.service": s.name, "delivery.release": s.tag, [TEST_LABEL]: "1" },
      ExposedPorts: { "8080/tcp": {} },
      Healthcheck: {
        Test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1"],
        Interval: 1_000_000_000,
        Timeout: 2_000_000_000,
        Retries: 3,
        StartPeriod: 2_000_000_000,
      },
      HostConfig: {
        RestartPolicy: { Name: "on-failure", MaximumRetryCount: 50 },
        PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: String(s.port) }] },
      },
    });
    await container.start();
    return true;
  }
}
