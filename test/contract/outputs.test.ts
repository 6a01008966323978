import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import type { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { buildProgram, main, outputFormatIn } from "../../validators/cli/main";
import { outputJsonSchemas } from "../../validators/render/outputSchemas";
import { captureIO } from "../support/io";

const ROOT = join(__dirname, "..", "..");
const OUTPUTS = join(ROOT, "contract", "outputs");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "outputs-"));
  dirs.push(dir);
  return dir;
}

/** Every command that does something (not the groups `config` and `pipeline`), by its full name. */
function leafCommands(): [string, Command][] {
  const out: [string, Command][] = [];
  const walk = (cmd: Command, prefix: string) => {
    for (const sub of cmd.commands) {
      const name = `${prefix}${sub.name()}`;
      if (sub.commands.length > 0) walk(sub, `${name} `);
      else out.push([name, sub]);
    }
  };
  walk(
    buildProgram(captureIO(), () => undefined),
    "",
  );
  return out;
}

/** Validates `doc` against the published schema `file` (contract/outputs/), listing the problems. */
function schemaProblems(file: string, doc: unknown): string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T/);
  const schema = JSON.parse(readFileSync(join(OUTPUTS, file), "utf8")) as object;
  return ajv.validate(schema, doc) ? [] : (ajv.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}

async function deployctl(args: string[], cwd = tempDir()): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({}, cwd);
  const code = await main(["node", "deployctl", ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe("one grammar for every command", () => {
  // `completion` prints a shell script for the shell named, not a report: it has neither flag.
  const reportCommands = () => leafCommands().filter(([name]) => name !== "completion");

  it("every command takes -o, --output text|json|markdown (default text); completion prints a shell script", () => {
    const outputs = reportCommands().map(([name, cmd]) => {
      const option = cmd.options.find((o) => o.long === "--output");
      return [name, option?.short, option?.argChoices, option?.defaultValue];
    });

    expect(outputs).toEqual(reportCommands().map(([name]) => [name, "-o", ["text", "json", "markdown"], "text"]));
    expect(leafCommands().map(([name]) => name)).toContain("completion");
  });

  it("every command of a stack takes -s, --stack; only analyze (a git diff) and promote (--from, --to) have none", () => {
    const withoutStack = reportCommands()
      .filter(([, cmd]) => cmd.options.find((o) => o.long === "--stack")?.short !== "-s")
      .map(([name]) => name);

    expect(withoutStack).toEqual(["analyze", "promote"]);
  });

  it.each([
    [["validate", "-o", "json"], "json"],
    [["validate", "--output=json"], "json"],
    [["validate", "-ojson"], "json"],
    [["validate", "-o", "json", "--output", "text"], "text"],
    [["validate", "--", "-o", "json"], undefined],
  ])("reads the output format of %j", (args, format) => {
    expect(outputFormatIn(args)).toBe(format);
  });
});

describe("the JSON documents and their published schemas", () => {
  it("contract/outputs/ holds exactly the schemas `npm run schema` writes, current", () => {
    const schemas = outputJsonSchemas();

    expect(readdirSync(OUTPUTS).sort()).toEqual(Object.keys(schemas).sort());
    for (const [file, schema] of Object.entries(schemas)) {
      expect(JSON.parse(readFileSync(join(OUTPUTS, file), "utf8")), file).toEqual(schema);
    }
  });

  it("with --output json, bad input (exit 2) is an error document on stdout, and the message stays on stderr", async () => {
    const run = await deployctl(["validate", "--manifest", "nope.json", "-o", "json"]);

    expect(run.code).toBe(2);
    expect(JSON.parse(run.out)).toEqual({
      schemaVersion: 1,
      error: { exitCode: 2, kind: "bad-input", message: "--manifest nope.json: cannot read the file (no such file)." },
    });
    expect(schemaProblems("error.schema.json", JSON.parse(run.out))).toEqual([]);
    expect(run.err).toBe("deployctl: --manifest nope.json: cannot read the file (no such file).\n");
  });

  it("with --output json, a flag refused by the parser is an error document too", async () => {
    const run = await deployctl(["gate", "--wait-for", "x", "--output", "json"]);

    expect(run.code).toBe(2);
    expect(JSON.parse(run.out)).toEqual({
      schemaVersion: 1,
      error: { exitCode: 2, kind: "bad-input", message: "unknown option '--wait-for'" },
    });
  });

  it("without --output json, an error prints nothing on stdout", async () => {
    const run = await deployctl(["validate", "--manifest", "nope.json"]);

    expect([run.code, run.out]).toEqual([2, ""]);
  });

  it("config set-tag: JSON with schemaVersion, and markdown", async () => {
    const dir = tempDir();
    cpSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    writeFileSync(
      join(dir, "Pulumi.dev.yaml"),
      "config:\n  delivery:services:\n    - name: api\n      image:\n        repository: delivery/api\n        tag: v1\n",
    );

    const json = await deployctl(["config", "set-tag", "-s", "dev", "--service", "api", "--tag", "v2", "-o", "json"], dir);
    const markdown = await deployctl(["config", "set-tag", "-s", "dev", "--service", "api", "--tag", "v2", "-o", "markdown"], dir);

    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual({
      schemaVersion: 1,
      file: join(dir, "Pulumi.dev.yaml"),
      changes: [{ service: "api", path: "delivery:services[0].image.tag", from: "v1", to: "v2", changed: true }],
      skipped: [],
    });
    expect(schemaProblems("config-set-tag.schema.json", JSON.parse(json.out))).toEqual([]);
    expect(markdown.out).toBe(
      "### deployctl config set-tag dev\n\n```text\nPulumi.dev.yaml: delivery:services[0].image.tag (api) already v2\n```\n",
    );
  });

  it("config set-env: JSON with schemaVersion, valid against its schema, and markdown", async () => {
    const dir = tempDir();
    cpSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    cpSync(join(ROOT, "Pulumi.dev.yaml"), join(dir, "Pulumi.dev.yaml"));

    const json = await deployctl(["config", "set-env", "-s", "dev", "--service", "api", "LOG_LEVEL=warn", "--dry-run", "-o", "json"], dir);
    const markdown = await deployctl(
      ["config", "set-env", "-s", "dev", "--service", "api", "LOG_LEVEL=warn", "--dry-run", "-o", "markdown"],
      dir,
    );

    expect(json.code, json.err).toBe(0);
    const doc = JSON.parse(json.out) as {
      schemaVersion: number;
      dryRun: boolean;
      written: boolean;
      changes: { key: string; to: string }[];
    };
    expect([doc.schemaVersion, doc.dryRun, doc.written, doc.changes.map((c) => [c.key, c.to])]).toEqual([
      1,
      true,
      false,
      [["LOG_LEVEL", "warn"]],
    ]);
    expect(schemaProblems("config-set-env.schema.json", doc)).toEqual([]);
    expect(markdown.out.startsWith("### deployctl config set-env dev api\n\n```text\ndry run: ")).toBe(true);
  });

  it("synth and synth --diff print one document with schemaVersion (not a bare array)", { timeout: 120_000 }, async () => {
    const out = tempDir();

    const synth = await deployctl(["synth", "-s", "dev", "--dir", ROOT, "--out", join(out, "base"), "-o", "json"]);
    const diff = await deployctl([
      "synth",
      "-s",
      "dev",
      "--dir",
      ROOT,
      "--out",
      join(out, "head"),
      "--diff",
      join(out, "base"),
      "-o",
      "json",
    ]);

    expect(synth.code).toBe(0);
    const doc = JSON.parse(synth.out) as { schemaVersion: number; stacks: { stack: string }[] };
    expect([doc.schemaVersion, doc.stacks.map((s) => s.stack)]).toEqual([1, ["dev"]]);
    expect(schemaProblems("synth.schema.json", doc)).toEqual([]);
    expect(diff.code).toBe(0);
    const diffs = JSON.parse(diff.out) as { schemaVersion: number; diffs: { stack: string; changes: unknown[] }[] };
    expect([diffs.schemaVersion, diffs.diffs.map((d) => [d.stack, d.changes.length])]).toEqual([1, [["dev", 0]]]);
    expect(schemaProblems("synth-diff.schema.json", diffs)).toEqual([]);
  });
});
