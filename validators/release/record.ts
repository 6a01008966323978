import type { DeploymentManifest } from "../../contract/manifest";
import type { ActionRecord } from "../../contract/report";
import { lastGoodParameterName, type ReleaseRegistry } from "./lastGood";

/**
 * The runtime's handle on what a service runs, stored as the release's `taskDefinitionArn` (the
 * field keeps its ECS name, so the JSON is the same on every runtime): the task definition ARN on
 * ECS, `Deployment <namespace>/<name> <image>:<tag>` on Kubernetes, the image on Docker.
 */
export function releaseHandle(manifest: DeploymentManifest, serviceName: string): string | undefined {
  if (manifest.runtime === "kubernetes") {
    const s = manifest.services.find((x) => x.name === serviceName);
    return s ? `Deployment ${manifest.kubernetes.namespace}/${s.deployment} ${s.image}:${s.imageTag}` : undefined;
  }
  if (manifest.runtime === "docker") {
    const s = manifest.services.find((x) => x.name === serviceName);
    return s ? `${s.image}:${s.imageTag}` : undefined;
  }
  return manifest.services.find((s) => s.name === serviceName)?.taskDefinitionArn;
}

/**
 * Records each validated service's running release (the manifest's image tag and task
 * definition) as its last good release. One action per service; a failed write is an action with
 * status failed, never a throw (the caller decides the exit code).
 */
export async function recordLastGood(
  registry: ReleaseRegistry,
  manifest: DeploymentManifest,
  services: readonly string[],
  ctx: { runId: string; who: string; now: () => Date },
): Promise<ActionRecord[]> {
  const actions: ActionRecord[] = [];
  for (const name of services) {
    const service = manifest.services.find((s) => s.name === name);
    const parameter = lastGoodParameterName(manifest.stack, name);
    if (!service) {
      actions.push({
        kind: "record-last-good",
        target: name,
        status: "failed",
        message: `${name} is not in the manifest of stack ${manifest.stack}`,
        at: ctx.now().toISOString(),
      });
      continue;
    }
    const taskDefinitionArn = releaseHandle(manifest, name) ?? "";
    try {
      const version = await registry.put({
        stack: manifest.stack,
        service: name,
        imageTag: service.imageTag,
        taskDefinitionArn,
        validatedAt: ctx.now().toISOString(),
        runId: ctx.runId,
        who: ctx.who,
      });
      if (version === "dry-run") {
        actions.push({
          kind: "record-last-good",
          target: name,
          status: "dry-run",
          message: `would record ${name} ${service.imageTag} as last good (${parameter})`,
          at: ctx.now().toISOString(),
          details: { parameter, imageTag: service.imageTag, taskDefinitionArn },
        });
        continue;
      }
      actions.push({
        kind: "record-last-good",
        target: name,
        status: "ok",
        message: `recorded ${name} ${service.imageTag} as last good (${parameter} version ${version})`,
        at: ctx.now().toISOString(),
        details: { parameter, version, imageTag: service.imageTag, taskDefinitionArn },
      });
    } catch (err) {
      actions.push({
        kind: "record-last-good",
        target: name,
        status: "failed",
        message: err instanceof Error ? err.message : String(err),
        at: ctx.now().toISOString(),
      });
    }
  }
  return actions;
}
