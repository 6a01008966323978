import type { RunRecord } from "../records/types";
import type { LastGoodRelease, ReleaseRegistry } from "../release/lastGood";
import { HISTORY_DEPTH, lastRunProblem } from "./history";
import type { ImageMove, PromotionImages } from "./images";
import { type StabilisationRule, stabilisationProblems } from "./stabilisation";

/** A service of the target stack's config: its current tag and its image repository (without the stack prefix). */
export interface TargetService {
  name: string;
  tag: string;
  repository: string;
}

export interface PlanRequest {
  from: string;
  to: string;
  /** The services to promote, as the target stack's config lists them. */
  services: readonly TargetService[];
  /** The source stack's image repository per service (without the stack prefix); the target's when absent. */
  sourceRepositories: ReadonlyMap<string, string>;
  /** A last good release validated longer ago than this is stale (`--max-age`). */
  maxAgeDays: number;
  /** The target's stabilisation window. @default none */
  stabilisation?: StabilisationRule;
}

export interface PlanDeps {
  /** The source stack's last good releases (SSM, the ConfigMap delivery-releases...). */
  registry: Pick<ReleaseRegistry, "get" | "describe">;
  /** The source stack's run records, newest first. */
  records: (options: { limit: number }) => Promise<RunRecord[]>;
  /** Where the runtime keeps the images (ECR per stack, or the config's OCI registry). */
  images: Pick<PromotionImages, "locate" | "check">;
  now: () => Date;
}

/**
 * What promote does with one service: `promote` (tag before -> after), `unchanged` (the target's
 * config already has the source's last good tag), or `refused` with every reason at once.
 */
export interface ServicePlan {
  name: string;
  tagBefore: string;
  /** The source stack's last good tag; null when there is none. */
  tagAfter: string | null;
  status: "promote" | "unchanged" | "refused";
  reasons: string[];
  release: Pick<LastGoodRelease, "imageTag" | "taskDefinitionArn" | "validatedAt" | "runId" | "who"> | null;
  /**
   * The image move (for services to promote whose image was checked): `copy` becomes `copied` once
   * done; `unchecked` when the registry could not be asked (`note` says why). `digest` is null when
   * the registry did not say it.
   */
  image: (ImageMove & { digest: string | null; action: "present" | "copy" | "copied" | "unchecked"; note?: string }) | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Plans the promotion of each service: the source stack's last good release (its registry), refused when
 * there is none, when the newest source-stack run touching the service failed or rolled it back,
 * when it is older than `maxAgeDays`, or when its image cannot reach the target's repository.
 */
export async function planPromotion(request: PlanRequest, deps: PlanDeps): Promise<ServicePlan[]> {
  const { from, to } = request;
  let records: Promise<RunRecord[]> | undefined;
  const history = () => (records ??= deps.records({ limit: HISTORY_DEPTH }));
  const plans: ServicePlan[] = [];
  for (const service of request.services) {
    const base = { name: service.name, tagBefore: service.tag, image: null };
    const release = await deps.registry.get(from, service.name);
    if (!release) {
      const where = deps.registry.describe?.(from, service.name) ?? `the last good release of ${service.name}`;
      const reason = `no last good release in stack ${from} (${where} is not set): deploy and validate it in ${from} first`;
      plans.push({ ...base, tagAfter: null, status: "refused", reasons: [reason], release: null });
      continue;
    }
    const summary = {
      imageTag: release.imageTag,
      taskDefinitionArn: release.taskDefinitionArn,
      validatedAt: release.validatedAt,
      runId: release.runId,
      who: release.who,
    };
    if (release.imageTag === service.tag) {
      plans.push({ ...base, tagAfter: release.imageTag, status: "unchanged", reasons: [], release: summary });
      continue;
    }
    const reasons: string[] = [];
    const ageMs = deps.now().getTime() - Date.parse(release.validatedAt);
    if (ageMs > request.maxAgeDays * DAY_MS) {
      reasons.push(
        `its last good release ${release.imageTag} was validated at ${release.validatedAt}, ${(ageMs / DAY_MS).toFixed(1)} days ago, older than --max-age ${request.maxAgeDays} days: ` +
          `validate it again in ${from} (deployctl validate --stack ${from}) or raise --max-age`,
      );
    }
    if (request.stabilisation)
      reasons.push(
        ...stabilisationProblems({
          service: service.name,
          from,
          release,
          records: await history(),
          rule: request.stabilisation,
          now: deps.now(),
        }),
      );
    const problem = lastRunProblem(await history(), from, service.name);
    if (problem) reasons.push(`${problem.reason}; promote after a run that passes`);
    const move: ImageMove = {
      source: deps.images.locate(from, request.sourceRepositories.get(service.name) ?? service.repository),
      target: deps.images.locate(to, service.repository),
      tag: release.imageTag,
    };
    const image = await deps.images.check(move);
    if (image.kind === "refused") reasons.push(image.reason);
    plans.push({
      ...base,
      tagAfter: release.imageTag,
      status: reasons.length > 0 ? "refused" : "promote",
      reasons,
      release: summary,
      image:
        image.kind === "refused"
          ? null
          : image.kind === "unchecked"
            ? { ...move, digest: null, action: "unchecked", note: image.reason }
            : { ...move, digest: image.digest, action: image.kind },
    });
  }
  return plans;
}
