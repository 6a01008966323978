import { formatSeconds } from "../../contract/duration";
import type { RunRecord } from "../records/types";

/** The stabilisation window a promotion applies: its length, where it comes from, and the override's reason. */
export interface StabilisationRule {
  minAgeSeconds: number;
  /** `delivery:promotion.minAge in Pulumi.prod.yaml`, `the default for prod`, or `--min-age`. */
  source: string;
  /** `--min-age ... --reason "..."`: why the window was overridden (goes into the pull-request body). */
  overrideReason?: string;
}

/**
 * Why a service's last good release in the source stack is not stable enough to promote: younger
 * than the window, or a failed or inconclusive validation of the service recorded in the source
 * stack since it became last good (records newest first). `--min-age 0s` waives both. Empty: stable.
 */
export function stabilisationProblems(input: {
  service: string;
  from: string;
  release: { imageTag: string; validatedAt: string };
  records: readonly RunRecord[];
  rule: StabilisationRule;
  now: Date;
}): string[] {
  const { service, from, release, rule } = input;
  if (rule.minAgeSeconds <= 0 && rule.overrideReason !== undefined) return [];
  const problems: string[] = [];
  const since = Date.parse(release.validatedAt);
  const ageSeconds = Math.max(0, Math.floor((input.now.getTime() - since) / 1000));
  if (ageSeconds < rule.minAgeSeconds) {
    problems.push(
      `its last good release ${release.imageTag} has been last good in ${from} for ${formatSeconds(ageSeconds)} (since ${release.validatedAt}), ` +
        `less than the stabilisation window ${formatSeconds(rule.minAgeSeconds)} (${rule.source}): ${formatSeconds(rule.minAgeSeconds - ageSeconds)} missing; ` +
        `promote later, or override with --min-age 0s --reason "..."`,
    );
  }
  for (const record of input.records) {
    if (Date.parse(record.startedAt) < since) continue;
    const bad = record.validations
      .filter((v) => Date.parse(v.finishedAt) > since)
      .flatMap((v) => v.services.filter((s) => s.name === service && (s.verdict === "fail" || s.verdict === "inconclusive")));
    const last = bad.at(-1);
    if (!last) continue;
    problems.push(
      `${last.verdict === "fail" ? "a failed" : "an inconclusive"} validation of it is recorded in ${from} since it became last good: run ${record.runId} (${record.command} by ${record.who} at ${record.startedAt}); validate it again in ${from} until it passes`,
    );
  }
  return problems;
}
