import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { type PublishedValue, publishedRestoreSchema, publishedValueSchema, publishedVerdictSchema } from "../../contract/verdict";
import { publish } from "../../validators/canary/verdictStore";

/** The published canary verdict: deployctl writes it, infra/hook/canaryHook.js reads it. */
const HOOK_SOURCE = readFileSync(join(__dirname, "..", "..", "infra", "hook", "canaryHook.js"), "utf8");

const VERDICT: PublishedValue = {
  revision: "arn:aws:ecs:us-east-1:123456789012:service-revision/delivery-prod/api/2",
  baselineRevision: "arn:aws:ecs:us-east-1:123456789012:service-revision/delivery-prod/api/1",
  percent: 25,
  verdict: "pass",
  observedMinutes: 10,
  reason: "every check passed",
  at: "2025-06-01T12:00:00.000Z",
  runId: "run-1",
};

describe("the published verdict's contract", () => {
  it("has every field the hook reads off a verdict", () => {
    const read = new Set([...HOOK_SOURCE.matchAll(/\bverdict\.(\w+)/g)].map((m) => m[1]));
    const known = new Set([...Object.keys(publishedVerdictSchema.shape), ...Object.keys(publishedRestoreSchema.shape)]);
    expect([...read].filter((field) => !known.has(field))).toEqual([]);
    expect(read.size).toBeGreaterThan(5);
  });

  it("has every field the hook reads off a restore", () => {
    const read = new Set([...HOOK_SOURCE.matchAll(/\bverdict\.restore\.(\w+)/g)].map((m) => m[1]));
    expect([...read].filter((field) => !(field in publishedRestoreSchema.shape.restore.shape))).toEqual([]);
    expect([...read].sort()).toEqual(["imageTag", "validUntil"]);
  });

  it("is what deployctl writes to the parameter", async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(PutParameterCommand).resolves({ Version: 1 });

    await publish(new SSMClient({ region: "us-east-1" }), "/delivery/prod/api/canary-verdict", VERDICT);

    const written = ssm.commandCalls(PutParameterCommand)[0].args[0].input.Value ?? "";
    expect(publishedValueSchema.parse(JSON.parse(written))).toEqual(VERDICT);
    ssm.restore();
  });

  it("refuses to publish a value the hook could not read, without writing it", async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    const offContract = { ...VERDICT, percent: "25" } as unknown as PublishedValue;

    await expect(publish(new SSMClient({ region: "us-east-1" }), "/delivery/prod/api/canary-verdict", offContract)).rejects.toThrow(
      /percent/,
    );
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    ssm.restore();
  });
});
