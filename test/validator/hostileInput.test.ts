import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../validators/cli/main";
import { BadInputError } from "../../validators/core/errors";
import type { PulumiStacks } from "../../validators/providers/pulumi/stacks";
import { defaultRecordsDir } from "../../validators/records/open";
import { loadManifest } from "../../validators/validate";
import { captureIO } from "./support/io";
import { testManifest, testService } from "./support/manifest";

const noStacks: PulumiStacks = {
  getOutput: () => Promise.reject(new Error("unexpected getOutput")),
  getConfig: () => Promise.reject(new Error("unexpected getConfig")),
  setConfig: () => Promise.reject(new Error("unexpected setConfig")),
  up: () => Promise.reject(new Error("unexpected up")),
};

const fileWith = (content: string): { dir: string; file: string } => {
  const dir = mkdtempSync(join(tmpdir(), "hostile-"));
  const file = join(dir, "deployment.json");
  writeFileSync(file, content);
  return { dir, file };
};
const load = (content: unknown) => {
  const { file } = fileWith(typeof content === "string" ? content : JSON.stringify(content));
  return loadManifest({ manifestFile: file }, noStacks);
};
const SAFE = 'it must be a safe name: letters, digits, "-", "_" or ".", not starting with ".", at most 63 characters.';

describe("hostile names in a manifest", () => {
  it.each([
    ["a stack that climbs out of its directory", { stack: "../../../tmp/x" }, `stack is "../../../tmp/x"; ${SAFE}`],
    ["a hidden stack name", { stack: ".staging" }, `stack is ".staging"; ${SAFE}`],
    ["a stack name of 64 characters", { stack: "s".repeat(64) }, `stack is "${"s".repeat(64)}"; ${SAFE}`],
  ])("refuses %s, naming the field", async (_case, overrides, message) => {
    const loading = load(testManifest(undefined, overrides));

    await expect(loading).rejects.toBeInstanceOf(BadInputError);
    await expect(loading).rejects.toThrow(message);
  });

  it("refuses a service name with NUL and U+202E, printing them escaped", async () => {
    const loading = load(testManifest([testService("api\u0000\u202egpj.exe")]));

    const error = await loading.then(
      () => new Error("loaded"),
      (e: unknown) => e as Error,
    );
    expect(error.message).toContain(`services[0].name is "api\\u0000\\u202egpj.exe"; ${SAFE}`);
    expect(error.message).not.toContain("\u0000");
    expect(error.message).not.toContain("\u202e");
  });

  it("cuts an echoed 1 MB value to 80 characters with an ellipsis", async () => {
    const loading = load(testManifest(undefined, { stack: "x/".repeat(500_000) }));

    const error = await loading.then(
      () => new Error("loaded"),
      (e: unknown) => e as Error,
    );
    expect(error.message).toContain(`stack is "${"x/".repeat(39)}…; ${SAFE}`);
    expect(error.message.length).toBeLessThan(400);
  });

  it("leaves nothing outside its directory when validate is given a climbing stack, and exits 2", async () => {
    const { file } = fileWith(JSON.stringify(testManifest(undefined, { stack: "../../../escaped-by-test" })));
    const cwd = join(mkdtempSync(join(tmpdir(), "hostile-cwd-")), "a", "b", "c");
    mkdirSync(cwd, { recursive: true });
    const io = captureIO({ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" }, cwd);

    const code = await main(
      ["node", "deployctl", "validate", "--manifest", file, "--endpoint-url", "http://127.0.0.1:9", "--no-smoke"],
      io,
    );

    expect(code).toBe(2);
    expect(io.err()).toContain(`stack is "../../../escaped-by-test"; ${SAFE}`);
    expect(readdirSync(join(cwd, ".."))).toEqual(["c"]);
    expect(readdirSync(join(cwd, "..", ".."))).toEqual(["b"]);
    expect(existsSync(join(cwd, ".delivery"))).toBe(false);
  });
});

describe("absurd manifests are refused before parsing", () => {
  it("refuses a manifest above 5 MB", async () => {
    const loading = load(JSON.stringify({ ...testManifest(), padding: "x".repeat(5 * 1024 * 1024) }));

    await expect(loading).rejects.toThrow(/the file is \d+ bytes; a manifest may be at most 5242880 bytes \(5 MB\)\.$/);
  });

  it("refuses a manifest nested 200,000 levels deep with exit-2 bad input, not a stack overflow", async () => {
    const loading = load(`${"[".repeat(200_000)}${"]".repeat(200_000)}`);

    await expect(loading).rejects.toBeInstanceOf(BadInputError);
    await expect(loading).rejects.toThrow("nested deeper than 32 levels; a manifest is at most 32 deep.");
  });
});

describe("semantic manifest checks", () => {
  const good = testManifest();
  it.each([
    [
      "a warning threshold above the critical one",
      { ...good, thresholds: { ...good.thresholds, errorRateWarningPercent: 10, errorRateCriticalPercent: 5 } },
      "thresholds.errorRateWarningPercent is 10, above thresholds.errorRateCriticalPercent (5); the warning must not exceed the critical threshold.",
    ],
    [
      "a critical threshold that can never fire",
      { ...good, thresholds: { ...good.thresholds, errorRateCriticalPercent: 150 } },
      "thresholds.errorRateCriticalPercent is 150; a percentage above 100 can never fire.",
    ],
    [
      "a service name given twice",
      testManifest([testService("api"), testService("api")]),
      'services[1].name is "api", a name given twice; service names must be unique.',
    ],
    [
      "dependsOn naming an unknown service",
      testManifest([testService("api", { dependsOn: ["db"] })]),
      'services[0].dependsOn[0] is "db"; no such service in the manifest (it has api).',
    ],
  ])("refuses %s", async (_case, manifest, message) => {
    const loading = load(manifest);

    await expect(loading).rejects.toBeInstanceOf(BadInputError);
    await expect(loading).rejects.toThrow(message);
  });
});

describe("write paths stay under their root", () => {
  it("refuses a records directory for a stack that leaves .delivery/records", () => {
    expect(() => defaultRecordsDir("/work/x", "../../../tmp/x")).toThrow(
      'stack "../../../tmp/x" would write outside /work/x/.delivery/records; refused.',
    );
  });

  it("keeps a safe stack name under .delivery/records", () => {
    expect(defaultRecordsDir("/work/x", "staging")).toBe("/work/x/.delivery/records/staging");
  });
});
