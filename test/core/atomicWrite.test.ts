import fs, { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { writeFileAtomic, writeFileAtomicSync } from "../../validators/core/atomicWrite";

/** The one atomic write (records, state, lock files, stack files, synth documents), in its two call styles. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "atomic-"));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const variants: [string, (path: string, text: string) => Promise<void> | void][] = [
  ["writeFileAtomic", writeFileAtomic],
  ["writeFileAtomicSync", writeFileAtomicSync],
];

describe.each(variants)("%s", (_name, write) => {
  it("replaces the content and leaves no temporary file", async () => {
    const file = join(dir, "Pulumi.prod.yaml");
    writeFileSync(file, "old\n");

    await write(file, "new\n");

    expect([readFileSync(file, "utf8"), readdirSync(dir)]).toEqual(["new\n", ["Pulumi.prod.yaml"]]);
  });

  it("leaves the file readable by its owner only, even when it replaces a world-readable one", async () => {
    const file = join(dir, "record.json");
    writeFileSync(file, "{}", { mode: 0o644 });

    await write(file, "{}\n");

    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("creates the folder it writes into", async () => {
    const file = join(dir, "out", "synth", "prod.json");

    await write(file, "{}\n");

    expect(readFileSync(file, "utf8")).toBe("{}\n");
  });

  it("keeps the old file and removes its temporary file when the rename fails", async () => {
    const target = join(dir, "taken");
    fs.mkdirSync(join(target, "inside"), { recursive: true });

    await expect(async () => write(target, "text")).rejects.toThrow();

    expect(readdirSync(dir)).toEqual(["taken"]);
  });
});

describe("writeFileAtomicSync", () => {
  it("fsyncs the file and then its folder, so the rename survives a crash", () => {
    const fsync = vi.spyOn(fs, "fsyncSync");
    const open = vi.spyOn(fs, "openSync");

    writeFileAtomicSync(join(dir, "Pulumi.prod.yaml"), "text");

    const opened = open.mock.calls.map((c) => String(c[0]));
    expect([fsync.mock.calls.length, opened.at(-1)]).toEqual([2, dir]);
  });
});
