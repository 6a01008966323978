/**
 * Durations as people write them in config and flags: one or more `<number><unit>` with units
 * s, m, h, d (`90s`, `30m`, `24h`, `1h30m`, `0s`). Shared by the program's config and deployctl.
 */
const DURATION = /^(?:\d+[smhd])+$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds in a duration; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let seconds = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhd])/g)) seconds += Number(n) * (UNIT_SECONDS[unit ?? "s"] ?? 1);
  return seconds;
}

/** `86400` -> `24h`, `5400` -> `1h30m`, `0` -> `0s`: for messages. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return "0s";
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join("");
}

/** The stabilisation window before a promotion when `delivery:promotion.minAge` does not say: 24h into prod, 0 elsewhere. */
export function defaultPromotionMinAgeSeconds(targetTier: string): number {
  return targetTier === "prod" ? 86_400 : 0;
}
