import { describe, expect, it } from "vitest";
import { logsKmsProd, logsRetentionProd, logsRetentionSet } from "../../policy/logs";
import { checkResource } from "./helpers";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1";

describe("logs-retention-set", () => {
  it("passes a log group with a retention period", () => {
    expect(checkResource(logsRetentionSet, LOG_GROUP, { retentionInDays: 14 }, { tier: "dev" })).toEqual({ violations: [] });
  });

  it.each([
    [undefined, "retentionInDays is not set; a log group must set a retention period."],
    [0, "retentionInDays is 0; a log group must set a retention period."],
  ])("reports retentionInDays %s", (days, message) => {
    expect(checkResource(logsRetentionSet, LOG_GROUP, { retentionInDays: days }, { tier: "dev" }).violations).toEqual([message]);
  });
});

describe("logs-retention-prod", () => {
  it("passes 365 days in prod", () => {
    expect(checkResource(logsRetentionProd, LOG_GROUP, { retentionInDays: 365 }, { tier: "prod" })).toEqual({ violations: [] });
  });

  it("reports fewer than 365 days in prod", () => {
    expect(checkResource(logsRetentionProd, LOG_GROUP, { retentionInDays: 90 }, { tier: "prod" }).violations).toEqual([
      "retentionInDays is 90; prod log groups keep logs at least 365 days.",
    ]);
  });

  it("does not apply to staging", () => {
    expect(checkResource(logsRetentionProd, LOG_GROUP, { retentionInDays: 90 }, { tier: "staging" })).toEqual({
      violations: [],
      notApplicable: "applies to the prod tier(s); this stack is staging",
    });
  });
});

describe("logs-kms-prod", () => {
  it("passes a KMS-encrypted log group in prod", () => {
    expect(checkResource(logsKmsProd, LOG_GROUP, { retentionInDays: 365, kmsKeyId: KEY }, { tier: "prod" })).toEqual({ violations: [] });
  });

  it("reports a log group without a key in prod", () => {
    expect(checkResource(logsKmsProd, LOG_GROUP, { retentionInDays: 365 }, { tier: "prod" }).violations).toEqual([
      "kmsKeyId is not set; prod log groups must be encrypted with a KMS key.",
    ]);
  });

  it("does not apply to dev", () => {
    expect(checkResource(logsKmsProd, LOG_GROUP, { retentionInDays: 14 }, { tier: "dev" }).notApplicable).toBe(
      "applies to the prod tier(s); this stack is dev",
    );
  });
});
