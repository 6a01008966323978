import { describe, expect, it } from "vitest";
import { type DurationRule, formatDuration, formatSeconds, parseDuration, readDuration } from "../../contract/duration";

describe("parseDuration: the one duration grammar (milliseconds out)", () => {
  it.each([
    ["500ms", undefined, 500],
    ["10s", undefined, 10_000],
    ["5m", undefined, 300_000],
    ["2h", undefined, 7_200_000],
    ["1d", undefined, 86_400_000],
    ["1h30m", undefined, 5_400_000],
    ["1s500ms", undefined, 1_500],
    ["0s", undefined, 0],
    [" 90s ", undefined, 90_000],
    ["250", "ms", 250],
    ["45", "s", 45_000],
    ["7", "d", 604_800_000],
  ] as const)("reads %j (bare unit %s) as %d ms", (text, bareUnit, ms) => {
    expect(parseDuration(text, bareUnit)).toBe(ms);
  });

  it.each([
    ["45", undefined],
    ["", "s"],
    ["1.5m", "s"],
    ["-3s", "s"],
    ["5x", "s"],
    ["m5", "s"],
    ["5 m", "s"],
    ["99999999999999999h", "s"],
  ] as const)("refuses %j (bare unit %s)", (text, bareUnit) => {
    expect(parseDuration(text, bareUnit)).toBeUndefined();
  });
});

describe("readDuration: a flag's bounds, unit and message", () => {
  const wait: DurationRule = { bareUnit: "s", unit: "s", min: 0, max: 3_600_000 };
  const timeout: DurationRule = { bareUnit: "ms", unit: "ms", min: 1, max: 300_000 };
  const maxAge: DurationRule = { bareUnit: "d", unit: "d", min: 86_400_000, max: 365 * 86_400_000 };
  const deadline: DurationRule = { bareUnit: "s", unit: "ms", min: 1000, max: 86_400_000 };

  it.each([
    ["--wait", "5m", wait, 300],
    ["--wait", "300", wait, 300],
    ["--wait", "1h", wait, 3600],
    ["--wait", "0", wait, 0],
    ["--timeout", "2s", timeout, 2000],
    ["--timeout", "2000", timeout, 2000],
    ["--timeout", "5m", timeout, 300_000],
    ["--max-age", "7d", maxAge, 7],
    ["--max-age", "7", maxAge, 7],
    ["--max-age", "48h", maxAge, 2],
    ["--deadline", "90", deadline, 90_000],
    ["--deadline", "30m", deadline, 1_800_000],
  ] as const)("%s %s is %d in the flag's unit", (flag, text, rule, value) => {
    expect(readDuration(flag, text, rule)).toEqual({ value });
  });

  it.each([
    ["--wait", "5x", wait, '--wait is "5x"; expected a duration such as 90s, 5m or 1h (a bare number is seconds), from 0s to 1h.'],
    ["--wait", "2h", wait, '--wait is "2h"; expected a duration such as 90s, 5m or 1h (a bare number is seconds), from 0s to 1h.'],
    [
      "--wait",
      "1500ms",
      wait,
      '--wait is "1500ms"; expected a duration such as 90s, 5m or 1h (a bare number is seconds), from 0s to 1h, in whole seconds.',
    ],
    [
      "--timeout",
      "10m",
      timeout,
      '--timeout is "10m"; expected a duration such as 500ms, 10s or 1m (a bare number is milliseconds), from 1ms to 5m.',
    ],
    [
      "--timeout",
      "0",
      timeout,
      '--timeout is "0"; expected a duration such as 500ms, 10s or 1m (a bare number is milliseconds), from 1ms to 5m.',
    ],
    ["--max-age", "0", maxAge, '--max-age is "0"; expected a duration such as 7d, 48h or 30d (a bare number is days), from 1d to 365d.'],
    [
      "--max-age",
      "36h",
      maxAge,
      '--max-age is "36h"; expected a duration such as 7d, 48h or 30d (a bare number is days), from 1d to 365d, in whole days.',
    ],
    [
      "--deadline",
      "-3s",
      deadline,
      '--deadline is "-3s"; expected a duration such as 90s, 5m or 1h (a bare number is seconds), from 1s to 1d.',
    ],
    [
      "minAge",
      "24",
      { unit: "s", examples: "24h, 30m or 0s" },
      'minAge is "24"; expected a duration such as 24h, 30m or 0s (a unit is required), from 0s to 7d.',
    ],
  ] as const)("%s %j is refused naming the flag, the value and what is allowed", (flag, text, rule, error) => {
    expect(readDuration(flag, text, rule)).toEqual({ error });
  });

  it("shortens a very long value in the message", () => {
    expect(readDuration("--wait", "x".repeat(50), wait)).toEqual({
      error: `--wait is "${"x".repeat(39)}…"; expected a duration such as 90s, 5m or 1h (a bare number is seconds), from 0s to 1h.`,
    });
  });
});

describe("formatDuration", () => {
  it("writes milliseconds with their units, largest first", () => {
    expect([0, 500, 1_500, 90_000, 1_800_000, 5_400_000, 86_400_000, 93_600_000].map(formatDuration)).toEqual([
      "0s",
      "500ms",
      "1s500ms",
      "1m30s",
      "30m",
      "1h30m",
      "1d",
      "1d2h",
    ]);
  });

  it("writes seconds rounded to whole ones", () => {
    expect([formatSeconds(12_600.4), formatSeconds(86_400)]).toEqual(["3h30m", "1d"]);
  });
});
