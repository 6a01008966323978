import type { AwsClients } from "../providers/aws/clients";
import { skippedCheck } from "../checks/result";
import type { DeploymentManifest, EcsManifest, EcsManifestService } from "../../contract/manifest";
import type { CheckResult } from "../../contract/report";
import { mapLimit } from "../core/pool";
import { canaryPolicy, judgeCanary } from "./analysis";
import { type DeploymentSides, deploymentSides, latestDeployment } from "../providers/aws/ecsDeployments";
import { type ComparisonWindow, measureComparisons } from "./measure";

export interface CompareRequest {
  manifest: EcsManifest;
  services: readonly EcsManifestService[];
  /** Window length, counted back from `end` and never before the deployment started. */
  windowSeconds: number;
  end: Date;
  confidence: number;
  concurrency?: number;
}

/**
 * `deployctl validate --compare baseline`: for each progressive service whose newest ECS
 * deployment is in progress, the canary check of the new revision against the baseline over the
 * same window. A rolling service, or one with no deployment in progress, has no baseline serving
 * beside the new revision: its canary check is skipped with the reason.
 */
export async function compareBaselines(
  request: CompareRequest,
  clients: Pick<AwsClients, "cloudwatch" | "ecs">,
): Promise<Map<string, CheckResult<"canary">>> {
  const { manifest, end } = request;
  const concurrency = request.concurrency ?? 10;
  const results = new Map<string, CheckResult<"canary">>();
  const found = await mapLimit(request.services, concurrency, async (s) => ({
    service: s,
    sides: await sidesOf(s, manifest.cluster, clients, results),
  }));
  const windows: ComparisonWindow[] = found.flatMap(({ service, sides }) =>
    sides
      ? [
          {
            service: service.name,
            ecsService: service.ecsService,
            loadBalancer: service.loadBalancer,
            canary: sides.canary,
            baseline: sides.baseline,
            sharePercent: sides.sharePercent,
            start: new Date(Math.max(end.getTime() - request.windowSeconds * 1000, sides.startedAt?.getTime() ?? 0)),
          },
        ]
      : [],
  );
  const measured = await measureComparisons(clients, manifest.cluster, windows, end, concurrency);
  const policy = canaryPolicy(manifest.thresholds, request.confidence);
  for (const [service, input] of measured) results.set(service, judgeCanary({ ...input, policy }));
  return results;
}

async function sidesOf(
  s: EcsManifestService,
  cluster: string,
  clients: Pick<AwsClients, "ecs">,
  results: Map<string, CheckResult<"canary">>,
): Promise<DeploymentSides | undefined> {
  const skip = (reason: string) => {
    results.set(s.name, skippedCheck("canary", reason));
    return undefined;
  };
  if (!s.deployment) return skip(`Skipped: ${s.name} deploys rolling; no baseline revision serves beside the new one.`);
  const deployment = await latestDeployment(clients.ecs, cluster, s.ecsService);
  if (!deployment) return skip(`Skipped: ECS has no deployment of ${s.ecsService}; nothing to compare.`);
  if (deployment.status !== "IN_PROGRESS") {
    return skip(
      `Skipped: the newest deployment of ${s.ecsService} is ${deployment.status ?? "UNKNOWN"}, not in progress; no baseline serves beside the new revision.`,
    );
  }
  return deploymentSides(clients.ecs, deployment, s);
}

/** The canary comparison of progressive services against their baseline (`--compare baseline`): per service, its canary check. */
export type BaselineFn = (request: {
  manifest: DeploymentManifest;
  services: string[];
  windowSeconds: number;
  end: Date;
  confidence: number;
  concurrency: number;
}) => Promise<Map<string, CheckResult<"canary">>>;

/** The comparison for ECS progressive services, bound to the AWS clients (what validate uses on an ECS stack). */
export function ecsBaselineComparison(clients: Pick<AwsClients, "cloudwatch" | "ecs">): BaselineFn {
  return (request) => {
    const manifest = request.manifest as EcsManifest;
    return compareBaselines(
      { ...request, manifest, services: manifest.services.filter((s) => request.services.includes(s.name)) },
      clients,
    );
  };
}
