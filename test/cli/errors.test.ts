import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../validators/cli/main";
import { captureIO } from "../support/io";

const ROOT = join(__dirname, "..", "..");

async function deployctl(args: string[], cwd?: string) {
  const io = captureIO({}, cwd);
  const code = await main(["node", "deployctl", ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe("every error deployctl prints starts with `deployctl:`", () => {
  it.each([
    [["bogus"], "deployctl: unknown command 'bogus'\n(run with --help for usage)\n"],
    [
      ["history", "--limit", "0"],
      "deployctl: option '--limit <n>' argument '0' is invalid. --limit is \"0\"; it must be a whole number, at least 1.\n(run with --help for usage)\n",
    ],
    [
      ["config", "set-tag", "--service", "api", "--tag", "x"],
      "deployctl: required option '-s, --stack <name>' not specified\n(run with --help for usage)\n",
    ],
    [["gate", "--bogus"], "deployctl: unknown option '--bogus'\n(run with --help for usage)\n"],
    [["validate", "--manifest"], "deployctl: option '--manifest <file>' argument missing\n(run with --help for usage)\n"],
  ])("%j", async (args, message) => {
    const result = await deployctl(args);

    expect([result.code, result.err]).toEqual([2, message]);
  });
});

describe("a YAML syntax error is reported once", () => {
  it("synth: one problem for one bad indent, prefixed like every other error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "yaml-once-"));
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    // A tab before aws:region: the parser also reports the nested mapping and implicit key it then
    // misreads; only the first error is the user's.
    writeFileSync(join(dir, "Pulumi.bad.yaml"), "config:\n\taws:region: us-east-1\n  delivery:x: 1\n");

    const result = await deployctl(["synth", "--dir", dir, "--stack", "bad", "--out", join(dir, "out")]);

    expect(result.code).toBe(2);
    expect(result.err).toBe(
      "deployctl: Pulumi.bad.yaml: 1 problem in the stack config:\n" +
        "  - Pulumi.bad.yaml: (YAML) is not valid YAML: Tabs are not allowed as indentation at line 2, column 1:\n\n" +
        "config:\n\taws:region: us-east-1\n^\n",
    );
  });

  it("analyze --rules: one problem for one bad indent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "yaml-once-"));
    writeFileSync(join(dir, "rules.yaml"), "categories:\n  - name: api\n  prefixes: [api/]\n  - name: web\n");

    const result = await deployctl(["analyze", "--rules", "rules.yaml"], dir);

    expect(result.code).toBe(2);
    expect(result.err.trimEnd().split("\n")).toHaveLength(1);
    expect(result.err).toMatch(/^deployctl: rules\.yaml: is not valid YAML or JSON: .+ \(line 3\)\n$/);
  });
});
