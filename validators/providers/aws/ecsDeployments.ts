import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
  type ServiceRevision,
  StopServiceDeploymentCommand,
} from "@aws-sdk/client-ecs";
import type { EcsManifestService } from "../../../contract/manifest";
import { awsCall } from "./call";
import { chunk } from "../../core/pool";

/** DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs per call. */
export const DESCRIBE_DEPLOYMENTS_BATCH = 20;

/** One side of a progressive deployment: the revision, its task definition and the target group it serves from. */
export interface DeploymentSide {
  /** The target group's ARN suffix (CloudWatch's TargetGroup dimension). */
  targetGroup: string;
  revision?: string;
  taskDefinition?: string;
}

/** Who is who in a progressive deployment, and how far it got. */
export interface DeploymentSides {
  deploymentArn: string;
  status: string;
  lifecycleStage?: string;
  /** The new revision's requested share of production traffic, in percent. */
  sharePercent: number;
  canary: DeploymentSide;
  baseline: DeploymentSide;
  startedAt?: Date;
}

/** ListServiceDeployments pages read at most (100 deployments each; ECS keeps 90 days of them). */
export const LIST_DEPLOYMENTS_MAX_PAGES = 10;

/**
 * The service's newest deployment (created after `after` when given), described; undefined when
 * there is none. ECS does not document the list's order, so every page is read (up to the cap).
 */
export async function latestDeployment(
  ecs: ECSClient,
  cluster: string,
  ecsService: string,
  after?: Date,
): Promise<ServiceDeployment | undefined> {
  const listed: { serviceDeploymentArn?: string; createdAt?: Date }[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < LIST_DEPLOYMENTS_MAX_PAGES; page++) {
    const response = await awsCall("ECS ListServiceDeployments", () =>
      ecs.send(
        new ListServiceDeploymentsCommand({
          cluster,
          service: ecsService,
          ...(after ? { createdAt: { after } } : {}),
          maxResults: 100,
          nextToken,
        }),
      ),
    );
    listed.push(...(response.serviceDeployments ?? []));
    nextToken = response.nextToken;
    if (!nextToken) break;
  }
  const newest = listed.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
  if (!newest?.serviceDeploymentArn) return undefined;
  return (await describeDeployments(ecs, [newest.serviceDeploymentArn]))[0];
}

/** DescribeServiceDeployments, 20 ARNs per call. */
export async function describeDeployments(ecs: ECSClient, arns: readonly string[]): Promise<ServiceDeployment[]> {
  const out: ServiceDeployment[] = [];
  for (const batch of chunk(arns, DESCRIBE_DEPLOYMENTS_BATCH)) {
    const response = await awsCall("ECS DescribeServiceDeployments", () =>
      ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [...batch] })),
    );
    out.push(...(response.serviceDeployments ?? []));
  }
  return out;
}

/** DescribeServiceRevisions, 20 ARNs per call, by ARN. */
export async function describeRevisions(ecs: ECSClient, arns: readonly string[]): Promise<Map<string, ServiceRevision>> {
  const out = new Map<string, ServiceRevision>();
  for (const batch of chunk([...new Set(arns)], DESCRIBE_DEPLOYMENTS_BATCH)) {
    const response = await awsCall("ECS DescribeServiceRevisions", () =>
      ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [...batch] })),
    );
    for (const r of response.serviceRevisions ?? []) if (r.serviceRevisionArn) out.set(r.serviceRevisionArn, r);
  }
  return out;
}

/**
 * The new revision (the deployment's target) and the baseline (its source, the revision serving
 * before). Each service revision names the target group its tasks register in; when ECS names
 * the same group for both (or none), the baseline keeps the group it names (else the manifest's
 * first group) and the new revision is the other group of the pair.
 */
export function resolveSides(
  deployment: ServiceDeployment,
  revisions: ReadonlyMap<string, ServiceRevision>,
  service: Pick<EcsManifestService, "targetGroup" | "deployment">,
): DeploymentSides {
  const targetArn = deployment.targetServiceRevision?.arn;
  const sourceArn = deployment.sourceServiceRevisions?.[0]?.arn;
  const target = targetArn ? revisions.get(targetArn) : undefined;
  const source = sourceArn ? revisions.get(sourceArn) : undefined;
  const pair = [service.targetGroup, service.deployment?.alternateTargetGroup ?? service.targetGroup];
  const baselineGroup = groupOf(source) ?? pair[0] ?? service.targetGroup;
  const named = groupOf(target);
  const canaryGroup = named && named !== baselineGroup ? named : (pair.find((g) => g !== baselineGroup) ?? baselineGroup);
  return {
    deploymentArn: deployment.serviceDeploymentArn ?? "",
    status: deployment.status ?? "UNKNOWN",
    lifecycleStage: deployment.lifecycleStage,
    sharePercent: deployment.targetServiceRevision?.requestedProductionTrafficWeight ?? 0,
    canary: { targetGroup: canaryGroup, revision: targetArn, taskDefinition: target?.taskDefinition },
    baseline: { targetGroup: baselineGroup, revision: sourceArn, taskDefinition: source?.taskDefinition },
    startedAt: deployment.startedAt ?? deployment.createdAt,
  };
}

/** The deployment's sides, its revisions described. */
export async function deploymentSides(
  ecs: ECSClient,
  deployment: ServiceDeployment,
  service: Pick<EcsManifestService, "targetGroup" | "deployment">,
): Promise<DeploymentSides> {
  const arns = [deployment.targetServiceRevision?.arn, ...(deployment.sourceServiceRevisions ?? []).map((r) => r.arn)].filter(
    (a): a is string => Boolean(a),
  );
  return resolveSides(deployment, await describeRevisions(ecs, arns), service);
}

/** Stops the deployment and returns 100% of traffic to the revision it replaced (StopServiceDeployment, ROLLBACK). */
export async function stopWithRollback(ecs: ECSClient, deploymentArn: string): Promise<void> {
  await awsCall("ECS StopServiceDeployment", () =>
    ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: deploymentArn, stopType: "ROLLBACK" })),
  );
}

/** `arn:...:targetgroup/name/hex` -> `targetgroup/name/hex`. */
export function targetGroupSuffix(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const at = arn.indexOf("targetgroup/");
  return at >= 0 ? arn.slice(at) : undefined;
}

function groupOf(revision: ServiceRevision | undefined): string | undefined {
  return targetGroupSuffix(revision?.loadBalancers?.[0]?.targetGroupArn);
}
