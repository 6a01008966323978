import { DEFAULT_LOG_PATTERNS, type LogPatterns } from "../checks/logs";
import { BadInputError } from "../core/errors";
import type { DeploymentManifest } from "../../contract/manifest";
import { CHECK_NAMES, type CheckName } from "../../contract/report";
import type { ValidateOptions } from "./types";

/** ValidateOptions with every default applied and every value checked. */
export interface Settings {
  manifest: DeploymentManifest;
  services: DeploymentManifest["services"][number][];
  since?: Date;
  windowSeconds: number;
  waitSeconds: number;
  watchSeconds: number;
  smoke: boolean;
  skip: ReadonlySet<CheckName>;
  confidence: number;
  compare?: "baseline";
  /** Defaults and the caller's (CLI's) patterns; `logPatternsFor` puts each service's manifest rules between them. */
  logPatterns: LogPatterns;
  /** What the caller set (the CLI's flags): it overrides each service's manifest `logs`. */
  logOverrides: Partial<LogPatterns>;
  rolloutPollSeconds: number;
  smokeAttempts: number;
  smokeAttemptIntervalSeconds: number;
  smokeSlowMs: number;
  watchIntervalSeconds: number;
  httpTimeoutMs: number;
  concurrency: number;
}

/** Applies defaults and checks values; every problem is reported at once, one per line (BadInputError). */
export function resolveSettings(options: ValidateOptions): Settings {
  const { manifest } = options;
  const problems: string[] = [];
  const tuning = options.tuning ?? {};
  const number = (name: string, value: number | undefined, fallback: number, min: number, integer = true): number => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      problems.push(`${name} is ${v}; it must be ${integer ? "a whole number" : "a number"} of at least ${min}.`);
    }
    return v;
  };
  const settings: Settings = {
    manifest,
    services: selectServices<DeploymentManifest["services"][number]>(manifest, options.services, problems),
    since: options.since,
    windowSeconds: number("windowSeconds", options.windowSeconds, manifest.thresholds.windowSeconds, 60),
    waitSeconds: number("waitSeconds", options.waitSeconds, 0, 0),
    watchSeconds: number("watchSeconds", options.watchSeconds, 30, 0),
    smoke: options.smoke ?? true,
    skip: new Set(options.skip ?? []),
    confidence: options.confidence ?? 0.99,
    compare: options.compare,
    logPatterns: { ...DEFAULT_LOG_PATTERNS, ...options.logPatterns },
    logOverrides: { ...options.logPatterns },
    rolloutPollSeconds: number("tuning.rolloutPollSeconds", tuning.rolloutPollSeconds, 10, 1),
    smokeAttempts: number("tuning.smokeAttempts", tuning.smokeAttempts, 3, 1),
    smokeAttemptIntervalSeconds: number("tuning.smokeAttemptIntervalSeconds", tuning.smokeAttemptIntervalSeconds, 10, 0, false),
    smokeSlowMs: number("tuning.smokeSlowMs", tuning.smokeSlowMs, manifest.thresholds.p99LatencyMs, 1, false),
    watchIntervalSeconds: number("tuning.watchIntervalSeconds", tuning.watchIntervalSeconds, 5, 0.001, false),
    httpTimeoutMs: number("tuning.httpTimeoutMs", tuning.httpTimeoutMs, 10_000, 1),
    concurrency: number("tuning.concurrency", tuning.concurrency, 10, 1),
  };
  if (options.since && Number.isNaN(options.since.getTime())) problems.push("since is not a valid date.");
  if (!(settings.confidence > 0 && settings.confidence < 1)) {
    problems.push(`confidence is ${settings.confidence}; it must be between 0 and 1 (exclusive), for example 0.99.`);
  }
  for (const name of settings.skip) {
    if (!(CHECK_NAMES as readonly string[]).includes(name)) {
      problems.push(`skip names an unknown check "${name}"; the checks are ${CHECK_NAMES.join(", ")}.`);
    }
  }
  if (!Number.isInteger(settings.logPatterns.maxWarnings) || settings.logPatterns.maxWarnings < 0) {
    problems.push(`logPatterns.maxWarnings is ${settings.logPatterns.maxWarnings}; it must be a whole number of at least 0.`);
  }
  if (!Number.isInteger(settings.logPatterns.tailLines) || settings.logPatterns.tailLines < 1 || settings.logPatterns.tailLines > 10_000) {
    problems.push(`logPatterns.tailLines is ${settings.logPatterns.tailLines}; it must be a whole number from 1 to 10000.`);
  }
  if (problems.length > 0) throw new BadInputError(problems.join("\n"));
  return settings;
}

/** The logs rules of one service: the defaults, then the manifest's `logs` of the service, then the caller's (CLI flags). */
export function logPatternsFor(settings: Pick<Settings, "logOverrides">, service: { logs?: Partial<LogPatterns> }): LogPatterns {
  const fromManifest: Partial<LogPatterns> = {};
  if (service.logs?.tailLines !== undefined) fromManifest.tailLines = service.logs.tailLines;
  if (service.logs?.maxWarnings !== undefined) fromManifest.maxWarnings = service.logs.maxWarnings;
  if (service.logs?.startupMarker !== undefined) fromManifest.startupMarker = service.logs.startupMarker;
  return { ...DEFAULT_LOG_PATTERNS, ...fromManifest, ...settings.logOverrides };
}

/** The manifest's services named in `wanted` (all when empty); unknown names are added to `problems`. */
export function selectServices<S extends { name: string }>(
  manifest: { stack: string; services: readonly S[] },
  wanted: readonly string[] | undefined,
  problems: string[],
): S[] {
  if (!wanted || wanted.length === 0) return [...manifest.services];
  const known = manifest.services.map((s) => s.name);
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const list = known.length > 0 ? known.join(", ") : "(none)";
    problems.push(`--service ${unknown.join(", ")}: no such service in stack ${manifest.stack}; its services are ${list}.`);
  }
  return manifest.services.filter((s) => wanted.includes(s.name));
}
