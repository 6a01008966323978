import type { Service } from "@aws-sdk/client-ecs";
import { checkResult } from "../checks/result";
import { primaryDeployment, rolloutInProgress, taskDefinitionName } from "../providers/aws/ecsObserve";
import type { CheckResult, GateCheckName } from "../../contract/report";

/**
 * The gate's rollout check: no deploy starts while ECS is still rolling the service out. A service
 * ECS does not know yet warns (the first deploy creates it); a last rollout that FAILED warns.
 */
export function judgeGateRollout(ecsService: string, service: Service | undefined): CheckResult<GateCheckName> {
  if (!service) {
    return checkResult(
      "rollout",
      "warn",
      `ECS service ${ecsService} does not exist yet (first deploy?).`,
      { found: false },
      { inProgress: false },
    );
  }
  const primary = primaryDeployment(service);
  const observed = {
    deploymentId: primary?.id ?? null,
    rolloutState: primary?.rolloutState ?? null,
    taskDefinition: taskDefinitionName(primary?.taskDefinition),
    running: primary?.runningCount ?? service.runningCount ?? 0,
    desired: primary?.desiredCount ?? service.desiredCount ?? 0,
    deployments: service.deployments?.length ?? 0,
  };
  const threshold = { inProgress: false };
  if (rolloutInProgress(service)) {
    return checkResult(
      "rollout",
      "fail",
      `Deployment ${observed.deploymentId ?? "?"} of ${ecsService} is still IN_PROGRESS (${observed.running} of ${observed.desired} running): wait for it to finish.`,
      observed,
      threshold,
    );
  }
  if (primary?.rolloutState === "FAILED") {
    return checkResult(
      "rollout",
      "warn",
      `The last rollout of ${ecsService} FAILED (${primary.rolloutStateReason ?? "no reason given"}).`,
      observed,
      threshold,
    );
  }
  return checkResult(
    "rollout",
    "pass",
    `No rollout in progress for ${ecsService} (${observed.taskDefinition}, ${observed.running} of ${observed.desired} running).`,
    observed,
    threshold,
  );
}
