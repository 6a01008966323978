// The config parser and stack file reader without infra/config/index (whose sources.ts loads @pulumi/pulumi):
// only the drift view loads the Pulumi program.
import { ConfigError } from "../../infra/config/errors";
import { parseEnvironmentConfig } from "../../infra/config/resolve";
import { readStackFile as readStackConfig } from "../../infra/config/stackFile";
import type { EnvironmentConfig } from "../../infra/config/types";
import { BadInputError, OperationalError } from "../core/errors";
import type { HeartbeatTimers } from "../lock/heartbeat";
import type { StackLock } from "../lock/types";
import type { RecordStore } from "../records/types";
import type { ReleaseRegistry } from "../release/lastGood";
import { writeFileAtomicSync as writeFileAtomic } from "../core/atomicWrite";
import { readStackText, stackFilePath } from "../stackfile/file";
import { setImageTags, type TagChange } from "../stackfile/tags";
import type { DriftReport } from "../promote/drift";
import { ImageCopyError, type PromotionImages } from "../promote/images";
import { planPromotion, type ServicePlan } from "../promote/plan";
import type { PromotionOutcome, PromotionResult, PromotionView } from "../promote/types";
import { withStackLock } from "./stackLock";
import type { StabilisationRule } from "../promote/stabilisation";
import { defaultPromotionMinAgeSeconds, formatSeconds } from "../../contract/duration";

export interface PromoteRequest {
  from: string;
  to: string;
  /** The Pulumi project folder holding Pulumi.<from>.yaml and Pulumi.<to>.yaml (absolute). */
  dir: string;
  /** `--service` (repeatable). @default every service of the target stack's config */
  services?: readonly string[];
  /** `--yes`: do not ask. */
  yes: boolean;
  /** `--dry-run`: plan and show, then stop before the first change (no lock, question, image copy or write). @default false */
  dryRun?: boolean;
  /** `--max-age`. @default 7 */
  maxAgeDays: number;
  /** `--lock-timeout`. @default 0 */
  lockTimeoutSeconds: number;
  /** `--min-age`: replaces the target's stabilisation window. @default the target's delivery:promotion.minAge (24h for prod, else 0) */
  minAgeSeconds?: number;
  /** `--reason`: why the window was overridden (required with --min-age; goes into the pull-request body). */
  reason?: string;
}

export interface PromoteDeps {
  /** The source stack's last good releases: SSM (ECS) or the ConfigMap delivery-releases of its namespace (Kubernetes). */
  registry: Pick<ReleaseRegistry, "get" | "describe">;
  /** The source stack's run records. */
  records: Pick<RecordStore, "list">;
  /** The target stack's lock (DynamoDB, the lock file, or a Lease in the target's namespace). */
  lock: StackLock;
  /** Where the runtime keeps the images: ECR repositories per stack (ECS) or the config's OCI registry (Kubernetes). */
  images: PromotionImages;
  drift: (from: EnvironmentConfig, to: EnvironmentConfig) => Promise<DriftReport>;
  /** Asks a yes/no question; undefined when nobody can answer (stdin is not a terminal). */
  confirm: (question: string) => Promise<boolean | undefined>;
  /** Shows the plan before the question (text output prints it; JSON and markdown print the result at the end). */
  show: (view: PromotionView) => void;
  progress: (line: string) => void;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  who: string;
  timers?: HeartbeatTimers;
  /** The command's --deadline: the work under the lock is raced against it. @default none */
  signal?: AbortSignal;
}

export type { PromotionOutcome, PromotionResult, PromotionView } from "../promote/types";

/**
 * `deployctl promote`: under the target stack's lock, plan each service (last good in the source,
 * refusals), render both stacks for the drift view, show it, ask unless `yes`, copy the images into
 * the target's repositories, and write the promoted tags into Pulumi.<to>.yaml (comments and
 * formatting kept, atomically). All or nothing: one refused service refuses the promotion and
 * nothing changes (images already copied by this run are removed again).
 */
export async function promote(request: PromoteRequest, deps: PromoteDeps): Promise<PromotionResult> {
  const { from, to, dir } = request;
  const source = readConfig(dir, from);
  const target = readConfig(dir, to);
  const selected = selectServices(target, request.services);
  const stabilisation = stabilisationRule(request, target);
  const stackFile = stackFilePath(dir, to);
  const text = readStackText(stackFile);
  const lock = {
    lock: deps.lock,
    stack: to,
    who: deps.who,
    what: `promote from ${from} (${selected.map((s) => s.name).join(", ")})`,
    timeoutSeconds: request.lockTimeoutSeconds,
    now: deps.now,
    sleep: deps.sleep,
    progress: deps.progress,
    timers: deps.timers,
    signal: deps.signal,
  };
  const body = async (): Promise<PromotionResult> => {
    deps.progress(`reading the last good releases of ${selected.map((s) => s.name).join(", ")} in stack ${from}`);
    const services = await planPromotion(
      {
        from,
        to,
        services: selected,
        sourceRepositories: new Map(source.services.map((s) => [s.name, s.image.repository])),
        maxAgeDays: request.maxAgeDays,
        stabilisation,
      },
      { registry: deps.registry, records: (o) => deps.records.list(o), images: deps.images, now: deps.now },
    );
    deps.progress(`rendering stacks ${from} and ${to} offline for the drift view`);
    const view: PromotionView = {
      from,
      to,
      stackFile: `Pulumi.${to}.yaml`,
      maxAgeDays: request.maxAgeDays,
      stabilisation,
      services,
      drift: await deps.drift(source, target),
    };
    deps.show(view);
    const dryRun = request.dryRun ? { dryRun: true as const } : {};
    const end = (outcome: PromotionOutcome, changes: TagChange[] = []): PromotionResult => ({ ...view, outcome, changes, ...dryRun });
    if (services.some((s) => s.status === "refused")) return end("refused");
    const moving = services.filter((s) => s.status === "promote");
    if (moving.length === 0) return end("nothing-to-change");
    const edits = moving.map((s) => ({ service: s.name, tag: s.tagAfter ?? "" }));
    if (request.dryRun)
      return end(
        "would-promote",
        setImageTags(view.stackFile, text, target.project, edits).changes.filter((c) => c.changed),
      );
    if (!request.yes) {
      const answer = await deps.confirm(`Write ${describe(moving)} into ${view.stackFile}?`);
      if (answer === undefined)
        throw new BadInputError(
          `promote changes ${view.stackFile}: pass --yes to confirm (stdin is not a terminal, so deployctl cannot ask).`,
        );
      if (!answer) return end("cancelled");
    }
    const copied = await copyImages(moving, deps);
    if (copied.refused) return end("refused");
    try {
      if (readStackText(stackFile) !== text)
        throw new OperationalError(`${view.stackFile} changed while promote ran; nothing was written: run promote again`, "promote");
      const update = setImageTags(view.stackFile, text, target.project, edits);
      writeFileAtomic(stackFile, update.text);
      return end(
        "promoted",
        update.changes.filter((c) => c.changed),
      );
    } catch (err) {
      await undo(copied.done, deps);
      throw err instanceof OperationalError || err instanceof BadInputError
        ? err
        : new OperationalError(`cannot write ${view.stackFile}: ${message(err)}`, "promote", { cause: err });
    }
  };
  // A dry run changes nothing, so it takes no lock either: it reads what a real run would read.
  return request.dryRun ? body() : withStackLock(lock, body);
}

/** Copies the images the plan marked `copy`; on a refusal, removes those it copied and marks the service refused. */
async function copyImages(
  moving: ServicePlan[],
  deps: Pick<PromoteDeps, "images" | "progress">,
): Promise<{ refused: boolean; done: ServicePlan[] }> {
  const done: ServicePlan[] = [];
  for (const service of moving) {
    const image = service.image;
    if (!image || image.action !== "copy") continue;
    deps.progress(`copying image ${image.tag} from ${image.source} to ${image.target}`);
    try {
      await deps.images.copy(image);
    } catch (err) {
      await undo(done, deps);
      if (!(err instanceof ImageCopyError)) throw err;
      service.status = "refused";
      service.reasons.push(err.reason);
      return { refused: true, done: [] };
    }
    image.action = "copied";
    done.push(service);
  }
  return { refused: false, done };
}

/** Removes the images this run copied (best effort: a failure is reported, the original error stands). */
async function undo(copied: ServicePlan[], deps: Pick<PromoteDeps, "images" | "progress">): Promise<void> {
  for (const service of copied) {
    if (!service.image) continue;
    try {
      await deps.images.remove(service.image);
      service.image.action = "copy";
      deps.progress(`removed the copy of ${service.image.tag} from ${service.image.target} again`);
    } catch (err) {
      deps.progress(`warning: could not remove the copy of ${service.image.tag} from ${service.image.target}: ${message(err)}`);
    }
  }
}

function readConfig(dir: string, stack: string): EnvironmentConfig {
  try {
    return parseEnvironmentConfig(readStackConfig(dir, stack));
  } catch (err) {
    if (err instanceof ConfigError) throw new BadInputError(err.message, { cause: err });
    throw err;
  }
}

/** The target config's services, narrowed by `--service` (each must be in it). */
function selectServices(
  target: EnvironmentConfig,
  names: readonly string[] | undefined,
): { name: string; tag: string; repository: string }[] {
  const all = target.services.map((s) => ({ name: s.name, tag: s.image.tag, repository: s.image.repository }));
  if (!names?.length) return all;
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length > 0) {
    throw new BadInputError(
      unknown.map((n) => `--service is "${n}"; ${target.file} lists ${all.map((s) => s.name).join(", ")}.`).join("\n"),
    );
  }
  return all.filter((s) => names.includes(s.name));
}

function describe(services: readonly ServicePlan[]): string {
  return services.map((s) => `${s.name} ${s.tagBefore} -> ${s.tagAfter ?? "?"}`).join(", ");
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The window: `--min-age` (with its reason), else the target's `delivery:promotion.minAge`, else the tier's default. */
function stabilisationRule(request: PromoteRequest, target: EnvironmentConfig): StabilisationRule {
  if (request.minAgeSeconds !== undefined) {
    if (!request.reason?.trim())
      throw new BadInputError(
        `--min-age is ${formatSeconds(request.minAgeSeconds)}; an override of the stabilisation window needs --reason "why".`,
      );
    return { minAgeSeconds: request.minAgeSeconds, source: "--min-age", overrideReason: request.reason.trim() };
  }
  if (request.reason !== undefined)
    throw new BadInputError(`--reason is given without --min-age; it explains an override of the stabilisation window.`);
  if (target.promotion) return { minAgeSeconds: target.promotion.minAgeSeconds, source: `delivery:promotion.minAge in ${target.file}` };
  return { minAgeSeconds: defaultPromotionMinAgeSeconds(target.tier), source: `the default for a ${target.tier} stack` };
}
