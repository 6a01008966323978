import { describe, expect, it } from "vitest";
import { renderStack, resourcesOf, T } from "../support/pulumi";

describe("the task definitions a rollback's fast path returns to", () => {
  // A stack update that changes the image replaces the task definition; without skipDestroy Pulumi
  // deregisters the old revision, and UpdateService to an INACTIVE revision fails on real AWS
  // (moto does not check), so the fast path to the last good task definition would always fail.
  it("stay registered when a stack update replaces them (skipDestroy)", async () => {
    const rendered = await renderStack("staging");

    const taskDefinitions = resourcesOf(rendered, T.taskDefinition);

    expect(taskDefinitions.map((t) => [t.name, t.inputs.skipDestroy])).toEqual([
      ["delivery-staging-api-task", true],
      ["delivery-staging-api-migration-task", true],
      ["delivery-staging-web-task", true],
    ]);
  });
});
