import * as pulumi from "@pulumi/pulumi";
import { type EnvironmentConfig, SECRET_PLACEHOLDER } from "../config";
import { buildStack, type StackOutputs } from "../stack";
import type { DeploymentManifest, KubernetesManifest } from "../../contract/manifest";
import { DeliveryMocks } from "./mocks";

/** One registered resource, as the program asked for it. */
export interface RenderedResource {
  type: string;
  name: string;
  urn: string;
  /** The parent's URN (absent for the environment itself). */
  parent?: string;
  /** A custom resource (an AWS one), or a component. */
  custom: boolean;
  /** The inputs the program gave; every secret value is replaced with "[secret]". */
  inputs: Record<string, unknown>;
  /** The mock's id ("" for components). */
  id: string;
  /** URNs of the resources it depends on (explicit dependsOn and those its inputs come from). */
  dependencies?: string[];
  /** The `ignoreChanges` resource option, when set (the properties a later update leaves alone). */
  ignoreChanges?: string[];
}

/** A program run under the mocks on its own (a component alone): what it registered and its outputs. */
export interface RenderedProgram {
  /** Every resource, parents before children, siblings by name then type. */
  resources: RenderedResource[];
  outputs: Record<string, unknown>;
}

/** Where a program rendered alone runs: the project, stack and AWS region the mocks report. */
export interface ProgramOptions {
  /** @default "delivery" */
  project?: string;
  /** @default "test" */
  stack?: string;
  /** @default "us-east-1" */
  region?: string;
  /** @default false */
  preview?: boolean;
}

export interface RenderedStack<M extends DeploymentManifest = DeploymentManifest> {
  stack: string;
  config: EnvironmentConfig;
  /** Every resource, parents before children, siblings by name then type: the same config gives the same list. */
  resources: RenderedResource[];
  /** `deployment` (the manifest of the stack's runtime) and the runtime's other outputs. */
  outputs: { deployment: M } & Record<string, unknown>;
}

/** The render failed: a resource registration or an invoke threw (the first error is the cause). */
export class RenderError extends Error {
  constructor(
    readonly stackName: string,
    readonly errors: readonly unknown[],
  ) {
    super(`rendering stack ${stackName} failed: ${summarize(errors)}`, { cause: errors[0] });
    this.name = "RenderError";
  }
}

/** The first distinct messages (what depends on a failure fails too, with longer messages). */
function summarize(errors: readonly unknown[]): string {
  const messages = [...new Set(errors.map((e) => (e instanceof Error ? e.message : String(e))))];
  const more = messages.length > 2 ? ` (and ${messages.length - 2} more)` : "";
  return `${messages.slice(0, 2).join("; ")}${more}`;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Evaluates the stack for `config` (its runtime's program: ECS, Docker or Kubernetes) under Pulumi's
 * mock runtime and returns every resource it registers with its inputs and parent, and the stack
 * outputs. No cloud, no Pulumi CLI. Pulumi's runtime is global: calls are queued, one render at a
 * time, any number per process.
 */
export function renderEnvironment(config: EnvironmentConfig, options: { preview?: boolean } = {}): Promise<RenderedStack> {
  return enqueue(() => renderOnce(config, options.preview ?? false, buildStack));
}

/** A Kubernetes stack (delivery:runtime kubernetes) under the mocks, typed with its manifest. */
export function renderKubernetesEnvironment(
  config: EnvironmentConfig,
  options: { preview?: boolean } = {},
): Promise<RenderedStack<KubernetesManifest>> {
  if (config.runtime !== "kubernetes") throw new Error(`${config.stack} runs on ${config.runtime}: render it with renderEnvironment`);
  return renderEnvironment(config, options) as Promise<RenderedStack<KubernetesManifest>>;
}

/** Any stack, by its runtime (the same as renderEnvironment). */
export const renderStackConfig = renderEnvironment;

/**
 * Runs `program` (for example one component constructed alone) under the same mocks and recording
 * as a stack render, queued like one: every resource it registers, and the values of the outputs it
 * returns.
 */
export function renderProgram(
  program: () => Record<string, pulumi.Output<unknown> | undefined>,
  options: ProgramOptions = {},
): Promise<RenderedProgram> {
  const run = { project: options.project ?? "delivery", stack: options.stack ?? "test", region: options.region ?? "us-east-1" };
  return enqueue(() => runUnderMocks(run, options.preview ?? false, program));
}

function enqueue<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.then(work);
  queue = run.catch(() => undefined);
  return run;
}

async function renderOnce<M extends DeploymentManifest>(
  config: EnvironmentConfig,
  preview: boolean,
  build: (config: EnvironmentConfig) => StackOutputs,
): Promise<RenderedStack<M>> {
  const rendered = await runUnderMocks(config, preview, () => build(config));
  return { stack: config.stack, config, resources: rendered.resources, outputs: rendered.outputs as RenderedStack<M>["outputs"] };
}

async function runUnderMocks(
  config: { project: string; stack: string; region: string },
  preview: boolean,
  program: () => Record<string, pulumi.Output<unknown> | undefined>,
): Promise<RenderedProgram> {
  const failure = new Failure(config.stack);
  const recorded: RenderedResource[] = [];
  const mocks = new DeliveryMocks(config.region);
  const recordingMocks: pulumi.runtime.Mocks = {
    newResource: (args) => mocks.newResource(args),
    call: (args) => {
      try {
        return mocks.call(args);
      } catch (err) {
        failure.add(err);
        throw err;
      }
    },
  };
  const onRejection = (reason: unknown) => failure.add(reason);
  process.on("unhandledRejection", onRejection);
  // Pulumi captures a stack trace for every promise and resource it creates; with source maps on
  // (tsx) that dominates a render. Off while rendering (DELIVERY_RENDER_STACK_TRACES=1 keeps them).
  const sourceMaps = process.sourceMapsEnabled;
  const stackTraceLimit = Error.stackTraceLimit;
  if (process.env.DELIVERY_RENDER_STACK_TRACES !== "1") {
    process.setSourceMapsEnabled(false);
    Error.stackTraceLimit = 0;
  }
  try {
    pulumi.runtime.setAllConfig(config.region ? { "aws:region": config.region } : {});
    await pulumi.runtime.setMocks(recordingMocks, config.project, config.stack, preview);
    recordRegistrations(recorded, failure);

    const stackOutputs = program();
    // An output whose invoke or registration failed never settles: stop at the first error instead.
    const entries = Object.entries(stackOutputs).filter((e): e is [string, pulumi.Output<unknown>] => e[1] !== undefined);
    const values = await failure.race(Promise.all(entries.map(([, output]) => outputValue(output))));
    const outputs = Object.fromEntries(entries.map(([key], i) => [key, values[i]]));
    // Every registration, not only those the outputs depend on (alarms, the dashboard...).
    await failure.race(waitForRegistrations());
    failure.check();
    return { resources: treeOrder(recorded), outputs };
  } catch (err) {
    if (!(err instanceof RenderError)) failure.add(err);
    // What depended on the failure keeps failing for a moment: collect it while our handler listens.
    await failure.quiet();
    throw new RenderError(config.stack, failure.errors);
  } finally {
    process.setSourceMapsEnabled(sourceMaps);
    Error.stackTraceLimit = stackTraceLimit;
    process.off("unhandledRejection", onRejection);
  }
}

/** Errors seen during a render; `race` rejects as soon as the first one arrives. */
class Failure {
  readonly errors: unknown[] = [];
  private reject?: (err: unknown) => void;
  private readonly failed = new Promise<never>((_, reject) => {
    this.reject = reject;
  });

  constructor(private readonly stack: string) {
    this.failed.catch(() => undefined);
  }

  add(err: unknown): void {
    this.errors.push(err);
    this.reject?.(err);
  }

  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.failed]);
  }

  /** Resolves once no new error has arrived for `quietMs` (at most `maxMs`). */
  async quiet(quietMs = 200, maxMs = 5000): Promise<void> {
    const start = Date.now();
    let seen = this.errors.length;
    let since = start;
    while (Date.now() - start < maxMs) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      if (this.errors.length !== seen) {
        seen = this.errors.length;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return;
    }
  }

  check(): void {
    if (this.errors.length > 0) throw new RenderError(this.stack, this.errors);
  }
}

/** The value of an output once known (rejects when what it depends on failed). */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  const internal = output as unknown as { promise?: (withUnknowns?: boolean) => Promise<T> };
  if (typeof internal.promise !== "function")
    throw new Error("@pulumi/pulumi Output has no promise(): update outputValue in infra/synth/render.ts");
  return internal.promise();
}

/** Waits until the runtime's queue of pending registrations is empty (@pulumi/pulumi runtime.waitForRPCs). */
export async function waitForRegistrations(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (typeof runtime.waitForRPCs !== "function")
    throw new Error("@pulumi/pulumi no longer exports runtime.waitForRPCs: update infra/synth/render.ts");
  await runtime.waitForRPCs();
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0] | undefined;
  getDependenciesList?(): string[];
  getIgnorechangesList?(): string[];
}
interface RegisterResponse {
  getUrn(): string;
  getId(): string;
}
type Callback = (err: unknown, response?: RegisterResponse) => void;
interface Monitor {
  registerResource(req: RegisterRequest, callback: Callback): unknown;
}

/**
 * Wraps the mock monitor's registerResource to record each resource with its parent URN (the
 * request carries it; the Mocks API does not) and the URN and id the monitor answered.
 */
function recordRegistrations(recorded: RenderedResource[], failure: Failure): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor | undefined;
  if (!monitor) throw new Error("Pulumi's mock monitor is not set");
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, response) => {
      if (err) failure.add(err);
      else if (response) {
        const object = req.getObject();
        recorded.push({
          type: req.getType(),
          name: req.getName(),
          urn: response.getUrn(),
          ...(req.getParent() ? { parent: req.getParent() } : {}),
          custom: req.getCustom(),
          inputs: maskRpcSecrets(object ? pulumi.runtime.deserializeProperties(object) : {}) as Record<string, unknown>,
          id: response.getId(),
          ...(req.getDependenciesList?.().length ? { dependencies: [...(req.getDependenciesList?.() ?? [])].sort() } : {}),
          ...(req.getIgnorechangesList?.().length ? { ignoreChanges: [...(req.getIgnorechangesList?.() ?? [])] } : {}),
        });
      }
      callback(err, response);
    });
}

/** Replaces Pulumi's wrapped secret values with the placeholder, everywhere in a value. */
export function maskRpcSecrets(value: unknown): unknown {
  if (pulumi.runtime.isRpcSecret(value)) return SECRET_PLACEHOLDER;
  if (Array.isArray(value)) return value.map(maskRpcSecrets);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskRpcSecrets(v)]));
  }
  return value;
}

/** Parents before children (depth first), siblings by name then type: independent of registration timing. */
function treeOrder(resources: RenderedResource[]): RenderedResource[] {
  const byParent = new Map<string, RenderedResource[]>();
  const urns = new Set(resources.map((r) => r.urn));
  for (const r of resources) {
    const key = r.parent && urns.has(r.parent) ? r.parent : "";
    const siblings = byParent.get(key);
    if (siblings) siblings.push(r);
    else byParent.set(key, [r]);
  }
  const out: RenderedResource[] = [];
  const visit = (key: string) => {
    const children = (byParent.get(key) ?? []).sort((a, b) => compare(a.name, b.name) || compare(a.type, b.type));
    for (const child of children) {
      out.push(child);
      visit(child.urn);
    }
  };
  visit("");
  return out;
}

/** Code-unit order: the same on every machine (localeCompare depends on the locale). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
