import { describe, expect, it } from "vitest";
import { resolveTier } from "../../policy/lib/define";
import { logsRetentionProd } from "../../policy/logs";
import { checkResource } from "./helpers";

describe("resolveTier", () => {
  it.each([
    ["the config's tier first", { tier: "staging" }, ["prod"], "staging"],
    ["an environment tag naming a tier", {}, [undefined, "dev"], "dev"],
    ["prod when the config has none and no tag names a tier", {}, ["prod-eu", undefined], "prod"],
    ["prod when the config's tier is not a tier", { tier: "qa" }, [], "prod"],
  ])("takes %s", (_label, config, tags, expected) => {
    expect(resolveTier(config, tags)).toBe(expected);
  });
});

describe("a tier-specific rule without config", () => {
  const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

  it("runs on a resource tagged with the prod environment", () => {
    expect(checkResource(logsRetentionProd, LOG_GROUP, { retentionInDays: 30, tags: { environment: "prod" } }).violations).toEqual([
      "retentionInDays is 30; prod log groups keep logs at least 365 days.",
    ]);
  });

  it("does not run on a resource tagged with the dev environment", () => {
    expect(checkResource(logsRetentionProd, LOG_GROUP, { retentionInDays: 30, tags: { environment: "dev" } }).notApplicable).toBe(
      "applies to the prod tier(s); this stack is dev",
    );
  });

  it("runs, as prod, on a resource whose tier it cannot tell", () => {
    expect(checkResource(logsRetentionProd, LOG_GROUP, { retentionInDays: 30 }).violations).toEqual([
      "retentionInDays is 30; prod log groups keep logs at least 365 days.",
    ]);
  });
});
