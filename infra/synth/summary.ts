import type { EnvironmentConfig } from "../config";
import type { RenderedResource } from "./render";
import { KUBERNETES_TIERS } from "../kubernetes/settings";
import type { AlarmKey } from "../components/lib/naming";
import { formatSeconds } from "../../contract/duration";

/** What `deployctl synth` says of one stack: resource counts and, per service, what it runs and watches. */
export interface StackSummary {
  stack: string;
  tier: string;
  region: string;
  /** Where the services run; absent means ecs (documents of before). */
  runtime?: string;
  resourceCount: number;
  resourcesByType: Record<string, number>;
  services: ServiceSummary[];
}

export interface ServiceSummary {
  name: string;
  image: string;
  tasks: number;
  cpu: number;
  memory: number;
  autoscaling: string;
  alarms: AlarmSummary[];
  /** A Kubernetes stack's service: its pods and their size (the ECS fields above do not apply). */
  kubernetes?: { replicas: number; cpu: string; memory: string; autoscaling: string };
}

/** One alarm of a service: its CloudWatch threshold with the unit of that number, and the window it is judged over. */
export interface AlarmSummary {
  name: string;
  threshold: number | undefined;
  comparison: string | undefined;
  /** The unit of `threshold` as CloudWatch compares it (`s` for response times, `%`, `tasks`, `targets`); absent when unknown. */
  unit?: string;
  /** period x evaluation periods, in seconds. */
  windowSeconds?: number;
}

/** The unit of each service alarm's threshold (CloudWatch's TargetResponseTime is in seconds). */
const ALARM_UNITS: Record<AlarmKey, string> = {
  "error-rate-warning": "%",
  "error-rate-critical": "%",
  "latency-p95": "s",
  "latency-p99": "s",
  "cpu-high": "%",
  "memory-high": "%",
  "running-tasks-low": "tasks",
  "unhealthy-hosts": "targets",
  "task-stops": "tasks",
  "ephemeral-storage-high": "%",
};

export function summarize(config: EnvironmentConfig, resources: readonly RenderedResource[]): StackSummary {
  const resourcesByType: Record<string, number> = {};
  for (const r of resources) resourcesByType[r.type] = (resourcesByType[r.type] ?? 0) + 1;
  const alarms = resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
  return {
    stack: config.stack,
    tier: config.tier,
    region: config.region,
    ...(config.runtime !== "ecs" ? { runtime: config.runtime } : {}),
    resourceCount: resources.length,
    resourcesByType: Object.fromEntries(Object.entries(resourcesByType).sort(([a], [b]) => a.localeCompare(b))),
    services: config.services.map((s) => {
      const k8s = config.kubernetes?.services[s.name];
      const k8sTier = KUBERNETES_TIERS[config.tier];
      const kubernetes = k8s && {
        replicas: k8sTier.replicas,
        cpu: k8s.cpu,
        memory: k8s.memory,
        autoscaling: k8sTier.autoscaling
          ? `${k8sTier.autoscaling.min}-${k8sTier.autoscaling.max} at ${k8sTier.autoscaling.cpuTargetPercent}% CPU`
          : "off",
      };
      const prefix = `${config.project}-${config.stack}-${s.name}-`;
      return {
        name: s.name,
        image: `${s.image.repository}:${s.image.tag}`,
        tasks: s.docker?.replicas ?? s.desiredCount,
        cpu: s.cpu,
        memory: s.memory,
        autoscaling: s.autoscaling ? `${s.autoscaling.min}-${s.autoscaling.max} at ${s.autoscaling.cpuTargetPercent}% CPU` : "off",
        alarms: alarms
          .filter((a) => typeof a.inputs.name === "string" && a.inputs.name.startsWith(prefix))
          .map((a): AlarmSummary => {
            const name = (a.inputs.name as string).slice(prefix.length);
            const unit = (ALARM_UNITS as Record<string, string | undefined>)[name];
            const { evaluationPeriods } = a.inputs;
            const period = a.inputs.period ?? queryPeriod(a.inputs.metricQueries);
            return {
              name,
              threshold: typeof a.inputs.threshold === "number" ? a.inputs.threshold : undefined,
              comparison: typeof a.inputs.comparisonOperator === "string" ? a.inputs.comparisonOperator : undefined,
              ...(unit ? { unit } : {}),
              ...(typeof period === "number"
                ? { windowSeconds: period * (typeof evaluationPeriods === "number" ? evaluationPeriods : 1) }
                : {}),
            };
          }),
        ...(kubernetes ? { kubernetes } : {}),
      };
    }),
  };
}

const COMPARISON: Record<string, string> = {
  GreaterThanThreshold: ">",
  GreaterThanOrEqualToThreshold: ">=",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "<=",
};

/** The summary as text for people. */
export function formatSummary(summary: StackSummary, outFile?: string): string {
  const lines: string[] = [];
  const where = [summary.runtime && `runtime ${summary.runtime}`, summary.region].filter(Boolean).join(", ");
  lines.push(`Stack ${summary.stack} (tier ${summary.tier}, ${where}): ${summary.resourceCount} resources`);
  const typeWidth = Math.max(...Object.keys(summary.resourcesByType).map((t) => t.length));
  for (const [type, count] of Object.entries(summary.resourcesByType)) {
    lines.push(`  ${type.padEnd(typeWidth)}  ${String(count).padStart(3)}`);
  }
  for (const s of summary.services) {
    const k = s.kubernetes;
    const unit = summary.runtime === "docker" ? "container" : "task";
    lines.push(
      k
        ? `  service ${s.name}: ${s.image}, ${k.replicas} pod${k.replicas === 1 ? "" : "s"} of ${k.cpu} CPU / ${k.memory}, autoscaling ${k.autoscaling}`
        : `  service ${s.name}: ${s.image}, ${s.tasks} ${unit}${s.tasks === 1 ? "" : "s"} of ${s.cpu} CPU / ${s.memory} MiB, autoscaling ${s.autoscaling}`,
    );
    const alarms = s.alarms.map((a) =>
      [
        a.name,
        a.comparison ? (COMPARISON[a.comparison] ?? a.comparison) : "",
        alarmThreshold(a),
        a.windowSeconds ? `over ${formatSeconds(a.windowSeconds)}` : "",
      ]
        .filter((part) => part !== "")
        .join(" "),
    );
    lines.push(`    alarms: ${alarms.length > 0 ? alarms.join("; ") : "none"}`);
  }
  if (outFile) lines.push(`  wrote ${outFile}`);
  return `${lines.join("\n")}\n`;
}

/** A metric-math alarm's period: its queries' metrics carry it. */
function queryPeriod(queries: unknown): number | undefined {
  if (!Array.isArray(queries)) return undefined;
  for (const q of queries as { metric?: { period?: unknown } }[]) if (typeof q.metric?.period === "number") return q.metric.period;
  return undefined;
}

/** An alarm's threshold with its unit, as people read it: `500 ms` (CloudWatch's 0.5 s), `5%`, `2 tasks`. */
export function alarmThreshold(alarm: Pick<AlarmSummary, "threshold" | "unit">): string {
  const { threshold, unit } = alarm;
  if (threshold === undefined) return "?";
  if (unit === "s") return `${Math.round(threshold * 1000 * 1000) / 1000} ms`;
  if (unit === "%") return `${threshold}%`;
  return unit ? `${threshold} ${unit}` : String(threshold);
}

/** The policy verdict in a few words: `no violations`, `1 mandatory, 2 advisory violations`. */
export function policyVerdict(violations: readonly { enforcementLevel: string }[]): string {
  if (violations.length === 0) return "no violations";
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  return `${mandatory} mandatory, ${violations.length - mandatory} advisory violation${violations.length === 1 ? "" : "s"}`;
}

/**
 * One stack as a compact table (what `deployctl synth` prints by default): a header with the
 * resource count and the policy verdict, then one row per service with its image, tasks,
 * CPU / memory, autoscaling and alarm count. `formatSummary` is the detailed form (--verbose).
 */
export function formatSummaryTable(summary: StackSummary, violations: readonly { enforcementLevel: string }[]): string {
  const where = [summary.runtime && `runtime ${summary.runtime}`, summary.region].filter(Boolean).join(", ");
  const head = `Stack ${summary.stack} (tier ${summary.tier}, ${where}): ${summary.resourceCount} resources, policies: ${policyVerdict(violations)}`;
  const unit = summary.runtime === "docker" ? "container" : "task";
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const rows = summary.services.map((s) => {
    const k = s.kubernetes;
    return [
      s.name,
      s.image,
      k ? plural(k.replicas, "pod") : plural(s.tasks, unit),
      k ? `${k.cpu} / ${k.memory}` : `${s.cpu} / ${s.memory} MiB`,
      k ? k.autoscaling : s.autoscaling,
      String(s.alarms.length),
    ];
  });
  const table = [["SERVICE", "IMAGE", "TASKS", "CPU / MEMORY", "AUTOSCALING", "ALARMS"], ...rows];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const lines = table.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")}`);
  return `${[head, ...(rows.length > 0 ? lines : ["  no services"])].join("\n")}\n`;
}

/** The last line of `deployctl synth`: `4 stacks, 496 resources, 0 policy violations; wrote out/synth/<stack>.json`. */
export function formatSynthTotals(
  docs: readonly { summary: { resourceCount: number }; policy: { violations: readonly unknown[] } }[],
  outDir: string,
): string {
  const resources = docs.reduce((n, d) => n + d.summary.resourceCount, 0);
  const violations = docs.reduce((n, d) => n + d.policy.violations.length, 0);
  const stacks = `${docs.length} stack${docs.length === 1 ? "" : "s"}`;
  return `${stacks}, ${resources} resources, ${violations} policy violation${violations === 1 ? "" : "s"}; wrote ${outDir}/<stack>.json\n`;
}
