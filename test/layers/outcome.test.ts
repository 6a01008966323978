import { describe, expect, it } from "vitest";
import { type RunEnd, exitCodeFor } from "../../contract/outcome";
import { exitCodeForError, exitCodeForRun } from "../../validators/cli/exitCodes";
import { BadInputError, OperationalError } from "../../validators/core/errors";
import { LockError, StackLockedError } from "../../validators/lock/types";
import { RecordStoreError } from "../../validators/records/errors";
import { ReleaseRegistryError } from "../../validators/release/lastGood";

describe("exitCodeFor, the one outcome -> exit code mapping", () => {
  it.each<[RunEnd, number]>([
    [{ command: "validate", outcome: "released" }, 0],
    [{ command: "rollback", outcome: "nothing-to-do" }, 0],
    [{ command: "validate", outcome: "rolled-back" }, 1],
    [{ command: "deploy", outcome: "rolled-back" }, 1],
    [{ command: "rollback", outcome: "rolled-back" }, 0],
    [{ command: "rollback", outcome: "rollback-failed" }, 1],
    [{ command: "validate", outcome: "failed" }, 1],
    [{ command: "validate", outcome: "failed", errorKind: "locked" }, 5],
    [{ command: "validate", outcome: "failed", errorKind: "operational" }, 4],
    [{ command: "deploy", outcome: "refused" }, 1],
    [{ command: "deploy", outcome: "refused", errorKind: "bad-input" }, 2],
    [{ command: "rollback", outcome: "refused", errorKind: "operational" }, 4],
    [{ command: "deploy", outcome: "inconclusive" }, 3],
    [{ command: "deploy", outcome: "error" }, 4],
  ])("%o exits %i", (end, code) => {
    expect(exitCodeFor(end)).toBe(code);
  });

  it("turns a success whose run record could not be written into 4 for the CLI", () => {
    const run = { record: { command: "deploy" as const }, outcome: "released" as const };
    expect([exitCodeForRun(run), exitCodeForRun({ ...run, error: "s3 down" })]).toEqual([0, 4]);
  });
});

describe("errors carry a kind, not an exit code", () => {
  const holder = { stack: "staging", who: "ana", what: "deploy", since: "t", expires: "t" };
  it.each<[Error, string, number]>([
    [new BadInputError("bad"), "bad-input", 2],
    [new OperationalError("down", "ECS DescribeServices"), "operational", 4],
    [new StackLockedError(holder), "locked", 5],
    [new LockError("lock table unreachable"), "operational", 4],
    [new RecordStoreError("bucket unreachable"), "operational", 4],
    [new ReleaseRegistryError("ssm unreachable"), "operational", 4],
    [new Error("a bug"), "none", 4],
  ])("%s is %s and the CLI exits %i", (err, kind, code) => {
    expect([(err as { kind?: string }).kind ?? "none", exitCodeForError(err)]).toEqual([kind, code]);
    expect(err).not.toHaveProperty("exitCode");
  });
});
