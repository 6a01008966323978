/**
 * Shared builders and doubles for the release tests (records, lock, alerts, rollback, deploy):
 * a manifest, reports and checks, run records, a clock, and a PulumiStacks double that records
 * every call.
 */
import type { Alert, ResolveNotice } from "../../validators/alerts";
import type { LastGoodRelease, ReleaseRegistry, ReleaseVersion } from "../../validators/release";
import type { ActionRecord } from "../../contract/report";
import type { EcsManifest, EcsManifestService } from "../../contract/manifest";
import type { ConfigEdit, PulumiStacks, UpResult } from "../../validators/providers/pulumi/stacks";
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from "../../validators/records";
import type { CheckName, CheckResult, CheckStatus, ServiceReport, ValidationReport, Verdict } from "../../contract/report";
import { overallVerdict, serviceVerdict } from "../../contract/report";

export function service(name: string, overrides: Partial<EcsManifestService> = {}): EcsManifestService {
  return {
    name,
    ecsService: `staging-${name}`,
    imageTag: "sha-new0000",
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-${name}:2`,
    targetGroup: `targetgroup/staging-${name}/0123456789abcdef`,
    loadBalancer: "app/staging/0123456789abcdef",
    logGroup: `/ecs/staging/${name}`,
    url: "http://staging.example.test",
    healthPath: "/health",
    smokePaths: [],
    dependsOn: [],
    ...overrides,
  };
}

export function manifest(services: EcsManifestService[] = [service("api")], overrides: Partial<EcsManifest> = {}): EcsManifest {
  return {
    schemaVersion: 1,
    project: "delivery",
    stack: "staging",
    region: "eu-west-1",
    cluster: "staging",
    dashboardUrl: "https://console.aws.amazon.com/cloudwatch/home#dashboards:name=staging",
    alerts: {
      warningTopicArn: "arn:aws:sns:eu-west-1:123456789012:staging-warning",
      criticalTopicArn: "arn:aws:sns:eu-west-1:123456789012:staging-critical",
    },
    thresholds: {
      errorRateWarningPercent: 1,
      errorRateCriticalPercent: 5,
      minRequests: 50,
      p95LatencyMs: 500,
      p99LatencyMs: 1000,
      windowSeconds: 300,
    },
    services,
    ...overrides,
  };
}

export function check(
  name: CheckName,
  status: CheckStatus,
  observed: Record<string, unknown> = {},
  threshold: Record<string, unknown> = {},
): CheckResult {
  return { name, status, message: `${name} is ${status}`, observed, threshold };
}

export function serviceReport(name: string, checks: CheckResult[]): ServiceReport {
  return { name, verdict: serviceVerdict(checks), checks };
}

/** A report whose services have the given verdicts (a failing service fails its errorRate check). */
export function report(verdicts: Record<string, Verdict>, stack = "staging"): ValidationReport {
  const services = Object.entries(verdicts).map(([name, verdict]) =>
    serviceReport(name, [
      check("rollout", "pass", { rolloutState: "COMPLETED" }),
      verdict === "fail"
        ? check("errorRate", "fail", { errorRatePercent: 12.5, requests: 400 }, { criticalPercent: 5 })
        : verdict === "inconclusive"
          ? check("errorRate", "inconclusive", { requests: 3 }, { minRequests: 50 })
          : check("errorRate", "pass", { errorRatePercent: 0.1, requests: 400 }, { criticalPercent: 5 }),
    ]),
  );
  return {
    schemaVersion: 1,
    stack,
    verdict: overallVerdict(services),
    startedAt: "2024-05-01T10:00:00.000Z",
    finishedAt: "2024-05-01T10:05:00.000Z",
    services,
    actions: [],
  };
}

export function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: "20240501T100000Z-00000001",
    command: "deploy",
    who: "dev@laptop",
    stack: "staging",
    startedAt: "2024-05-01T10:00:00.000Z",
    finishedAt: "2024-05-01T10:06:00.000Z",
    services: [{ name: "api", tagBefore: "sha-old0000", tagAfter: "sha-new0000" }],
    validations: [],
    verdict: "pass",
    outcome: "released",
    actions: [],
    exitCode: 0,
    ...overrides,
  };
}

/** A clock that starts at `start` and moves only when told (or by `step` ms per reading). */
export function clock(start = "2024-05-01T10:00:00.000Z", step = 0) {
  let t = Date.parse(start);
  return {
    now: () => {
      const d = new Date(t);
      t += step;
      return d;
    },
    advance: (ms: number) => {
      t += ms;
    },
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

export type StacksCall =
  | { op: "getConfig"; stack: string; path: string }
  | { op: "setConfig"; stack: string; values: ConfigEdit[] }
  | { op: "up"; stack: string; message?: string }
  | { op: "getOutput"; stack: string; name: string };

/**
 * A PulumiStacks double: config lives in memory (`delivery:services` as a list of {name, image}),
 * `up` answers from a queue (default succeeded), and every call is recorded in order.
 */
export class FakeStacks implements PulumiStacks {
  readonly calls: StacksCall[] = [];
  upResults: UpResult["result"][] = [];
  upOutput: string[] = ["Updating (staging)", "Resources: 2 updated"];
  outputs: Record<string, unknown> = {};

  constructor(public services: { name: string; image: { repository: string; tag: string } }[]) {}

  static withTags(tags: Record<string, string>): FakeStacks {
    return new FakeStacks(Object.entries(tags).map(([name, tag]) => ({ name, image: { repository: `delivery/${name}`, tag } })));
  }

  /** The calls that change something (setConfig and up), for exact assertions. */
  changes(): StacksCall[] {
    return this.calls.filter((c) => c.op === "setConfig" || c.op === "up");
  }

  async getOutput(stack: string, name: string): Promise<unknown> {
    this.calls.push({ op: "getOutput", stack, name });
    return this.outputs[name];
  }

  async getConfig(stack: string, path: string): Promise<string | undefined> {
    this.calls.push({ op: "getConfig", stack, path });
    return path === "delivery:services" ? JSON.stringify(this.services) : undefined;
  }

  async setConfig(stack: string, values: readonly ConfigEdit[]): Promise<void> {
    this.calls.push({ op: "setConfig", stack, values: [...values] });
    for (const edit of values) {
      const match = /^delivery:services\[(\d+)\]\.image\.tag$/.exec(edit.path);
      if (!match) throw new Error(`FakeStacks: unexpected config path ${edit.path}`);
      const entry = this.services[Number(match[1])];
      if (!entry) throw new Error(`FakeStacks: no service at index ${match[1]}`);
      entry.image.tag = edit.value;
    }
  }

  async up(stack: string, options?: { onOutput?: (line: string) => void; message?: string }): Promise<UpResult> {
    this.calls.push({ op: "up", stack, message: options?.message });
    for (const line of this.upOutput) options?.onOutput?.(`${line}\n`);
    const result = this.upResults.shift() ?? "succeeded";
    return { result, changes: result === "succeeded" ? { update: 2 } : {} };
  }
}

/** An in-memory release registry with versions, like SSM's. */
export class MemoryRegistry implements ReleaseRegistry {
  readonly versions = new Map<string, LastGoodRelease[]>();
  failPut = false;

  static with(releases: LastGoodRelease[]): MemoryRegistry {
    const registry = new MemoryRegistry();
    for (const r of releases)
      registry.versions.set(`${r.stack}/${r.service}`, [...(registry.versions.get(`${r.stack}/${r.service}`) ?? []), r]);
    return registry;
  }

  async get(stack: string, service: string): Promise<LastGoodRelease | undefined> {
    return this.versions.get(`${stack}/${service}`)?.at(-1);
  }

  async put(release: LastGoodRelease): Promise<number> {
    if (this.failPut) throw new Error("cannot write SSM parameter: AccessDenied");
    const key = `${release.stack}/${release.service}`;
    const list = [...(this.versions.get(key) ?? []), release];
    this.versions.set(key, list);
    return list.length;
  }

  async history(stack: string, service: string): Promise<ReleaseVersion[]> {
    return (this.versions.get(`${stack}/${service}`) ?? []).map((release, i) => ({ version: i + 1, release })).reverse();
  }
}

export function lastGood(service: string, tag: string, revision = 1): LastGoodRelease {
  return {
    stack: "staging",
    service,
    imageTag: tag,
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/staging-${service}:${revision}`,
    validatedAt: "2024-04-30T09:00:00.000Z",
    runId: `run-${service}-${tag}`,
  };
}

/** Captures alerts and resolves instead of sending them. */
export class RecordingAlerts {
  readonly sent: Alert[] = [];
  readonly resolved: ResolveNotice[] = [];

  async notify(alerts: readonly Alert[]): Promise<ActionRecord[]> {
    this.sent.push(...alerts);
    return alerts.map((a) => ({ kind: "alert", target: "test", status: "ok" as const, message: `${a.severity} ${a.service}`, at: "t" }));
  }

  async recovered(notices: readonly ResolveNotice[]): Promise<ActionRecord[]> {
    this.resolved.push(...notices);
    return [];
  }
}
