import { type CloudWatchClient, GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from "@aws-sdk/client-cloudwatch";
import type { LatencyPercentiles as LatencyStats, Outcome, TrafficCounts as ErrorCounts } from "../runtime";
import { awsCall } from "./call";
import { chunk } from "../../core/pool";

/** GetMetricData takes at most 500 queries per request. */
export const GET_METRIC_DATA_BATCH = 500;
const PERIOD = 60;
const NAMESPACE = "AWS/ApplicationELB";

/** One service's metrics window: its target group on its load balancer, from `start` to the run's end. */
export interface MetricWindow {
  service: string;
  targetGroup: string;
  /**
   * A progressive service's second target group. ECS alternates which of the two serves production
   * traffic from one deployment to the next, so the service's traffic is both groups together.
   */
  alternateTargetGroup?: string;
  loadBalancer: string;
  start: Date;
}

export type { Outcome } from "../runtime";

interface Series {
  points: { at: number; value: number }[];
  problem?: string;
}

/**
 * RequestCount, HTTPCode_Target_5XX_Count (per target group, both groups of a progressive service)
 * and HTTPCode_ELB_5XX_Count (per load balancer) for every service, in as few GetMetricData
 * requests as the 500-query limit allows (one for up to 249 rolling services), summed over each
 * service's own window.
 */
export async function fetchErrorCounts(
  cw: CloudWatchClient,
  windows: readonly MetricWindow[],
  end: Date,
): Promise<Map<string, Outcome<ErrorCounts>>> {
  const queries: MetricDataQuery[] = [];
  const balancers = [...new Set(windows.map((w) => w.loadBalancer))];
  windows.forEach((w, i) =>
    groupsOf(w).forEach((group) => {
      queries.push(stat(`r${i}${group.suffix}`, "RequestCount", "Sum", targetDims(w, group.targetGroup)));
      queries.push(stat(`t${i}${group.suffix}`, "HTTPCode_Target_5XX_Count", "Sum", targetDims(w, group.targetGroup)));
    }),
  );
  balancers.forEach((lb, j) => queries.push(stat(`e${j}`, "HTTPCode_ELB_5XX_Count", "Sum", [{ Name: "LoadBalancer", Value: lb }])));
  const series = await getMetricData(cw, queries, windows, end, "CloudWatch GetMetricData");
  const result = new Map<string, Outcome<ErrorCounts>>();
  windows.forEach((w, i) => {
    const from = floorMinute(w.start).getTime();
    const requestParts = groupsOf(w).map((g) => series.get(`r${i}${g.suffix}`));
    const errorParts = groupsOf(w).map((g) => series.get(`t${i}${g.suffix}`));
    const elbPart = series.get(`e${balancers.indexOf(w.loadBalancer)}`);
    const problem = [...requestParts, ...errorParts, elbPart].find((p) => p?.problem)?.problem;
    if (problem) {
      result.set(w.service, { ok: false, reason: problem });
      return;
    }
    const total = (parts: (Series | undefined)[]) => parts.reduce((sum, p) => sum + sumSince(p, from), 0);
    result.set(w.service, {
      ok: true,
      value: {
        requests: total(requestParts),
        errors5xx: total(errorParts),
        elb5xx: sumSince(elbPart, from),
        windowStart: w.start,
        windowEnd: end,
      },
    });
  });
  return result;
}

/**
 * TargetResponseTime p95 and p99 per service, in a request apart from the counts: a failure here
 * (moto answers 500 to percentiles) degrades only the latency check. Per-minute percentiles are
 * combined as a mean weighted by each minute's sample count. Never throws.
 */
export async function fetchLatency(
  cw: CloudWatchClient,
  windows: readonly MetricWindow[],
  end: Date,
): Promise<Map<string, Outcome<LatencyStats>>> {
  const queries: MetricDataQuery[] = [];
  windows.forEach((w, i) =>
    groupsOf(w).forEach((group) => {
      queries.push(stat(`p${i}${group.suffix}`, "TargetResponseTime", "p95", targetDims(w, group.targetGroup)));
      queries.push(stat(`q${i}${group.suffix}`, "TargetResponseTime", "p99", targetDims(w, group.targetGroup)));
      queries.push(stat(`n${i}${group.suffix}`, "TargetResponseTime", "SampleCount", targetDims(w, group.targetGroup)));
    }),
  );
  const result = new Map<string, Outcome<LatencyStats>>();
  let series: Map<string, Series>;
  try {
    series = await getMetricData(cw, queries, windows, end, "CloudWatch GetMetricData (percentiles)");
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    for (const w of windows) result.set(w.service, { ok: false, reason });
    return result;
  }
  windows.forEach((w, i) => {
    const from = floorMinute(w.start).getTime();
    const groups = groupsOf(w).map((g) => ({
      p95: series.get(`p${i}${g.suffix}`),
      p99: series.get(`q${i}${g.suffix}`),
      samples: series.get(`n${i}${g.suffix}`),
    }));
    const problem = groups.flatMap((g) => [g.p95, g.p99, g.samples]).find((p) => p?.problem)?.problem;
    if (problem) {
      result.set(w.service, { ok: false, reason: problem });
      return;
    }
    const weighted = (pick: "p95" | "p99") =>
      groups.map((g) => ({ series: g[pick], weights: new Map((g.samples?.points ?? []).map((p) => [p.at, p.value])) }));
    const p95 = weightedMean(weighted("p95"), from);
    const p99 = weightedMean(weighted("p99"), from);
    const minutes = new Set(groups.flatMap((g) => (g.p95?.points ?? []).filter((p) => p.at >= from).map((p) => p.at))).size;
    result.set(w.service, {
      ok: true,
      value: { p95Ms: p95 === undefined ? undefined : p95 * 1000, p99Ms: p99 === undefined ? undefined : p99 * 1000, minutes },
    });
  });
  return result;
}

async function getMetricData(
  cw: CloudWatchClient,
  queries: MetricDataQuery[],
  windows: readonly MetricWindow[],
  end: Date,
  operation: string,
): Promise<Map<string, Series>> {
  const series = new Map<string, Series>();
  if (queries.length === 0) return series;
  const startTime = floorMinute(new Date(Math.min(...windows.map((w) => w.start.getTime()))));
  // The minute in progress is included: the end is the start of the next minute.
  const endTime = new Date(Math.max(floorMinute(end).getTime(), startTime.getTime()) + PERIOD * 1000);
  for (const batch of chunk(queries, GET_METRIC_DATA_BATCH)) {
    let nextToken: string | undefined;
    do {
      const response = await awsCall(operation, () =>
        cw.send(
          new GetMetricDataCommand({
            MetricDataQueries: batch,
            StartTime: startTime,
            EndTime: endTime,
            ScanBy: "TimestampAscending",
            NextToken: nextToken,
          }),
        ),
      );
      for (const r of response.MetricDataResults ?? []) merge(series, r, operation);
      nextToken = response.NextToken;
    } while (nextToken);
  }
  return series;
}

function merge(series: Map<string, Series>, r: MetricDataResult, operation: string): void {
  if (!r.Id) return;
  const entry = series.get(r.Id) ?? { points: [] };
  const timestamps = r.Timestamps ?? [];
  (r.Values ?? []).forEach((value, k) => {
    const at = timestamps[k];
    if (at) entry.points.push({ at: at.getTime(), value });
  });
  if (r.StatusCode === "InternalError" || r.StatusCode === "Forbidden") {
    const detail = (r.Messages ?? [])
      .map((m) => m.Value)
      .filter(Boolean)
      .join("; ");
    entry.problem = `${operation} returned ${r.StatusCode} for ${r.Label ?? r.Id}${detail ? `: ${detail}` : ""}`;
  }
  series.set(r.Id, entry);
}

function stat(id: string, metricName: string, statistic: string, dimensions: { Name: string; Value: string }[]): MetricDataQuery {
  return {
    Id: id,
    ReturnData: true,
    MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: metricName, Dimensions: dimensions }, Period: PERIOD, Stat: statistic },
  };
}

function targetDims(w: MetricWindow, targetGroup: string) {
  return [
    { Name: "LoadBalancer", Value: w.loadBalancer },
    { Name: "TargetGroup", Value: targetGroup },
  ];
}

/** The window's target groups and the suffix of their query ids (`r0`, then `r0_alt`). */
function groupsOf(w: MetricWindow): { targetGroup: string; suffix: string }[] {
  const alternate =
    w.alternateTargetGroup && w.alternateTargetGroup !== w.targetGroup ? [{ targetGroup: w.alternateTargetGroup, suffix: "_alt" }] : [];
  return [{ targetGroup: w.targetGroup, suffix: "" }, ...alternate];
}

function sumSince(series: Series | undefined, from: number): number {
  return (series?.points ?? []).filter((p) => p.at >= from).reduce((total, p) => total + p.value, 0);
}

/** Per-minute percentiles of one or more target groups, each minute weighted by its group's sample count. */
function weightedMean(parts: readonly { series: Series | undefined; weights: Map<number, number> }[], from: number): number | undefined {
  let total = 0;
  let weight = 0;
  let points = 0;
  for (const part of parts) {
    for (const p of (part.series?.points ?? []).filter((point) => point.at >= from)) {
      const w = part.weights.get(p.at) ?? 1;
      total += p.value * w;
      weight += w;
      points++;
    }
  }
  return points > 0 && weight > 0 ? total / weight : undefined;
}

export function floorMinute(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 60_000) * 60_000);
}
