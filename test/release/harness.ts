/**
 * Wires the release orchestration (rollback, afterValidation, deploy) with doubles: a PulumiStacks
 * double, an in-memory registry, recorded alerts, an ECS client mocked with aws-sdk-client-mock,
 * a scripted validate() and a manual clock. Every call is kept for exact assertions.
 */
import { ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import type { EcsManifest } from "../../contract/manifest";
import type { ValidationReport } from "../../contract/report";
import { ecsFastRollback, ecsRestart } from "../../validators/providers/aws/ecsRuntime";
import { Progress, type ReleaseDeps, type ValidateRequest } from "../../validators/rollback";
import { clock, FakeStacks, MemoryRegistry, RecordingAlerts } from "./support";

export interface HarnessOptions {
  manifest: EcsManifest;
  stacks?: FakeStacks;
  registry?: MemoryRegistry;
  /** loadManifest() derives image tags and task definitions from the stack config (as after `pulumi up`). */
  manifestFromStacks?: boolean;
  /** Reports validate() returns, in order; a function decides per request; an Error is thrown. */
  reports?: (ValidationReport | Error)[] | ((request: ValidateRequest) => ValidationReport);
}

export function harness(options: HarnessOptions) {
  const t = clock();
  const ecs = new ECSClient({ region: "eu-west-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const ecsMock = mockClient(ecs);
  ecsMock.on(UpdateServiceCommand).resolves({});
  const stacks = options.stacks ?? FakeStacks.withTags(Object.fromEntries(options.manifest.services.map((s) => [s.name, s.imageTag])));
  const registry = options.registry ?? new MemoryRegistry();
  const alerts = new RecordingAlerts();
  const lines: string[] = [];
  const validateCalls: ValidateRequest[] = [];
  const queue = Array.isArray(options.reports) ? [...options.reports] : [];
  let manifest = options.manifest;
  const deps: ReleaseDeps = {
    runtime: (m) => ({ ...ecsFastRollback(m, { ecs }), ...ecsRestart(m, { ecs }) }),
    stacks,
    registry,
    alerts,
    validate: async (request) => {
      validateCalls.push(request);
      t.advance(1000);
      if (typeof options.reports === "function") return options.reports(request);
      const next = queue.shift();
      if (next === undefined) throw new Error(`harness: no report left for validate(${request.services.join(",")})`);
      if (next instanceof Error) throw next;
      return next;
    },
    loadManifest: async () => (options.manifestFromStacks ? fromStacks(manifest, stacks) : manifest),
    progress: new Progress((line) => lines.push(line), t.now),
    now: t.now,
    sleep: t.sleep,
  };
  return {
    deps,
    ecsMock,
    stacks,
    registry,
    alerts,
    lines,
    validateCalls,
    clock: t,
    /** Changes what loadManifest() answers from now on (after a stack update, say). */
    setManifest(next: EcsManifest) {
      manifest = next;
    },
    /** UpdateService calls that force a new deployment of the same revision (`--retries`), by ECS service. */
    restartCalls(): (string | undefined)[] {
      return ecsMock
        .commandCalls(UpdateServiceCommand)
        .filter((c) => c.args[0].input.forceNewDeployment === true)
        .map((c) => c.args[0].input.service);
    },
    /** UpdateService calls as [service, taskDefinition]. */
    updateServiceCalls(): [string | undefined, string | undefined][] {
      return ecsMock.commandCalls(UpdateServiceCommand).map((c) => [c.args[0].input.service, c.args[0].input.taskDefinition]);
    },
  };
}

/** The manifest as a stack update of `stacks` would output it: tag and task definition per service. */
export function fromStacks(manifest: EcsManifest, stacks: FakeStacks): EcsManifest {
  return {
    ...manifest,
    services: manifest.services.map((s) => {
      const tag = stacks.services.find((x) => x.name === s.name)?.image.tag ?? s.imageTag;
      return { ...s, imageTag: tag, taskDefinitionArn: taskDefinitionFor(s.name, tag) };
    }),
  };
}

export function taskDefinitionFor(service: string, tag: string): string {
  return `arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-${service}-${tag}:1`;
}
