import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listStacks, readProjectName, readStackFileText, StackFileReadError, stackFileName } from "../../contract/stackFiles";
import { ConfigError, readStackFile } from "../../infra/config";
import { BadInputError } from "../../validators/core/errors";
import { readStackText } from "../../validators/stackfile";

/** The one listing and the one reader of stack files, and how each side reports a file it cannot read. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stacks-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("listStacks", () => {
  it("lists every Pulumi.<stack>.yaml: the tiers in their order, then the other stacks by name", () => {
    for (const f of [
      "Pulumi.yaml",
      "Pulumi.prod.yaml",
      "Pulumi.zeta.yaml",
      "Pulumi.dev.yaml",
      "Pulumi.alpha.yaml",
      "Pulumi.local.yaml",
      "notes.yaml",
    ]) {
      writeFileSync(join(dir, f), "config: {}\n");
    }

    expect(listStacks(dir)).toEqual(["local", "dev", "prod", "alpha", "zeta"]);
  });
});

describe("readStackFileText", () => {
  it("reads the file's text as it is", () => {
    writeFileSync(join(dir, stackFileName("dev")), "config:\n  aws:region: eu-west-1\n");

    expect(readStackFileText(join(dir, "Pulumi.dev.yaml"))).toBe("config:\n  aws:region: eu-west-1\n");
  });

  it("names the file, its folder and the system's reason when it cannot read it", () => {
    expect(() => readStackFileText(join(dir, "Pulumi.nope.yaml"))).toThrow(new StackFileReadError(join(dir, "Pulumi.nope.yaml"), "ENOENT"));
  });

  it("is what the config reader and deployctl's stack file edits both use, each with its own error", () => {
    const path = join(dir, "Pulumi.nope.yaml");

    expect(() => readStackFile(dir, "nope")).toThrow(ConfigError);
    expect(() => readStackText(path)).toThrow(
      new BadInputError(`Pulumi.nope.yaml cannot be read in ${dir} (ENOENT); pass --dir with the Pulumi project folder`),
    );
  });
});

describe("readProjectName", () => {
  it.each<[string, string | undefined, Parameters<typeof readProjectName>[1], string]>([
    ["reads the name", "name: shop\nruntime: nodejs\n", {}, "shop"],
    ["gives the fallback for a Pulumi.yaml without a name", "runtime: nodejs\n", { fallback: "x" }, "x"],
    ["gives delivery when nothing else is said", "runtime: nodejs\n", {}, "delivery"],
    [
      "gives what the caller chose for a folder without Pulumi.yaml (deployctl's edits)",
      undefined,
      { ifUnreadable: "delivery" },
      "delivery",
    ],
  ])("%s", (_name, text, options, expected) => {
    if (text !== undefined) writeFileSync(join(dir, "Pulumi.yaml"), text);

    expect(readProjectName(dir, options)).toBe(expected);
  });

  it("throws for a folder without Pulumi.yaml unless told what to use (the config reader)", () => {
    expect(() => readProjectName(dir)).toThrow(/ENOENT/);
  });
});
