import type { CheckName, CheckResult, CheckStatus } from "../../contract/report";

/** Builds a check result; `observed` and `threshold` default to empty objects. */
export function checkResult<N extends string = CheckName>(
  name: N,
  status: CheckStatus,
  message: string,
  observed: Record<string, unknown> = {},
  threshold: Record<string, unknown> = {},
): CheckResult<N> {
  return { name, status, message, observed, threshold };
}

/** A check that did not run, with the reason (`--skip`, `--no-smoke`, no url...). */
export function skippedCheck<N extends string = CheckName>(name: N, reason: string): CheckResult<N> {
  return checkResult(name, "skipped", reason);
}

/** The worst of several statuses: fail > inconclusive > warn > pass > skipped. */
export function worstStatus(statuses: readonly CheckStatus[]): CheckStatus {
  const order: CheckStatus[] = ["fail", "inconclusive", "warn", "pass", "skipped"];
  for (const status of order) if (statuses.includes(status)) return status;
  return "skipped";
}

/** Rounds to `digits` decimals for messages and `observed` values (no float noise in the report). */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** "1 task" / "3 tasks". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
