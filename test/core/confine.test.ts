import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { confinedPath, insideRoot } from "../../validators/core/confine";
import { BadInputError } from "../../validators/core/errors";
import { FileStackLock } from "../../validators/lock";
import { LocalReleaseRegistry } from "../../validators/release/localRegistry";
import { LocalRecordStore } from "../../validators/records/localStore";

/** Names that become paths are safe names, and no write path leaves its root. */
let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "confine-"));
  dir = join(root, "store");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const SAFE_RULE =
  "it becomes a path segment, so it must be a safe name: letters, digits, '-', '_', '.', not starting with '.', at most 63 characters.";

describe("confinedPath", () => {
  it.each([
    ["../../tmp/x", "stack"],
    ["a/b", "stack"],
    [".hidden", "service name"],
    ["x".repeat(64), "stack"],
    ["bad\u0000name", "stack"],
  ])("refuses %j naming the field", (value, field) => {
    const shown = value.length > 80 ? `${value.slice(0, 79)}…` : value;
    expect(() => confinedPath(dir, [{ value, field }])).toThrow(new BadInputError(`${field} is ${JSON.stringify(shown)}; ${SAFE_RULE}`));
  });

  it("resolves safe names under the root", () => {
    expect(
      confinedPath(dir, [
        { value: "staging", field: "stack" },
        { value: "api", field: "service name", suffix: ".json" },
      ]),
    ).toBe(join(dir, "staging", "api.json"));
  });

  it("refuses a path that resolves outside its root", () => {
    expect(() => insideRoot(dir, "../elsewhere.json", "run record")).toThrow(
      new BadInputError(`run record: ${JSON.stringify(join(root, "elsewhere.json"))} would be written outside ${dir}; refused.`),
    );
  });
});

describe("stores that write files", () => {
  const release = (stack: string, service: string) => ({
    stack,
    service,
    imageTag: "sha-1",
    taskDefinitionArn: "local",
    validatedAt: "2024-01-01T00:00:00.000Z",
    runId: "r1",
  });

  it("the local last good registry refuses a stack or service that would leave its directory, writing nothing", async () => {
    const registry = new LocalReleaseRegistry(dir);

    await expect(registry.put(release("../../outside", "api"))).rejects.toThrow(BadInputError);
    await expect(registry.put(release("staging", "../api"))).rejects.toThrow(BadInputError);
    expect(readdirSync(root)).toEqual([]);
    expect(existsSync(join(root, "..", "outside"))).toBe(false);
  });

  it("the file lock refuses a stack that would leave its directory", async () => {
    await expect(
      new FileStackLock(dir, () => new Date()).tryAcquire({ stack: "../x", who: "a", what: "deploy", leaseSeconds: 60 }),
    ).rejects.toThrow(BadInputError);
    expect(readdirSync(root)).toEqual([]);
  });

  it("the local record store keeps a hostile run id inside its directory", async () => {
    const store = new LocalRecordStore(dir);
    const path = await store.put({ runId: "../../escape" } as Parameters<LocalRecordStore["put"]>[0]);
    expect(path.startsWith(`${dir}/`)).toBe(true);
    expect(readdirSync(root)).toEqual(["store"]);
  });
});
