import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram, main } from "../../validators/cli/main";
import { captureIO } from "../support/io";

/** The flags `deployctl <args>` hands its command's action (the action itself is replaced: nothing runs). */
function parsedFlags(args: string[]): Record<string, unknown> {
  const program = buildProgram(captureIO(), () => undefined);
  const path = args[0] === "pipeline" ? ["pipeline", args[1]] : [args[0]];
  let cmd: Command = program;
  for (const name of path) cmd = cmd.commands.find((c) => c.name() === name) ?? expect.fail(`no command ${name}`);
  let seen: Record<string, unknown> | undefined;
  cmd.action((flags: Record<string, unknown>) => {
    seen = flags;
  });
  program.parse(["node", "deployctl", ...args]);
  return seen ?? expect.fail("the action did not run");
}

/** Per command family: [command words, flag, duration with a unit, the old bare form, the value the code receives]. */
const FAMILIES: [string[], string, string, string, number][] = [
  [["validate"], "--wait", "5m", "300", 300],
  [["validate"], "--watch", "2m", "120", 120],
  [["validate"], "--window", "15m", "900", 900],
  [["validate"], "--rollback-wait", "10m", "600", 600],
  [["validate"], "--lock-timeout", "1m", "60", 60],
  [["validate"], "--timeout", "2s", "2000", 2000],
  [["validate"], "--deadline", "45m", "2700", 2_700_000],
  [["gate"], "--timeout", "2s", "2000", 2000],
  [["gate"], "--deadline", "5m", "300", 300_000],
  [["deploy"], "--wait", "5m", "300", 300],
  [["deploy"], "--lock-timeout", "2m", "120", 120],
  [["deploy"], "--alert-window", "1h", "3600", 3600],
  [["deploy"], "--timeout", "500ms", "500", 500],
  [["deploy"], "--pulumi-timeout", "3m", "180", 180_000],
  [["rollback"], "--wait", "5m", "300", 300],
  [["rollback"], "--lock-timeout", "30s", "30", 30],
  [["rollback"], "--alert-window", "2h", "7200", 7200],
  [["history"], "--timeout", "2s", "2000", 2000],
  [["promote"], "--max-age", "7d", "7", 7],
  [["promote"], "--min-age", "2h", "7200", 7200],
  [["promote"], "--lock-timeout", "1m", "60", 60],
  [["promote"], "--timeout", "2s", "2000", 2000],
  [["pipeline", "status"], "--timeout", "2s", "2000", 2000],
];

const camel = (flag: string) => flag.slice(2).replace(/-(.)/g, (_, c: string) => c.toUpperCase());

describe("every time flag takes a duration with a unit, and a bare number keeps its old unit", () => {
  it.each(FAMILIES)("%j %s %s reaches the command as %s did (%d)", (words, flag, withUnit, bare, value) => {
    const a = parsedFlags([...words, flag, withUnit])[camel(flag)];
    const b = parsedFlags([...words, flag, bare])[camel(flag)];

    expect([a, b]).toEqual([value, value]);
  });

  it("keeps the defaults in the units the code has always received", () => {
    const validate = parsedFlags(["validate"]);
    const deploy = parsedFlags(["deploy"]);
    const promote = parsedFlags(["promote"]);
    const pipeline = parsedFlags(["pipeline", "status"]);

    expect([validate.wait, validate.watch, validate.rollbackWait, validate.lockTimeout, validate.timeout, validate.deadline]).toEqual([
      0, 30, 300, 0, 10_000, 1_800_000,
    ]);
    expect([deploy.wait, deploy.alertWindow, deploy.lockTimeout]).toEqual([600, 1800, 0]);
    expect([promote.maxAge, promote.minAge, promote.timeout]).toEqual([7, undefined, 10_000]);
    expect(pipeline.timeout).toBe(10_000);
  });
});

describe("a bad duration exits 2 naming the flag, the value and what is allowed", () => {
  it.each([
    [
      ["validate", "--wait", "5x"],
      "--wait <duration>",
      '--wait is "5x"; expected a duration such as 90s, 5m or 1h (a bare number is seconds), from 0s to 1h.',
    ],
    [
      ["gate", "--timeout", "10m"],
      "--timeout <duration>",
      '--timeout is "10m"; expected a duration such as 500ms, 10s or 1m (a bare number is milliseconds), from 1ms to 5m.',
    ],
    [
      ["deploy", "--wait", "2h"],
      "--wait <duration>",
      '--wait is "2h"; expected a duration such as 90s, 5m or 1h (a bare number is seconds), from 0s to 1h.',
    ],
    [
      ["rollback", "--lock-timeout", "1500ms"],
      "--lock-timeout <duration>",
      '--lock-timeout is "1500ms"; expected a duration such as 90s, 5m or 1h (a bare number is seconds), from 0s to 1h, in whole seconds.',
    ],
    [
      ["history", "--timeout", "soon"],
      "--timeout <duration>",
      '--timeout is "soon"; expected a duration such as 500ms, 10s or 1m (a bare number is milliseconds), from 1ms to 5m.',
    ],
    [
      ["promote", "--max-age", "36h"],
      "--max-age <duration>",
      '--max-age is "36h"; expected a duration such as 7d, 48h or 30d (a bare number is days), from 1d to 365d, in whole days.',
    ],
    [
      ["promote", "--min-age", "a day"],
      "--min-age <duration>",
      '--min-age is "a day"; expected a duration such as 0s, 30m, 24h or 1h30m (a bare number is seconds), from 0s to 30d.',
    ],
    [
      ["pipeline", "status", "--timeout", "0"],
      "--timeout <duration>",
      '--timeout is "0"; expected a duration such as 500ms, 10s or 1m (a bare number is milliseconds), from 1ms to 5m.',
    ],
  ])("%j", async (args, option, message) => {
    const io = captureIO();

    const code = await main(["node", "deployctl", ...args], io);

    expect(code).toBe(2);
    expect(io.err().split("\n")[0]).toBe(`deployctl: option '${option}' argument '${args.at(-1)}' is invalid. ${message}`);
    expect(io.out()).toBe("");
  });
});

describe("--help shows each time flag as a duration with its unit", () => {
  it.each([
    [
      ["validate"],
      ["--wait <duration>", "--watch <duration>", "--window <duration>", "--rollback-wait <duration>", "--timeout <duration>"],
    ],
    [["deploy"], ["--wait <duration>", "--lock-timeout <duration>", "--alert-window <duration>"]],
    [["promote"], ["--max-age <duration>", "--min-age <duration>", "--lock-timeout <duration>", "--timeout <duration>"]],
    [["pipeline", "status"], ["--timeout <duration>"]],
  ])("%j", async (words, flags) => {
    const io = captureIO();

    expect(await main(["node", "deployctl", ...words, "--help"], io)).toBe(0);

    for (const flag of flags) expect(io.out()).toContain(flag);
    expect(io.out()).not.toMatch(/<seconds>|<ms>|<days>/);
    expect(io.out()).toContain("a bare number is");
  });
});

describe("no time flag is left on the old grammar", () => {
  it("every option of every command named like a time takes <duration>", () => {
    const program = buildProgram(captureIO(), () => undefined);
    const timeFlags: string[] = [];
    const walk = (cmd: Command, path: string[]) => {
      for (const option of cmd.options) {
        if (/timeout|wait|watch|window|age|deadline/.test(option.long ?? "")) timeFlags.push(`${path.join(" ")} ${option.flags}`);
      }
      for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
    };
    walk(program, []);

    expect(timeFlags.filter((f) => !f.endsWith(" <duration>"))).toEqual([]);
    expect(timeFlags.length).toBe(32);
  });
});
