import { describe, expect, it } from "vitest";
import { displayLine, redactText as maskSecrets } from "../../validators/core/redact";

describe("maskSecrets", () => {
  it.each([
    ["ERROR db login failed password=hunter2 user=bob", "ERROR db login failed password=*** user=bob"],
    ['ERROR {"password": "hunter2", "user":"bob"}', 'ERROR {"password": ***, "user":"bob"}'],
    ["GET /x?token=abc123&page=2 failed", "GET /x?token=***&page=2 failed"],
    ["connecting to postgres://admin:s3cr3t@db:5432/app", "connecting to postgres://***@db:5432/app"],
    ["header Bearer abcdefghijklmnop rejected", "header Bearer *** rejected"],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl expired", "jwt *** expired"],
    ["key AKIAIOSFODNN7EXAMPLE used", "key *** used"],
    ["post to https://hooks.slack.com/services/T000/B000/XXXX failed", "post to *** failed"],
    ["AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", "AWS_SECRET_ACCESS_KEY=***"],
    ["api_key: abcdef ok", "api_key: *** ok"],
    ["Exception in thread main java.lang.NullPointerException", "Exception in thread main java.lang.NullPointerException"],
  ])("masks %j", (input, expected) => {
    expect(maskSecrets(input)).toBe(expected);
  });

  it("masks known secret values wherever they appear", () => {
    expect(maskSecrets("routing R0ut1ngK3y sent", ["R0ut1ngK3y"])).toBe("routing *** sent");
  });
});

describe("displayLine", () => {
  it("flattens, masks and shortens a line", () => {
    const line = displayLine(`ERROR\tfailed\npassword=x ${"a".repeat(300)}`, 40);

    expect(line).toBe(`ERROR failed password=*** ${"a".repeat(13)}…`);
    expect(line).toHaveLength(40);
  });
});
