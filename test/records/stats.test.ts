import { describe, expect, it } from "vitest";
import { runStats, newRunId, whoAmI } from "../../validators/records";
import { runRecord } from "../release/support";

function runs(exitCodes: number[], rollbackAt: number[] = []) {
  // exitCodes are given newest first; start times count down from 10:59.
  return exitCodes.map((exitCode, i) =>
    runRecord({
      runId: `run-${i}`,
      startedAt: `2024-05-01T10:${String(59 - i).padStart(2, "0")}:00.000Z`,
      exitCode,
      ...(rollbackAt.includes(i) ? { rollback: { reason: "errorRate failed", services: ["api"], status: "ok" as const } } : {}),
    }),
  );
}

describe("runStats", () => {
  it.each([
    { name: "no runs", codes: [], expected: { runs: 0, successes: 0, failures: 0, rollbacks: 0, consecutiveFailures: 0 } },
    { name: "a success last", codes: [0, 1, 1], expected: { runs: 3, successes: 1, failures: 2, rollbacks: 0, consecutiveFailures: 0 } },
    {
      name: "two failures since the last success",
      codes: [1, 1, 0, 1],
      expected: { runs: 4, successes: 1, failures: 3, rollbacks: 0, consecutiveFailures: 2 },
    },
    {
      name: "inconclusive and errors neither count nor break the streak",
      codes: [1, 3, 4, 1, 0],
      expected: { runs: 5, successes: 1, failures: 2, rollbacks: 0, consecutiveFailures: 2 },
    },
  ])("counts $name", ({ codes, expected }) => {
    expect(runStats(runs(codes))).toEqual(expected);
  });

  it("counts runs that rolled back", () => {
    expect(runStats(runs([1, 1, 0], [0, 1])).rollbacks).toBe(2);
  });

  it("sorts by start time whatever order the records come in", () => {
    expect(runStats(runs([1, 0]).reverse()).consecutiveFailures).toBe(1);
  });
});

describe("identity", () => {
  it.each([
    [{ DELIVERY_ACTOR: "release-bot" }, "release-bot"],
    [{ GITHUB_ACTIONS: "true", GITHUB_ACTOR: "octo", GITHUB_REPOSITORY: "acme/shop", GITHUB_RUN_ID: "42" }, "github:octo@acme/shop run 42"],
    [{ GITLAB_CI: "true", GITLAB_USER_LOGIN: "gl", CI_PROJECT_PATH: "acme/shop", CI_JOB_ID: "7" }, "gitlab:gl@acme/shop job 7"],
    [{ CODEBUILD_BUILD_ID: "shop:1234" }, "codebuild:shop:1234"],
    [{ USER: "ana" }, "ana@build-host"],
  ])("names who runs from %o", (env, expected) => {
    expect(
      whoAmI(
        env,
        () => "build-host",
        () => "fallback",
      ),
    ).toBe(expected);
  });

  it("makes run ids that start with the UTC time", () => {
    expect(newRunId(new Date("2024-05-01T10:15:00.123Z"), () => "3f9a1c2b")).toBe("20240501T101500Z-3f9a1c2b");
  });
});
