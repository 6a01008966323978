import { describe, expect, it } from "vitest";
import { snsEncrypted } from "../../policy/sns";
import { checkResource } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1";

describe("sns-encrypted", () => {
  it("passes a topic with a KMS key", () => {
    expect(checkResource(snsEncrypted, "aws:sns/topic:Topic", { kmsMasterKeyId: KEY })).toEqual({ violations: [] });
  });

  it.each([
    [undefined, "kmsMasterKeyId is not set; the topic must be encrypted with a KMS key."],
    ["", 'kmsMasterKeyId is ""; the topic must be encrypted with a KMS key.'],
  ])("reports kmsMasterKeyId %j", (key, message) => {
    expect(checkResource(snsEncrypted, "aws:sns/topic:Topic", { kmsMasterKeyId: key }).violations).toEqual([message]);
  });
});
