import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Command } from "commander";
import { buildProgram, main } from "../../validators/cli/main";
import { captureIO } from "../support/io";

async function completion(shell: string) {
  const io = captureIO();
  const code = await main(["node", "deployctl", "completion", shell], io);
  return { code, out: io.out(), err: io.err() };
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.filter((c) => c.name() !== "help").flatMap((c) => [c, ...allCommands(c)]);
}

/** What bash completes after `words` (the last one being typed), sourcing the script. */
function bashComplete(script: string, words: string[]): string[] {
  const file = join(mkdtempSync(join(tmpdir(), "completion-")), "deployctl.bash");
  writeFileSync(file, script);
  const line = ["deployctl", ...words].map((w) => `'${w}'`).join(" ");
  const run = spawnSync(
    "bash",
    ["-c", `source ${file}; COMP_WORDS=(${line}); COMP_CWORD=${words.length}; _deployctl; printf '%s\\n' "\${COMPREPLY[@]}"`],
    { encoding: "utf8" },
  );
  expect(run.stderr).toBe("");
  return run.stdout.split("\n").filter(Boolean);
}

describe("deployctl completion", () => {
  it("bash: names every command and subcommand, and bash -n accepts the script", async () => {
    const { code, out } = await completion("bash");

    expect(code).toBe(0);
    const names = allCommands(buildProgram(captureIO(), () => undefined)).map((c) => c.name());
    expect(names).toContain("set-tag");
    for (const name of names) expect(out).toMatch(new RegExp(`\\b${name}\\b`));
    const file = join(mkdtempSync(join(tmpdir(), "completion-")), "deployctl.bash");
    writeFileSync(file, out);
    const check = spawnSync("bash", ["-n", file], { encoding: "utf8" });
    expect([check.status, check.stderr]).toEqual([0, ""]);
  });

  it("bash: completes commands, subcommands, a command's flags after a flag's value, and the shells", async () => {
    const { out } = await completion("bash");

    expect(bashComplete(out, ["pro"])).toEqual(["promote"]);
    expect(bashComplete(out, ["config", ""])).toEqual(["set-tag", "set-env", "--help"]);
    expect(bashComplete(out, ["config", "set-tag", "--stack", "dev", "--ta"])).toEqual(["--tag", "--tags"]);
    expect(bashComplete(out, ["history", "--li"])).toEqual(["--limit"]);
    expect(bashComplete(out, ["completion", ""])).toEqual(["bash", "zsh", "fish", "--help"]);
  });

  it("zsh: the bash completion through bashcompinit", async () => {
    const { code, out } = await completion("zsh");

    expect(code).toBe(0);
    expect(out.split("\n").slice(0, 3)).toEqual([
      "#compdef deployctl",
      "# deployctl completion for zsh. Load it with: source <(deployctl completion zsh)",
      "autoload -U +X bashcompinit && bashcompinit",
    ]);
    expect(out).toContain("complete -F _deployctl deployctl\n");
  });

  it("fish: one complete line per command and flag, with its description", async () => {
    const { code, out } = await completion("fish");

    expect(code).toBe(0);
    expect(out).toContain(
      "complete -c deployctl -n '__fish_use_subcommand' -a history -d 'List last good releases and runs of a stack, newest first, with why each rollback happened.'\n",
    );
    expect(out).toContain(
      "complete -c deployctl -n '__fish_seen_subcommand_from config; and not __fish_seen_subcommand_from set-tag set-env' -a set-tag",
    );
    expect(out).toContain(
      "complete -c deployctl -n '__fish_seen_subcommand_from config; and __fish_seen_subcommand_from set-tag' -l tags -d",
    );
    expect(out).toContain("complete -c deployctl -n '__fish_seen_subcommand_from completion' -a fish\n");
  });

  it("refuses another shell with exit 2, naming the ones it knows", async () => {
    const { code, err } = await completion("powershell");

    expect(code).toBe(2);
    expect(err).toBe(
      "deployctl: command-argument value 'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.\n(run with --help for usage)\n",
    );
  });
});
