import { createHash } from "node:crypto";

export { alertParameterName, canaryVerdictParameterName, repositoryName } from "../../../contract/names";

/**
 * Names of AWS things the program sets explicitly (the rest are auto-named by Pulumi). Pure
 * functions: tested without Pulumi, and the same names are a contract with the validator and
 * the gate (alarm names, log groups, SSM parameters).
 */

/** The alarms each service gets; `<project>-<stack>-<service>-<key>` is the alarm name. */
export const ALARM_KEYS = [
  "error-rate-warning",
  "error-rate-critical",
  "latency-p95",
  "latency-p99",
  "cpu-high",
  "memory-high",
  "running-tasks-low",
  "unhealthy-hosts",
  "task-stops",
  "ephemeral-storage-high",
] as const;
export type AlarmKey = (typeof ALARM_KEYS)[number];

/** Stable base of every name in an environment: `<project>-<stack>`. */
export function environmentName(project: string, stack: string): string {
  return `${project}-${stack}`;
}

/** `<project>-<stack>-<service>-<alarm>`: a contract with the deploy gate. */
export function alarmName(project: string, stack: string, service: string, alarm: AlarmKey): string {
  return `${project}-${stack}-${service}-${alarm}`;
}

/** Short deterministic hex of `text` (sha256), for names that must fit a length limit. */
export function shortHash(text: string, length = 7): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * `base` when it fits `maxLength`, else its head plus `-<hash of base>`, so distinct long names stay
 * distinct. Trailing '-' are trimmed from the head (AWS rejects names ending in '-').
 */
export function fitName(base: string, maxLength: number): string {
  if (base.length <= maxLength) return base;
  const hash = shortHash(base, 7);
  const head = base.slice(0, maxLength - hash.length - 1).replace(/-+$/, "");
  return `${head}-${hash}`;
}

/** The load balancer's name (AWS allows 32 characters). */
export function loadBalancerName(project: string, stack: string): string {
  return fitName(environmentName(project, stack), 32);
}

/**
 * A target group's name (32 characters). The port is part of it: changing a service's port replaces
 * its target group, and the new one must not collide with the old while both exist.
 */
export function targetGroupName(project: string, stack: string, service: string, port: number): string {
  return fitName(`${project}-${stack}-${service}-${port}`, 32);
}

/**
 * The second target group of a progressive service (ECS's alternate): the new revision's tasks
 * register in whichever of the two is not serving, release after release.
 */
export function alternateTargetGroupName(project: string, stack: string, service: string, port: number): string {
  return fitName(`${project}-${stack}-${service}-${port}-alt`, 32);
}

/** The environment's lifecycle hook function (Lambda allows 64 characters). */
export function hookFunctionName(project: string, stack: string): string {
  return fitName(`${environmentName(project, stack)}-canary-hook`, 64);
}

export function clusterName(project: string, stack: string): string {
  return environmentName(project, stack);
}

export function logGroupName(project: string, stack: string, service: string): string {
  return `/ecs/${project}/${stack}/${service}`;
}

/** A service's migration task logs: apart from the service's, so the logs check never reads them. */
export function migrationLogGroupName(project: string, stack: string, service: string): string {
  return `/ecs/${project}/${stack}/${service}-migration`;
}

/** Where EventBridge writes the cluster's essential-container exits (the task-stops alarms count them). */
export function taskStopLogGroupName(project: string, stack: string): string {
  return `/aws/events/${project}/${stack}/task-stops`;
}

/** The AWS Chatbot Slack channel configuration: `<project>-<stack>-alerts`. */
export function chatConfigurationName(project: string, stack: string): string {
  return `${environmentName(project, stack)}-alerts`;
}

/** The HTTPS listener certificate's expiry alarm: `<project>-<stack>-certificate-expiry`. */
export function certificateAlarmName(project: string, stack: string): string {
  return `${environmentName(project, stack)}-certificate-expiry`;
}

export function dashboardName(project: string, stack: string): string {
  return environmentName(project, stack);
}

export function dashboardUrl(region: string, name: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${name}`;
}

export function kmsAliasName(project: string, stack: string): string {
  return `alias/${environmentName(project, stack)}`;
}

/** The AWS partition of a region: aws-cn for China, aws-us-gov for GovCloud, else aws. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The URL prefix a path rule routes: `/api/*` -> `/api`, `/*` or none -> ``. Joined with healthPath (`/health`). */
export function pathPrefix(path: string | undefined): string {
  if (!path) return "";
  return path.replace(/\*+$/, "").replace(/\/+$/, "");
}

/** A service's base URL through the load balancer: its host rule if any, else the ALB's DNS name, plus its path prefix. */
export function serviceUrl(args: { https: boolean; albDnsName: string; host?: string; path?: string }): string {
  const host = args.host && !/[*?]/.test(args.host) ? args.host : args.albDnsName;
  return `${args.https ? "https" : "http"}://${host}${pathPrefix(args.path)}`;
}

/**
 * Splits an IPv4 CIDR into `count` equal subnets (count a power of two), in order. The VPC's /16 to
 * /24 becomes four /18 to /26: public a, public b, private a, private b.
 */
export function splitCidr(cidr: string, count: number): string[] {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const bits = Math.log2(count);
  if (!Number.isInteger(bits) || bits < 0) throw new Error(`subnet count must be a power of two, got ${count}`);
  const prefix = Number(match[5]);
  const newPrefix = prefix + bits;
  if (newPrefix > 28) throw new Error(`${cidr} is too small to split into ${count} subnets`);
  const base = match.slice(1, 5).reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const network = base - (base % 2 ** (32 - prefix));
  const size = 2 ** (32 - newPrefix);
  return Array.from({ length: count }, (_, i) => `${toIp(network + i * size)}/${newPrefix}`);
}

function toIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** config.tags plus `service` where one applies: set explicitly on every taggable resource. */
export function resourceTags(tags: Record<string, string>, service?: string): Record<string, string> {
  return service === undefined ? { ...tags } : { ...tags, service };
}
