import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { parseLastGoodRelease } from "../../contract/lastGood";
import { judgeLastGood, observeLastGood } from "../../validators/gate/lastGood";
import { SsmReleaseRegistry } from "../../validators/release/lastGood";

const PARAMETER = "/delivery/prod/api/last-good";
const RELEASE = {
  stack: "prod",
  service: "api",
  imageTag: "sha-1",
  taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/api:7",
  validatedAt: "2025-06-01T12:00:00.000Z",
  runId: "run-1",
};

describe("parseLastGoodRelease, the one reader of the last-good value", () => {
  it.each<[string, string | undefined, ReturnType<typeof parseLastGoodRelease>]>([
    ["reads a release", JSON.stringify(RELEASE), { release: RELEASE }],
    ["drops fields the contract does not know", JSON.stringify({ ...RELEASE, webhook: "https://hooks.example/x" }), { release: RELEASE }],
    ["names a value that is not JSON", "sha-1", { problem: "not JSON" }],
    ["names an absent value", undefined, { problem: "not JSON" }],
    [
      "names each missing field",
      JSON.stringify({ imageTag: "sha-1", validatedAt: "2025-06-01T12:00:00.000Z", runId: "run-1", stack: "prod", service: "api" }),
      { problem: "taskDefinitionArn: Invalid input: expected string, received undefined" },
    ],
  ])("%s", (_name, value, expected) => {
    expect(parseLastGoodRelease(value)).toEqual(expected);
  });
});

describe("parseLastGoodRelease given the parameter name, as documented", () => {
  const documented = { imageTag: "sha-1", taskDefinitionArn: RELEASE.taskDefinitionArn, validatedAt: RELEASE.validatedAt, runId: "run-1" };
  it.each<[string, unknown, ReturnType<typeof parseLastGoodRelease>]>([
    ["takes stack and service from the name when the value holds just the documented fields", documented, { release: RELEASE }],
    ["accepts extra fields and drops them", { ...documented, commit: "abc", pipeline: { id: 3 } }, { release: RELEASE }],
    ["drops a who that is not a string instead of refusing the release", { ...documented, who: 42 }, { release: RELEASE }],
    ["keeps a who that is a string", { ...documented, who: "ana" }, { release: { ...RELEASE, who: "ana" } }],
    ["accepts a value whose stack and service agree with the name", RELEASE, { release: RELEASE }],
    [
      "refuses a value written for another service, with the reason",
      { ...RELEASE, service: "web" },
      { problem: 'service: the value says "web" but the parameter /delivery/prod/api/last-good is for "api"' },
    ],
    [
      "refuses a value without the task definition a rollback needs",
      { imageTag: "sha-1", validatedAt: RELEASE.validatedAt, runId: "run-1" },
      { problem: "taskDefinitionArn: Invalid input: expected string, received undefined" },
    ],
  ])("%s", (_name, value, expected) => {
    expect(parseLastGoodRelease(JSON.stringify(value), PARAMETER)).toEqual(expected);
  });

  it("refuses a value without stack when neither the value nor the name says it", () => {
    const { stack: _s, ...rest } = RELEASE;
    expect(parseLastGoodRelease(JSON.stringify(rest), "/elsewhere/api")).toEqual({
      problem: "stack: missing, and the parameter name /elsewhere/api does not say it",
    });
  });
});

describe("the gate's lastGood check reads the value with the contract", () => {
  const ssm = mockClient(SSMClient);
  afterEach(() => ssm.reset());
  const check = async (value: string) => {
    ssm.on(GetParameterCommand, { Name: PARAMETER }).resolves({ Parameter: { Name: PARAMETER, Value: value } });
    const observed = await observeLastGood(new SsmReleaseRegistry(new SSMClient({ region: "us-east-1" })), "prod", ["api"]);
    const found = observed.get("api");
    return found && judgeLastGood(found);
  };

  it("passes a release and shows only its known fields", async () => {
    const result = await check(JSON.stringify({ ...RELEASE, who: "ana" }));
    expect([result?.status, result?.message, result?.observed]).toEqual([
      "pass",
      "Last good release: image sha-1, validated 2025-06-01T12:00:00.000Z.",
      {
        parameter: PARAMETER,
        found: true,
        imageTag: "sha-1",
        taskDefinitionArn: RELEASE.taskDefinitionArn,
        validatedAt: RELEASE.validatedAt,
        runId: "run-1",
      },
    ]);
  });

  it("passes a value holding just the documented fields (stack and service from the parameter name)", async () => {
    const { stack: _s, service: _v, ...documented } = RELEASE;
    const result = await check(JSON.stringify({ ...documented, extra: true }));
    expect([result?.status, result?.message]).toEqual(["pass", "Last good release: image sha-1, validated 2025-06-01T12:00:00.000Z."]);
  });

  it("warns on a value a rollback could not use (no task definition), naming what is missing", async () => {
    const { taskDefinitionArn: _dropped, ...partial } = RELEASE;
    const result = await check(JSON.stringify(partial));
    expect([result?.status, result?.message]).toEqual([
      "warn",
      `${PARAMETER} is not a JSON release record (taskDefinitionArn: Invalid input: expected string, received undefined): a rollback could not use it.`,
    ]);
  });
});
