import { type ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { ActionRecord } from "../../contract/report";
import type { RollbackTarget } from "./targets";

/**
 * The fast path: point each ECS service straight at its last good task definition, seconds after
 * the verdict, before the (slower) stack update makes Pulumi's config and state agree. Targets are
 * processed in the order given (callers pass reverse deploy order); a failure is an action with
 * status failed and does not stop the others.
 */
export async function fastRollback(
  ecs: ECSClient,
  cluster: string,
  targets: readonly RollbackTarget[],
  now: () => Date,
): Promise<ActionRecord[]> {
  const actions: ActionRecord[] = [];
  for (const target of targets) {
    const base = {
      kind: "rollback-fast-path",
      target: target.service,
      details: { cluster, ecsService: target.ecsService, taskDefinition: target.release.taskDefinitionArn },
    };
    try {
      await ecs.send(new UpdateServiceCommand({ cluster, service: target.ecsService, taskDefinition: target.release.taskDefinitionArn }));
      actions.push({
        ...base,
        status: "ok",
        message: `UpdateService ${target.ecsService} to ${target.release.taskDefinitionArn} (${target.release.imageTag})`,
        at: now().toISOString(),
      });
    } catch (err) {
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      actions.push({ ...base, status: "failed", message: `UpdateService ${target.ecsService} failed: ${reason}`, at: now().toISOString() });
    }
  }
  return actions;
}
