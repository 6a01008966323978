import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnvironmentConfig, readStackFile } from "../../infra/config";
import { configDrift, type DriftReport } from "../../validators/promote/drift";
import { copyProject, readStack, tierTwin, writeStack } from "./project";

// One render of each stack for the file: staging as shipped (api on sha-aaaa111), and a prod that
// differs from it by its tier and by three edits: api's image tag, an environment variable and a
// second alert email.
let dir: string;
let drift: DriftReport;

beforeAll(async () => {
  dir = copyProject("promote-drift-");
  writeStack(dir, "staging", readStack(dir, "staging").replace("tag: sha-3f9c2a1", "tag: sha-aaaa111"));
  tierTwin(dir, (text) =>
    text
      .replace("tag: sha-aaaa111", "tag: sha-bbbb222")
      .replace("        LOG_LEVEL: info\n", '        LOG_LEVEL: info\n        FEATURE_X: "on"\n')
      .replace("      - platform-prod@example.com\n", "      - platform-prod@example.com\n      - oncall@example.com\n"),
  );
  const config = (stack: string) => parseEnvironmentConfig(readStackFile(dir, stack));
  drift = await configDrift(config("staging"), config("prod"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the drift between two stacks", () => {
  it("lists an environment variable set in one stack only, with both values", () => {
    expect(drift.items).toContainEqual({
      kind: "differs",
      type: "aws:ecs/taskDefinition:TaskDefinition",
      name: "delivery-{stack}-api-task",
      inputs: [{ path: "containerDefinitions[0].environment.FEATURE_X", from: null, to: "on" }],
    });
  });

  it("lists a resource that exists in one stack only", () => {
    expect(drift.items).toContainEqual({
      kind: "only-in-to",
      type: "aws:sns/topicSubscription:TopicSubscription",
      name: "delivery-{stack}-critical-email-2",
      inputs: [],
    });
  });

  it("does not list the desired counts the tier sets, and counts them as explained", () => {
    expect(drift.items.flatMap((i) => i.inputs).filter((i) => i.path === "desiredCount")).toEqual([]);
    expect(drift.explained).toContainEqual({ what: "desired counts", count: 2 });
  });

  it("does not list image tags: moving them is the promotion itself", () => {
    expect(drift.items.flatMap((i) => i.inputs.map((x) => x.path)).filter((p) => /image/.test(p))).toEqual([]);
  });

  it("names the two stacks it compares", () => {
    expect([drift.from, drift.to]).toEqual(["staging", "prod"]);
  });
});
