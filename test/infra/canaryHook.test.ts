import { describe, expect, it } from "vitest";
import { decide, makeHandler, type PublishedRestore, type PublishedValue, type PublishedVerdict } from "../../infra/hook/canaryHook.js";

/** The lifecycle hook's decisions: it reads deployctl's verdict and never judges on its own. */
const NEW = "arn:aws:ecs:us-east-1:123456789012:service-revision/delivery-prod/api/222";
const OLD = "arn:aws:ecs:us-east-1:123456789012:service-revision/delivery-prod/api/111";
const NOW = Date.parse("2025-06-01T12:00:00Z");
const DETAILS = {
  stack: "prod",
  service: "api",
  verdictParameter: "/delivery/prod/api/canary-verdict",
  checkpoints: [5, 25, 50, 100],
  stepMinutes: 10,
  maxExtensionMinutes: 20,
  graceMinutes: 5,
  callBackDelaySeconds: 30,
};

const event = (share: number, target = NEW) => ({
  serviceArn: "arn:aws:ecs:us-east-1:123456789012:service/delivery-prod/api",
  targetServiceRevisionArn: target,
  productionTrafficWeights: { [target]: share, [target === NEW ? OLD : NEW]: 100 - share },
});
const verdict = (v: Partial<PublishedVerdict>): PublishedVerdict => ({
  revision: NEW,
  baselineRevision: OLD,
  percent: 5,
  verdict: "pass",
  observedMinutes: 10,
  reason: "every check passed",
  at: "2025-06-01T11:59:00.000Z",
  runId: "run-1",
  ...v,
});
const restore = (r: Partial<PublishedRestore["restore"]>): PublishedRestore => ({
  restore: { imageTag: "sha-good", validUntil: "2025-06-01T12:30:00.000Z", reason: "rollback", ...r },
  at: "2025-06-01T11:59:00.000Z",
  runId: "run-1",
});
const run = (
  share: number,
  published?: PublishedValue,
  extra: { rollingBack?: boolean; details?: Record<string, unknown>; target?: string } = {},
) =>
  decide({
    event: event(share, extra.target),
    details: { ...DETAILS, ...extra.details },
    verdict: published,
    rollingBack: extra.rollingBack ?? false,
    nowMs: NOW,
  });

describe("the canary hook", () => {
  it.each<
    [
      string,
      number,
      PublishedValue | undefined,
      { rollingBack?: boolean; details?: Record<string, unknown>; target?: string },
      string,
      string,
    ]
  >([
    [
      "lets a rollback through whatever the verdict",
      25,
      verdict({ verdict: "fail" }),
      { rollingBack: true },
      "SUCCEEDED",
      "a rollback is in progress: traffic is never held on its way back",
    ],
    [
      "lets traffic return to the baseline revision",
      100,
      verdict({ verdict: "fail" }),
      { target: OLD },
      "SUCCEEDED",
      "traffic returns to the baseline revision",
    ],
    [
      "lets a validated release being restored through",
      5,
      restore({ imageTag: "sha-good", validUntil: "2025-06-01T12:30:00Z" }),
      {},
      "SUCCEEDED",
      "restoring the validated release sha-good",
    ],
    [
      "fails the revision deployctl failed, at any share",
      10,
      verdict({ verdict: "fail", percent: 5, reason: "errorRate 3.1% above 1%" }),
      {},
      "FAILED",
      "the validator failed the new revision at 5%: errorRate 3.1% above 1%",
    ],
    [
      "passes through shares between the policy's steps",
      10,
      undefined,
      {},
      "SUCCEEDED",
      "10% is between the release policy's steps (5, 25, 50, 100)",
    ],
    [
      "passes a step with a pass verdict covering the step's minutes",
      25,
      verdict({ percent: 25, observedMinutes: 10 }),
      {},
      "SUCCEEDED",
      "the validator passed 25% after 10 minutes",
    ],
    [
      "holds a step with no verdict yet",
      5,
      undefined,
      {},
      "IN_PROGRESS",
      "holding at 5% for 0 of at most 35 minutes (no verdict on this revision yet)",
    ],
    [
      "holds a step whose pass covers too few minutes",
      25,
      verdict({ percent: 25, observedMinutes: 4 }),
      {},
      "IN_PROGRESS",
      "holding at 25% for 0 of at most 35 minutes (last verdict pass at 25%)",
    ],
    [
      "holds a step whose verdict is about the previous step",
      25,
      verdict({ percent: 5 }),
      {},
      "IN_PROGRESS",
      "holding at 25% for 0 of at most 35 minutes (last verdict pass at 5%)",
    ],
    [
      "holds an inconclusive step (extending the observation)",
      5,
      verdict({ verdict: "inconclusive" }),
      { details: { heldPercent: 5, heldSinceMs: NOW - 15 * 60_000 } },
      "IN_PROGRESS",
      "holding at 5% for 15 of at most 35 minutes (last verdict inconclusive at 5%)",
    ],
    [
      "still holds at deployctl's limit (the step plus its extension): deployctl abandons first",
      5,
      verdict({ verdict: "inconclusive" }),
      { details: { heldPercent: 5, heldSinceMs: NOW - 30 * 60_000 } },
      "IN_PROGRESS",
      "holding at 5% for 30 of at most 35 minutes (last verdict inconclusive at 5%)",
    ],
    [
      "fails a step held beyond the step, the extension and the grace: the backstop",
      5,
      verdict({ verdict: "inconclusive" }),
      { details: { heldPercent: 5, heldSinceMs: NOW - 35 * 60_000 } },
      "FAILED",
      "no pass verdict at 5% within 35 minutes (last verdict inconclusive at 5%): not promoted",
    ],
    [
      "starts the clock again at a new step",
      25,
      verdict({ verdict: "inconclusive" }),
      { details: { heldPercent: 5, heldSinceMs: NOW - 40 * 60_000 } },
      "IN_PROGRESS",
      "holding at 25% for 0 of at most 35 minutes (last verdict inconclusive at 5%)",
    ],
    [
      "ignores a verdict about another revision",
      5,
      verdict({ revision: "arn:other", verdict: "fail" }),
      {},
      "IN_PROGRESS",
      "holding at 5% for 0 of at most 35 minutes (no verdict on this revision yet)",
    ],
    [
      "ignores an expired restore",
      5,
      restore({ validUntil: "2025-06-01T11:00:00Z" }),
      {},
      "IN_PROGRESS",
      "holding at 5% for 0 of at most 35 minutes (no verdict on this revision yet)",
    ],
  ])("%s", (_name, share, published, extra, status, reason) => {
    const decision = run(share, published, extra);
    expect([decision.hookStatus, decision.reason]).toEqual([status, reason]);
  });

  it("asks ECS to call again after the configured delay and carries when it began holding", () => {
    expect(run(5, undefined, { details: { heldPercent: 5, heldSinceMs: NOW - 60_000 } })).toMatchObject({
      callBackDelay: 30,
      hookDetails: { ...DETAILS, heldPercent: 5, heldSinceMs: NOW - 60_000 },
    });
  });

  it("reads the parameter named in hookDetails (given as JSON text) and answers ECS with the status only when done", async () => {
    const asked: (string | undefined)[] = [];
    const handler = makeHandler({
      verdict: async (name) => {
        asked.push(name);
        return verdict({ percent: 25 });
      },
      rollingBack: async () => false,
      now: () => NOW,
      log: () => undefined,
    });
    const response = await handler({ ...event(25), hookDetails: JSON.stringify(DETAILS) });
    expect([asked, response]).toEqual([["/delivery/prod/api/canary-verdict"], { hookStatus: "SUCCEEDED" }]);
  });

  it("returns IN_PROGRESS with the call-back delay and its state when it holds", async () => {
    const lines: string[] = [];
    const handler = makeHandler({
      verdict: async () => undefined,
      rollingBack: async () => false,
      now: () => NOW,
      log: (line) => lines.push(line),
    });
    expect(await handler({ ...event(50), hookDetails: DETAILS })).toEqual({
      hookStatus: "IN_PROGRESS",
      callBackDelay: 30,
      hookDetails: { ...DETAILS, heldPercent: 50, heldSinceMs: NOW },
    });
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ service: "api", share: 50, hookStatus: "IN_PROGRESS" });
  });
});
