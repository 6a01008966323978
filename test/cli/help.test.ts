import { describe, expect, it } from "vitest";
import type { Command } from "commander";
import { DEFAULT_ANALYSIS_RULES } from "../../contract/analysisRules";
import { buildProgram, main } from "../../validators/cli/main";
import { captureIO } from "../support/io";

async function help(...command: string[]): Promise<string> {
  const io = captureIO();
  const code = await main(["node", "deployctl", ...command, "--help"], io);
  expect(code).toBe(0);
  return io.out();
}

/** Every runnable command's words (`["config", "set-tag"]`), from the program itself. */
function leafCommands(): string[][] {
  const walk = (cmd: Command, path: string[]): string[][] => {
    const subs = cmd.commands.filter((c) => c.name() !== "help");
    return subs.length === 0 ? [path] : subs.flatMap((c) => walk(c, [...path, c.name()]));
  };
  return walk(
    buildProgram(captureIO(), () => undefined),
    [],
  );
}

/** The "Exit codes:" block at the end of a help text. */
const exitCodes = (text: string) => text.slice(text.lastIndexOf("Exit codes:")).trimEnd();

describe("--help says what the code does", () => {
  it("analyze: the decisions are the default rules', config only running build and deploy", async () => {
    const text = await help("analyze");

    expect(text).toContain(`
Decisions, first that applies (the default rules; a --rules file's decisions replace the last three):
  no change       no file changed, or only ignored files: the run is skipped
  shared config   root package.json, a lock file or the root Dockerfile changed: everything runs
  frontend-only   only frontend files changed: backend suites are skipped
  backend-only    only backend files changed: performance suites are skipped
  config-only     only configuration files changed: unit suites are skipped; build and deploy run
  anything else   any other mix (database or test files included): everything runs
`);
    for (const rule of DEFAULT_ANALYSIS_RULES.decisions) expect(text).toContain(`  ${rule.name.padEnd(14)}  ${rule.reason}\n`);
    expect(text).not.toContain("skip unit suites, build and deploy");
  });

  it("history lists only the exit codes it uses (no verdict, no lock)", async () => {
    expect(exitCodes(await help("history"))).toBe(`Exit codes:
  0  listed (also when a service has no release or run yet)
  2  bad input (a flag, an unknown --service, an unreadable or invalid manifest)
  4  operational error (SSM or the S3 history bucket unreachable, access denied, throttled)`);
  });

  it("gate does not list the stack lock's exit code: it takes no lock", async () => {
    expect(exitCodes(await help("gate"))).toBe(`Exit codes:
  0  pass (warnings allowed): the deploy may start
  1  fail: a check failed; do not deploy
  2  bad input (usage, unreadable or invalid manifest or config)
  3  inconclusive: the manifest lists no service to check
  4  operational error (AWS, the Pulumi CLI or an endpoint unreachable, access denied,
     throttled; a Pulumi CLI run past --pulumi-timeout; --deadline passed)`);
  });

  it("pipeline status shows its numeric defaults as numbers and takes the region from the stack file", async () => {
    const text = await help("pipeline", "status");

    expect(text).toContain("(1 to 100)\n                         (default: 1)");
    expect(text).toContain("and 5xx are retried) (default: 3)");
    expect(text).toContain("a bare number is milliseconds) (default: 10s)");
    expect(text).toContain(
      "AWS region (default: aws:region in Pulumi.<stack>.yaml,\n                         then AWS_REGION / AWS_DEFAULT_REGION)",
    );
  });

  it("config set-tag lists its exit codes in the same block as the other commands", async () => {
    expect(exitCodes(await help("config", "set-tag"))).toBe(`Exit codes:
  0  set (or already set; with --dry-run: the change is valid)
  2  bad input (unknown service, bad tag, unreadable or invalid file)
  4  the file could not be written`);
  });

  it("every command that takes --dry-run shows it in an example", async () => {
    const withOption: string[] = [];
    for (const command of leafCommands()) {
      const text = await help(...command);
      if (!/^ {2}--dry-run /m.test(text)) continue;
      withOption.push(command.join(" "));
      const examples = text.slice(text.indexOf("\nExamples:\n"));
      expect(examples, command.join(" ")).toMatch(/\n {2}deployctl [^\n]*--dry-run/);
    }
    expect(withOption).toEqual(["config set-tag", "config set-env", "validate", "gate", "deploy", "rollback", "promote"]);
  });

  it("every command documents its exit codes as a block, and no default is a quoted number", async () => {
    const commands = leafCommands();
    expect(commands.map((c) => c.join(" "))).toEqual([
      "synth",
      "analyze",
      "config set-tag",
      "config set-env",
      "pipeline status",
      "validate",
      "gate",
      "deploy",
      "rollback",
      "history",
      "promote",
      "completion",
    ]);
    for (const command of commands) {
      const text = await help(...command);
      expect(text, command.join(" ")).toMatch(/\nExit codes:\n {2}0 {2}/);
      expect(text, command.join(" ")).not.toMatch(/default: "\d+"/);
    }
  });
});
