import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BadInputError, OperationalError } from "../../validators/core/errors";
import type { PulumiStacks } from "../../validators/providers/pulumi/stacks";
import { loadManifest } from "../../validators/validate";
import { testManifest, testService } from "./support/manifest";

/** A PulumiStacks double: outputs by stack; anything else throws so nothing passes by accident. */
function stacksWith(outputs: Record<string, unknown>, error?: Error): PulumiStacks & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    getOutput: async (stack, name) => {
      asked.push(`${stack}:${name}`);
      if (error) throw error;
      return outputs[stack];
    },
    getConfig: () => Promise.reject(new Error("unexpected getConfig")),
    setConfig: () => Promise.reject(new Error("unexpected setConfig")),
    up: () => Promise.reject(new Error("unexpected up")),
  };
}

let dir: string;
const write = (name: string, content: unknown) => {
  writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  return name;
};
const noStacks = stacksWith({});
/** The engine's own JSON.parse message (its wording differs between Node versions). */
const jsonError = (text: string) => {
  try {
    JSON.parse(text);
    return "";
  } catch (err) {
    return (err as Error).message;
  }
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "manifest-"));
});

describe("loadManifest from a file", () => {
  it("reads a valid manifest relative to cwd", async () => {
    const file = write("ok.json", testManifest());

    const manifest = await loadManifest({ manifestFile: file, cwd: dir }, noStacks);

    expect(manifest).toEqual(testManifest());
  });

  const good = testManifest();
  it.each([
    ["a missing file", "missing.json", undefined, "--manifest missing.json: cannot read the file (no such file)."],
    [
      "invalid JSON",
      "broken.json",
      "{ not json",
      `--manifest broken.json: not valid JSON (${jsonError("{ not json")}); expected the output of \`pulumi stack output deployment --json\`.`,
    ],
    [
      "a bad target group",
      "tg.json",
      { ...good, services: [testService("api", { targetGroup: "tg-1" })] },
      'tg.json: services[0].targetGroup is "tg-1"; it must be a target group\'s ARN suffix: targetgroup/, its name, /, its id in lowercase letters and digits (e.g. targetgroup/delivery-api/0123456789abcdef).',
    ],
    [
      "a missing field and a wrong type, both reported",
      "two.json",
      { ...good, cluster: undefined, thresholds: { ...good.thresholds, minRequests: "100" } },
      'two.json: cluster is missing; it is required (string).\ntwo.json: thresholds.minRequests is "100"; it must be a number.',
    ],
    [
      "an unknown key",
      "extra.json",
      { ...good, colour: "blue" },
      'extra.json: unknown key "colour"; the manifest contract does not allow it.',
    ],
    ["a schema version from the future", "v2.json", { ...good, schemaVersion: 2 }, "v2.json: schemaVersion is 2; it must be 1."],
    [
      "a health path without its slash",
      "path.json",
      { ...good, services: [testService("api", { healthPath: "health" })] },
      'path.json: services[0].healthPath is "health"; it must start with "/".',
    ],
    [
      "a negative threshold",
      "neg.json",
      { ...good, thresholds: { ...good.thresholds, errorRateCriticalPercent: -1 } },
      "neg.json: thresholds.errorRateCriticalPercent is -1; it must be greater than 0.",
    ],
  ])("refuses %s, naming the file, field, value and what is allowed", async (_case, file, content, message) => {
    if (content !== undefined) write(file, content);

    const load = loadManifest({ manifestFile: file, cwd: dir }, noStacks);

    await expect(load).rejects.toBeInstanceOf(BadInputError);
    await expect(load).rejects.toThrow(message);
    await expect(load).rejects.toMatchObject({ message, kind: "bad-input" });
  });

  it("refuses a manifest of another stack than --stack", async () => {
    const file = write("prod.json", testManifest(undefined, { stack: "prod" }));

    const load = loadManifest({ manifestFile: file, stack: "staging", cwd: dir }, noStacks);

    await expect(load).rejects.toThrow('prod.json: stack is "prod", but --stack is "staging"; give the manifest of stack staging.');
  });
});

describe("loadManifest from a stack", () => {
  it("reads the stack's deployment output", async () => {
    const stacks = stacksWith({ staging: testManifest() });

    const manifest = await loadManifest({ stack: "staging" }, stacks);

    expect(manifest.stack).toBe("staging");
    expect(stacks.asked).toEqual(["staging:deployment"]);
  });

  it("names the stack output when its content is invalid", async () => {
    const stacks = stacksWith({ staging: { ...testManifest(), region: "" } });

    await expect(loadManifest({ stack: "staging" }, stacks)).rejects.toThrow(
      'stack staging output "deployment": region is ""; it must be at least 1 character long.',
    );
  });

  it("is bad input when the stack has no deployment output", async () => {
    await expect(loadManifest({ stack: "staging" }, stacksWith({}))).rejects.toThrow(
      'Stack staging has no "deployment" output; run the stack update (pulumi up) first.',
    );
  });

  it("is bad input when the stack does not exist", async () => {
    const stacks = stacksWith({}, new Error("no stack named 'qa' found"));

    await expect(loadManifest({ stack: "qa" }, stacks)).rejects.toMatchObject({
      kind: "bad-input",
      message: "--stack qa: no such Pulumi stack (no stack named 'qa' found).",
    });
  });

  it("is an operational error when Pulumi itself fails", async () => {
    const stacks = stacksWith({}, new Error("pulumi: command not found"));

    const load = loadManifest({ stack: "staging" }, stacks);

    await expect(load).rejects.toBeInstanceOf(OperationalError);
    await expect(load).rejects.toThrow("Reading the deployment output of stack staging failed: pulumi: command not found");
  });

  it("is bad input without any source", async () => {
    await expect(loadManifest({}, noStacks)).rejects.toThrow(
      "No manifest: give --stack NAME (reads its deployment output) or --manifest FILE.",
    );
  });
});
