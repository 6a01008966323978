import { describe, expect, it } from "vitest";
import { buildProgram, main } from "../../validators/cli/main";
import { retriesCount } from "../../validators/cli/options";
import { captureIO } from "../support/io";

async function deployctl(...args: string[]) {
  const io = captureIO({});
  const code = await main(["node", "deployctl", ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
}

const allowed = "it must be a whole number from 0 to 5 (new deployments of the same revision tried before a rollback).";

describe("--retries", () => {
  it.each([
    ["0", 0],
    ["2", 2],
    ["5", 5],
  ])("accepts %s", (value, expected) => {
    expect(retriesCount(value)).toBe(expected);
  });

  it.each(["6", "-1", "1.5", "two", ""])("refuses %j naming the flag, the value and what is allowed", (value) => {
    expect(() => retriesCount(value)).toThrow(`--retries is "${value}"; ${allowed}`);
  });

  it.each([
    ["validate", ["--manifest", "deployment.json", "--rollback"]],
    ["deploy", ["--manifest", "deployment.json", "--yes"]],
  ])("%s exits 2 on a bad --retries, before reading anything", async (command, rest) => {
    const { code, stderr } = await deployctl(command, ...rest, "--retries", "9");

    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe(`deployctl: option '--retries <n>' argument '9' is invalid. --retries is "9"; ${allowed}`);
  });

  it("validate refuses --retries without --rollback (exit 2): a restart is only ever made before a rollback", async () => {
    const { code, stderr } = await deployctl("validate", "--manifest", "deployment.json", "--retries", "2");

    expect(code).toBe(2);
    expect(stderr).toBe(
      "deployctl: --retries is 2 without --rollback; a restart before a rollback needs --rollback (validate alone changes nothing): add --rollback or drop --retries.\n",
    );
  });

  it.each(["validate", "deploy"])("%s defaults to 0 retries (by hand) and documents the flag in --help", async (command) => {
    const program = buildProgram(captureIO({}), () => undefined);
    const option = program.commands.find((c) => c.name() === command)?.options.find((o) => o.long === "--retries");

    const { code, stdout } = await deployctl(command, "--help");

    expect(option?.defaultValue).toBe(0);
    expect(option?.description).toContain(
      "on a failed health check (smoke or tasks), force a new deployment of the same revision and validate again, up to n times (0 to 5), before the rollback",
    );
    expect(code).toBe(0);
    expect(stdout).toContain("--retries <n>");
    expect(stdout).toContain(`deployctl ${command} --stack staging`);
    expect(stdout).toContain("--retries 2");
  });
});
