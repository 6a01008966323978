import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceRule } from "./lib/define";
import { arr, rec, seen, str } from "./lib/values";

const SERVICE = "aws:ecs/service:Service";

/** Fewest tasks a staging or prod service runs: one task is one failure away from an outage. */
export const MIN_TASKS = 2;

export const ecsServiceCircuitBreaker = resourceRule({
  name: "ecs-service-circuit-breaker",
  description:
    "ECS services have the deployment circuit breaker on with rollback, so a deployment whose tasks never become healthy rolls back by itself.",
  remediation: "Set deploymentCircuitBreaker: { enable: true, rollback: true } on the service.",
  severity: "high",
  types: [SERVICE],
  validate(props, ctx) {
    const breaker = rec(props.deploymentCircuitBreaker);
    if (breaker?.enable !== true || breaker.rollback !== true) {
      ctx.report(`deploymentCircuitBreaker is enable ${seen(breaker?.enable)}, rollback ${seen(breaker?.rollback)}; both must be true.`);
    }
  },
});

export const ecsServiceDeploymentAlarms = resourceRule({
  name: "ecs-service-deployment-alarms",
  description:
    "ECS services watch CloudWatch alarms during a deployment and roll back when one fires (enable and rollback on, at least one alarm).",
  remediation:
    "Set alarms: { enable: true, rollback: true, alarmNames: [the service's critical alarms (error rate, p99 latency, unhealthy hosts)] } on the service.",
  severity: "high",
  types: [SERVICE],
  validate(props, ctx) {
    const alarms = rec(props.alarms);
    const names = arr(alarms?.alarmNames);
    if (alarms?.enable !== true || alarms.rollback !== true || names.length === 0) {
      ctx.report(
        `alarms is enable ${seen(alarms?.enable)}, rollback ${seen(alarms?.rollback)}, ${names.length} alarm name(s); enable and rollback must be true with at least one alarm.`,
      );
    }
  },
});

export const ecsServiceNoPublicIp = resourceRule({
  name: "ecs-service-no-public-ip",
  description:
    "ECS services do not give their tasks public IP addresses; they run in private subnets behind the load balancer (Security Hub ECS.2, checkov CKV_AWS_333).",
  remediation: "Set networkConfiguration.assignPublicIp to false and use private subnets (with a NAT gateway or VPC endpoints for egress).",
  severity: "high",
  types: [SERVICE],
  validate(props, ctx) {
    const assign = rec(props.networkConfiguration)?.assignPublicIp;
    if (assign === true) ctx.report("networkConfiguration.assignPublicIp is true; tasks must not get public IP addresses.");
  },
});

export const ecsServiceMinTasks = resourceRule({
  name: "ecs-service-min-tasks",
  description: `In staging and prod, ECS services run at least ${MIN_TASKS} tasks, so losing one task (or one Availability Zone) is not an outage.`,
  remediation: `Set desiredCount (and autoscaling min) to ${MIN_TASKS} or more for the service in the stack config.`,
  severity: "high",
  tiers: ["staging", "prod"],
  types: [SERVICE],
  validate(props, ctx) {
    const count = props.desiredCount;
    if (typeof count !== "number" || count < MIN_TASKS)
      ctx.report(`desiredCount is ${seen(count)}; ${ctx.tier} services run at least ${MIN_TASKS} tasks.`);
  },
});

function runsOnFargate(props: Record<string, unknown>): boolean {
  if (props.launchType === "FARGATE") return true;
  return arr(props.capacityProviderStrategies).some((s) => /^FARGATE/.test(str(rec(s)?.capacityProvider) ?? ""));
}

export const ecsServiceLatestPlatform = resourceRule({
  name: "ecs-service-latest-platform",
  description:
    "ECS Fargate services run on the latest Fargate platform version (LATEST, or unset, which means LATEST) (Security Hub ECS.10, checkov CKV_AWS_332).",
  remediation: 'Remove platformVersion from the service, or set it to "LATEST".',
  severity: "medium",
  types: [SERVICE],
  validate(props, ctx) {
    const version = props.platformVersion;
    if (runsOnFargate(props) && version !== undefined && version !== "LATEST")
      ctx.report(`platformVersion is ${seen(version)}; Fargate services must run on "LATEST".`);
  },
});

export const ecsServicePolicies: ResourceValidationPolicy[] = [
  ecsServiceCircuitBreaker,
  ecsServiceDeploymentAlarms,
  ecsServiceNoPublicIp,
  ecsServiceMinTasks,
  ecsServiceLatestPlatform,
];
