import { describe, expect, it } from "vitest";
import { rolloutInProgress, validateWithRetry } from "../../validators/rollback";
import { check, report, serviceReport } from "../release/support";

const inProgress = {
  ...report({ api: "fail" }),
  services: [serviceReport("api", [check("rollout", "fail", { rolloutState: "IN_PROGRESS" })])],
};
const failed = report({ api: "fail" });
const passed = report({ api: "pass" });

function scripted(reports: (typeof passed)[]) {
  const queue = [...reports];
  let calls = 0;
  return {
    calls: () => calls,
    validate: async () => {
      calls += 1;
      const next = queue.shift();
      if (!next) throw new Error("no more reports");
      return next;
    },
  };
}

describe("rolloutInProgress", () => {
  it.each([
    ["a failing rollout still IN_PROGRESS", serviceReport("api", [check("rollout", "fail", { rolloutState: "IN_PROGRESS" })]), true],
    ["a failed rollout", serviceReport("api", [check("rollout", "fail", { rolloutState: "FAILED" })]), false],
    [
      "a completed rollout with a failing error rate",
      serviceReport("api", [check("rollout", "pass", { rolloutState: "COMPLETED" }), check("errorRate", "fail")]),
      false,
    ],
    ["a service without a rollout check", serviceReport("api", [check("errorRate", "fail")]), false],
  ])("is %s: %s", (_name, service, expected) => {
    expect(rolloutInProgress(service)).toBe(expected);
  });
});

describe("validateWithRetry", () => {
  it("validates once when the verdict is pass", async () => {
    const s = scripted([passed]);

    expect(await validateWithRetry(s.validate, { manifest: {} as never, services: ["api"] })).toEqual([passed]);
  });

  it("does not retry a real failure", async () => {
    const s = scripted([failed, passed]);

    await validateWithRetry(s.validate, { manifest: {} as never, services: ["api"] });

    expect(s.calls()).toBe(1);
  });

  it("validates again while the rollout is in progress, and says so", async () => {
    const s = scripted([inProgress, passed]);
    const said: string[] = [];

    const reports = await validateWithRetry(s.validate, { manifest: {} as never, services: ["api"] }, { onRetry: (m) => said.push(m) });

    expect(reports.map((r) => r.verdict)).toEqual(["fail", "pass"]);
    expect(said).toEqual(["rollout of api still in progress: validating again (1 of 2)"]);
  });

  it("gives up after two retries: the third in-progress report counts as the failure", async () => {
    const s = scripted([inProgress, inProgress, inProgress, passed]);

    const reports = await validateWithRetry(s.validate, { manifest: {} as never, services: ["api"] });

    expect(reports).toHaveLength(3);
    expect(reports.at(-1)?.verdict).toBe("fail");
  });
});
