import { describe, expect, it } from "vitest";
import { MASK, redact, redactText, redactUrl, SecretRegistry } from "../../validators/records";

describe("redact", () => {
  it.each([
    ["webhookUrl", "https://example.test/hook", MASK],
    ["slackWebhook", "anything", MASK],
    ["routingKey", "R0UTINGKEY", MASK],
    ["routing_key", "R0UTINGKEY", MASK],
    ["apiKey", "abc", MASK],
    ["key", "abc", MASK],
    ["token", "abc", MASK],
    ["sessionToken", "abc", MASK],
    ["password", "hunter2", MASK],
    ["dbSecret", "s3cr3t", MASK],
    ["Authorization", "Bearer x", MASK],
    ["imageTag", "sha-abc1234", "sha-abc1234"],
    ["taskDefinitionArn", "arn:aws:ecs:eu-west-1:1:task-definition/api:3", "arn:aws:ecs:eu-west-1:1:task-definition/api:3"],
    [
      "dashboardUrl",
      "https://console.aws.amazon.com/cloudwatch/home#dashboards:name=staging",
      "https://console.aws.amazon.com/cloudwatch/home#dashboards:name=staging",
    ],
    [
      "url",
      "https://user:pw@api.example.test/health?token=abc&page=2",
      `https://${MASK}@api.example.test/health?token=${encodeURIComponent(MASK)}&page=2`,
    ],
  ])("masks the value of %s when it is a secret (%s)", (key, value, expected) => {
    expect(redact({ [key]: value })).toEqual({ [key]: expected });
  });

  it("masks registered secret values wherever they appear, in nested objects and arrays", () => {
    const secrets = new SecretRegistry();
    secrets.add("R0UTINGKEY-1234");
    const input = { actions: [{ message: "pagerduty refused routing key R0UTINGKEY-1234", details: { echo: ["R0UTINGKEY-1234"] } }] };

    expect(redact(input, secrets.values())).toEqual({
      actions: [{ message: `pagerduty refused routing key ${MASK}`, details: { echo: [MASK] } }],
    });
  });

  it("masks Slack webhook URLs by their shape even when nobody registered them", () => {
    expect(redactText("POST https://hooks.slack.com/services/T000/B000/XXXXXXXX failed")).toBe(`POST ${MASK} failed`);
  });

  it("does not change its input", () => {
    const input = { token: "abc", nested: { password: "pw" } };

    redact(input);

    expect(input).toEqual({ token: "abc", nested: { password: "pw" } });
  });

  it("keeps numbers, booleans and null as they are", () => {
    expect(redact({ count: 3, ok: true, none: null, key: null })).toEqual({ count: 3, ok: true, none: null, key: null });
  });

  it("ignores registered values too short to be secrets", () => {
    const secrets = new SecretRegistry();
    secrets.add("ab");

    expect(redactText("tab", secrets.values())).toBe("tab");
  });

  it("treats a url value that is not a URL as text", () => {
    expect(redactUrl("not a url")).toBe("not a url");
  });
});
