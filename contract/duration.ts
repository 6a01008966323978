/**
 * Durations as people write them in config and flags: one or more `<number><unit>` with units
 * ms, s, m, h, d (`500ms`, `90s`, `30m`, `24h`, `1h30m`, `7d`, `0s`), or, where a flag allows it,
 * a bare whole number in that flag's unit. The one parser of every deployctl time flag and of the
 * program's duration config (`delivery:promotion.minAge`).
 */
export const DURATION_UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration unit: milliseconds, seconds, minutes, hours, days. */
export type DurationUnit = keyof typeof DURATION_UNITS;

const UNIT_NAMES: Record<DurationUnit, string> = { ms: "milliseconds", s: "seconds", m: "minutes", h: "hours", d: "days" };
const WITH_UNITS = /^(?:\d+(?:ms|s|m|h|d))+$/;

/**
 * Milliseconds in `text` (`500ms`, `90s`, `1h30m`), or a bare whole number in `bareUnit` (without
 * one a unit is required); undefined when it is not a duration or too large to count exactly.
 */
export function parseDuration(text: string, bareUnit?: DurationUnit): number | undefined {
  const value = text.trim();
  let ms: number;
  if (/^\d+$/.test(value)) {
    if (bareUnit === undefined) return undefined;
    ms = Number(value) * DURATION_UNITS[bareUnit];
  } else {
    if (!WITH_UNITS.test(value)) return undefined;
    ms = 0;
    for (const [, n, unit] of value.matchAll(/(\d+)(ms|s|m|h|d)/g)) ms += Number(n) * DURATION_UNITS[unit as DurationUnit];
  }
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** What one time flag (or config key) accepts. */
export interface DurationRule {
  /** The unit of a bare number. @default none: a unit is required */
  bareUnit?: DurationUnit;
  /** The unit of the value the code receives, and its resolution (`1500ms` is refused for seconds). @default "ms" */
  unit?: DurationUnit;
  /** Milliseconds. @default 0 */
  min?: number;
  /** Milliseconds. @default 7d */
  max?: number;
  /** For the message. @default per bare unit, e.g. "90s, 5m or 1h" */
  examples?: string;
}

const EXAMPLES: Record<DurationUnit, string> = {
  ms: "500ms, 10s or 1m",
  s: "90s, 5m or 1h",
  m: "30m, 2h or 1d",
  h: "6h, 1d or 36h",
  d: "7d, 48h or 30d",
};

/**
 * `text` as a number of `rule.unit` (a whole one), or the message naming `name`, the value and
 * what is allowed: `--wait is "5x"; expected a duration such as 90s, 5m or 1h (a bare number is
 * seconds), from 0s to 1h.`
 */
export function readDuration(name: string, text: string, rule: DurationRule): { value: number } | { error: string } {
  const unit = rule.unit ?? "ms";
  const min = rule.min ?? 0;
  const max = rule.max ?? 7 * DURATION_UNITS.d;
  const ms = parseDuration(text, rule.bareUnit);
  const whole = ms !== undefined && ms % DURATION_UNITS[unit] === 0;
  if (ms !== undefined && whole && ms >= min && ms <= max) return { value: ms / DURATION_UNITS[unit] };
  const shown = text.length > 40 ? `${text.slice(0, 39)}…` : text;
  const bare = rule.bareUnit ? `a bare number is ${UNIT_NAMES[rule.bareUnit]}` : "a unit is required";
  return {
    error:
      `${name} is ${JSON.stringify(shown)}; expected a duration such as ${rule.examples ?? EXAMPLES[rule.bareUnit ?? "s"]} (${bare}), ` +
      `from ${formatDuration(min)} to ${formatDuration(max)}${ms !== undefined && !whole ? `, in whole ${UNIT_NAMES[unit]}` : ""}.`,
  };
}

/** `5400000` -> `1h30m`, `90000` -> `1m30s`, `1500` -> `1s500ms`, `0` -> `0s`: for messages and help. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const unit of ["d", "h", "m", "s", "ms"] as const) {
    const n = Math.floor(rest / DURATION_UNITS[unit]);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * DURATION_UNITS[unit];
  }
  return parts.join("");
}

/** A number of seconds (rounded to whole ones) as `formatDuration` writes it: `86400` -> `1d`. */
export function formatSeconds(seconds: number): string {
  return formatDuration(Math.round(seconds) * 1000);
}

/** The stabilisation window before a promotion when `delivery:promotion.minAge` does not say: 24h into prod, 0 elsewhere. */
export function defaultPromotionMinAgeSeconds(targetTier: string): number {
  return targetTier === "prod" ? 86_400 : 0;
}
