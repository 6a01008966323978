import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PULUMI_CLI_INSTALL, PulumiCliMissingError, pulumiCliMissingMessage } from "../../validators/providers/pulumi/errors";
import { automationStacks } from "../../validators/providers/pulumi/stacks";
import { readStackServices } from "../../validators/rollback/stackConfig";
import { testManifest } from "../validator/support/manifest";

const ROOT = join(__dirname, "..", "..");

let dir: string;
/** A PATH with no `pulumi` at all. */
let emptyPath: string;
/** A PATH whose `pulumi` is a stand-in for the npm package's downloader on a machine without internet. */
let downloaderPath: string;
let manifestFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pulumi-missing-"));
  emptyPath = join(dir, "empty");
  downloaderPath = join(dir, "downloader");
  mkdirSync(emptyPath);
  mkdirSync(downloaderPath);
  const script = join(downloaderPath, "pulumi");
  writeFileSync(script, `#!/bin/sh\necho "Downloading pulumi v3.265.0..." >&2\necho "pulumi: fetch failed" >&2\nexit 1\n`);
  chmodSync(script, 0o755);
  manifestFile = join(dir, "deployment.json");
  writeFileSync(manifestFile, JSON.stringify(testManifest()));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `deployctl ...args` in the project with only `path` as the PATH (node itself is run by its full path). */
function deployctl(args: string[], path: string): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, [join(ROOT, "bin", "deployctl.js"), ...args], {
    cwd: ROOT,
    env: { HOME: dir, PATH: path, AWS_REGION: "eu-west-1", PULUMI_SKIP_UPDATE_CHECK: "true" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

const NOT_ON_PATH = "no `pulumi` executable on the PATH";
const DOWNLOAD_FAILED =
  "the `pulumi` first on the PATH is the npm package's downloader (node_modules/.bin/pulumi under npx and npm scripts), and it could not download Pulumi v3.265.0 (fetch failed)";
const said = (problem: string, use: "read" | "update") => `deployctl: ${pulumiCliMissingMessage(problem, use)}\n`;

describe("a command that needs the Pulumi CLI when it is not installed", () => {
  it("says what is missing and both ways out in one line, exit 4", () => {
    expect(said(NOT_ON_PATH, "read")).toBe(
      `deployctl: the Pulumi CLI is not installed: no \`pulumi\` executable on the PATH. Either install Pulumi CLI 3.150 or later (${PULUMI_CLI_INSTALL}), or pass --manifest FILE (the stack's \`pulumi stack output deployment --json\`) instead of --stack.\n`,
    );
  });

  it.each([
    ["validate --stack dev", ["validate", "--stack", "dev"], "read"],
    ["gate --stack dev", ["gate", "--stack", "dev", "--tag", "v2"], "read"],
    ["deploy --stack dev", ["deploy", "--stack", "dev", "--tag", "v2", "--yes"], "update"],
    ["rollback --stack dev", ["rollback", "--stack", "dev"], "update"],
    ["validate --stack dev --rollback", ["validate", "--stack", "dev", "--rollback"], "update"],
  ] as const)("`deployctl %s` with no pulumi on the PATH", (_, args, use) => {
    const run = deployctl([...args], emptyPath);

    expect(run).toEqual({ status: 4, stdout: "", stderr: said(NOT_ON_PATH, use) });
  });

  it.each([
    ["deploy", ["deploy", "--tag", "v2", "--yes"]],
    ["rollback", ["rollback"]],
    ["validate --rollback", ["validate", "--rollback"]],
  ] as const)("`deployctl %s --manifest FILE` says the stack update needs the CLI (not that delivery:services is not set)", (_, args) => {
    const run = deployctl([...args, "--manifest", manifestFile], emptyPath);

    expect(run).toEqual({ status: 4, stdout: "", stderr: said(NOT_ON_PATH, "update") });
  });

  it.each([
    ["validate --stack dev", ["validate", "--stack", "dev"], "read"],
    ["deploy --stack dev", ["deploy", "--stack", "dev", "--tag", "v2", "--yes"], "update"],
    ["rollback --manifest", ["rollback", "--manifest", "MANIFEST"], "update"],
  ] as const)("`deployctl %s` with the npm package's downloader first on the PATH and no internet", (_, args, use) => {
    const run = deployctl(
      args.map((a) => (a === "MANIFEST" ? manifestFile : a)),
      downloaderPath,
    );

    expect(run).toEqual({ status: 4, stdout: "", stderr: said(DOWNLOAD_FAILED, use) });
  });
});

describe("the Automation API stacks without a Pulumi CLI", () => {
  it("reading the stack config fails naming the missing CLI, never as an unset delivery:services", async () => {
    const read = readStackServices(automationStacks(ROOT, { PATH: emptyPath }), "dev");

    await expect(read).rejects.toThrow(PulumiCliMissingError);
    await expect(read).rejects.toThrow(pulumiCliMissingMessage(NOT_ON_PATH, "read"));
  });

  it("ready() says so for a stack update", async () => {
    await expect(automationStacks(ROOT, { PATH: downloaderPath }).ready?.("update")).rejects.toThrow(
      pulumiCliMissingMessage(DOWNLOAD_FAILED, "update"),
    );
  });
});
