import type { LatencyPercentiles, Outcome, RequestTap, TappedRequest, TrafficCounts } from "../runtime";

/**
 * Traffic and latency from the validator's own requests (a Docker engine has no request metrics):
 * every smoke attempt and watchdog poll is recorded per service; the 5xx among them and the
 * percentiles of their times are the service's figures. No request: no figures (inconclusive).
 */
export class RequestCounts implements RequestTap {
  private readonly seen = new Map<string, TappedRequest[]>();

  record(service: string, request: TappedRequest): void {
    const list = this.seen.get(service) ?? [];
    list.push(request);
    this.seen.set(service, list);
  }

  traffic(service: string, start: Date, end: Date): Outcome<TrafficCounts> {
    const requests = this.seen.get(service) ?? [];
    if (requests.length === 0) return { ok: false, reason: noRequests(service) };
    const times = requests.map((r) => r.at.getTime());
    return {
      ok: true,
      value: {
        // An unanswered request is not a 5xx; it counts as a request (the smoke check judges it).
        requests: requests.length,
        errors5xx: requests.filter((r) => r.status !== undefined && r.status >= 500).length,
        elb5xx: 0,
        windowStart: new Date(Math.min(start.getTime(), ...times)),
        windowEnd: new Date(Math.max(end.getTime(), ...times)),
      },
    };
  }

  latency(service: string): Outcome<LatencyPercentiles> {
    const answered = (this.seen.get(service) ?? []).filter((r) => r.status !== undefined);
    if (answered.length === 0) return { ok: false, reason: noRequests(service) };
    const ms = answered.map((r) => r.ms).sort((a, b) => a - b);
    const times = answered.map((r) => r.at.getTime());
    const minutes = Math.max(1, Math.ceil((Math.max(...times) - Math.min(...times)) / 60_000));
    return { ok: true, value: { p95Ms: percentile(ms, 0.95), p99Ms: percentile(ms, 0.99), minutes } };
  }
}

function noRequests(service: string): string {
  return `the Docker engine has no request metrics and no smoke or watchdog request reached service ${service} (no url, or smoke skipped)`;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}
