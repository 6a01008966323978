import { DescribeAlarmsCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { Service } from "@aws-sdk/client-ecs";
import type { EcsManifest } from "../../../contract/manifest";
import type { AlertsObservation, FiringAlert, GateObserver, GateRolloutObservation, ImageObservation } from "../gateObservations";
import { awsCall } from "./call";
import type { AwsClients } from "./clients";
import { observeEcrImages } from "./ecrImages";
import { describeServices } from "./ecs";
import { primaryDeployment, rolloutInProgress, taskDefinitionName } from "./ecsObserve";

/**
 * The gate's observations of an ECS stack: the new tag in each service's ECR repository, the
 * stack's CloudWatch alarms in ALARM, each ECS service's PRIMARY deployment.
 */
export class EcsGateObserver implements GateObserver {
  readonly name = "ecs" as const;

  constructor(
    private readonly manifest: EcsManifest,
    private readonly clients: Pick<AwsClients, "ecs" | "ecr" | "cloudwatch">,
    private readonly concurrency = 10,
  ) {}

  private selected(names: readonly string[]) {
    return this.manifest.services.filter((s) => names.includes(s.name));
  }

  images(services: readonly string[], tag: string): Promise<Map<string, ImageObservation>> {
    return observeEcrImages(this.selected(services), tag, this.clients, this.concurrency);
  }

  async alerts(): Promise<AlertsObservation> {
    const prefix = `${this.manifest.project}-${this.manifest.stack}-`;
    const firing = await firingAlarms(
      this.clients.cloudwatch,
      prefix,
      this.manifest.services.map((s) => s.name),
    );
    return { kind: "alerts", words: { alert: "alarm", state: "in ALARM", scope: `named ${prefix}*` }, asked: { prefix }, firing };
  }

  async rollouts(services: readonly string[]): Promise<Map<string, GateRolloutObservation>> {
    const selected = this.selected(services);
    const described = await describeServices(
      this.clients.ecs,
      this.manifest.cluster,
      selected.map((s) => s.ecsService),
      this.concurrency,
    );
    return new Map(selected.map((s) => [s.name, ecsGateRollout(s.ecsService, described.found.get(s.ecsService))]));
  }
}

/** An ECS service (DescribeServices) as the gate sees it: its PRIMARY deployment's state and counts. */
export function ecsGateRollout(ecsService: string, service: Service | undefined): GateRolloutObservation {
  const base = { name: ecsService, fullName: `ECS service ${ecsService}`, revisionWord: "Deployment" };
  if (!service) {
    return { ...base, found: false, revision: null, stateReason: null, runs: "(none)", running: 0, desired: 0, facts: { found: false } };
  }
  const primary = primaryDeployment(service);
  const facts = {
    deploymentId: primary?.id ?? null,
    rolloutState: primary?.rolloutState ?? null,
    taskDefinition: taskDefinitionName(primary?.taskDefinition),
    running: primary?.runningCount ?? service.runningCount ?? 0,
    desired: primary?.desiredCount ?? service.desiredCount ?? 0,
    deployments: service.deployments?.length ?? 0,
  };
  return {
    ...base,
    found: true,
    state: rolloutInProgress(service) ? "IN_PROGRESS" : primary?.rolloutState === "FAILED" ? "FAILED" : "COMPLETED",
    revision: facts.deploymentId,
    stateReason: primary?.rolloutStateReason ?? null,
    runs: facts.taskDefinition,
    running: facts.running,
    desired: facts.desired,
    facts,
  };
}

/**
 * The stack's alarms in state ALARM: DescribeAlarms with the prefix `<project>-<stack>-` and the
 * state, paginated. Only names `<prefix><service>-...` of the stack's own services count, so a stack
 * `prod-eu` does not lend its alarms to `prod`. The state is checked again: some servers ignore the filter.
 */
export async function firingAlarms(cw: CloudWatchClient, prefix: string, services: readonly string[]): Promise<FiringAlert[]> {
  const owned = (name: string) => services.some((s) => name.startsWith(`${prefix}${s}-`));
  const firing: FiringAlert[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall("CloudWatch DescribeAlarms", () =>
      cw.send(
        new DescribeAlarmsCommand({
          AlarmNamePrefix: prefix,
          StateValue: "ALARM",
          AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
          NextToken: nextToken,
        }),
      ),
    );
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      if (alarm.StateValue === "ALARM" && alarm.AlarmName && owned(alarm.AlarmName)) {
        firing.push({ name: alarm.AlarmName, reason: alarm.StateReason ?? "", since: alarm.StateUpdatedTimestamp?.toISOString() ?? null });
      }
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return firing.sort((a, b) => a.name.localeCompare(b.name));
}
