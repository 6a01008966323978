import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STACK_FILE_MAX_BYTES, STACK_FILE_MAX_DEPTH, yamlDepth } from "../../contract/stackFiles";
import { ConfigError, readStackFile } from "../../infra/config";
import { BadInputError } from "../../validators/core/errors";
import { readStackText } from "../../validators/stackfile";
import { PROJECT_DIR } from "../support/pulumi";

/** Stack files above the size or nesting limits are refused before parsing, on both reading paths (infra/config and deployctl). */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stack-limits-"));
  writeFileSync(join(dir, "Pulumi.yaml"), "name: delivery\nruntime: nodejs\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (text: string) => writeFileSync(join(dir, "Pulumi.staging.yaml"), text);
const SIZE_PROBLEM = `is ${STACK_FILE_MAX_BYTES + 1} bytes; a stack file may be at most ${STACK_FILE_MAX_BYTES} bytes (1 MB).`;
const DEPTH_PROBLEM = `is nested deeper than ${STACK_FILE_MAX_DEPTH} levels; a stack file is at most ${STACK_FILE_MAX_DEPTH} deep.`;

describe("a stack file above 1 MB", () => {
  beforeEach(() => write(`config:\n  delivery:note: "${"x".repeat(STACK_FILE_MAX_BYTES + 1 - 28)}"\n`));

  it("is a config error naming the file in infra/config", () => {
    expect(() => readStackFile(dir, "staging")).toThrow(
      new ConfigError("Pulumi.staging.yaml", [{ code: "invalid", path: "(file)", message: SIZE_PROBLEM }]),
    );
  });

  it("is bad input naming the file in deployctl", () => {
    expect(() => readStackText(join(dir, "Pulumi.staging.yaml"))).toThrow(new BadInputError(`Pulumi.staging.yaml ${SIZE_PROBLEM}`));
  });
});

describe("a stack file nested 200,000 levels deep", () => {
  it.each([
    ["flow brackets", `config:\n  delivery:x: ${"[".repeat(200_000)}${"]".repeat(200_000)}\n`],
    ["block indentation", `config:\n${Array.from({ length: 200 }, (_, i) => `${" ".repeat(i + 2)}k${i}:`).join("\n")} 1\n`],
  ])("(%s) is refused before parsing on both paths", (_kind, text) => {
    write(text);
    expect(() => readStackFile(dir, "staging")).toThrow(
      new ConfigError("Pulumi.staging.yaml", [{ code: "invalid", path: "(file)", message: DEPTH_PROBLEM }]),
    );
    expect(() => readStackText(join(dir, "Pulumi.staging.yaml"))).toThrow(new BadInputError(`Pulumi.staging.yaml ${DEPTH_PROBLEM}`));
  });
});

describe("yamlDepth", () => {
  it("counts block levels, leading dashes and flow brackets outside quotes", () => {
    expect(yamlDepth("a:\n  b:\n    - c: [1, {d: 2}]\n")).toBe(6);
    expect(yamlDepth('a: "[[[[["\n')).toBe(1);
    expect(yamlDepth("a: 1 # [[[[\n")).toBe(1);
  });

  it("keeps every shipped stack file well inside the limit", () => {
    for (const stack of ["dev", "staging", "prod", "local"]) {
      expect(yamlDepth(readFileSync(join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8"))).toBeLessThan(16);
    }
  });
});
