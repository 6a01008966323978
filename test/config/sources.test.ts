import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnvironmentConfig, readStackFile, SECRET_PLACEHOLDER } from "../../infra/config";

function projectWith(stackYaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "delivery-config-"));
  writeFileSync(join(dir, "Pulumi.yaml"), "name: shop\nruntime: nodejs\n");
  writeFileSync(join(dir, "Pulumi.test.yaml"), stackYaml);
  return dir;
}

const SERVICES = `
  delivery:services:
    - name: api
      image: { repository: shop/api, tag: sha-1 }
      port: 80
`;

describe("readStackFile", () => {
  it("reads the project name and every config key", () => {
    const raw = readStackFile(projectWith(`config:\n  aws:region: eu-west-1\n  delivery:tier: dev\n${SERVICES}`), "test");
    expect(raw.project).toBe("shop");
    expect(raw.file).toBe("Pulumi.test.yaml");
    expect(raw.values["aws:region"]).toBe("eu-west-1");
    expect(raw.values["delivery:services"]).toEqual([{ name: "api", image: { repository: "shop/api", tag: "sha-1" }, port: 80 }]);
  });

  it("marks nested secure values as secrets and never keeps their ciphertext", () => {
    const raw = readStackFile(
      projectWith(
        `config:\n  aws:region: eu-west-1\n  delivery:tier: dev\n${SERVICES}  delivery:notifications:\n    slackWebhookUrl:\n      secure: v1:AAAAciphertext\n    pagerDutyRoutingKey: plain\n`,
      ),
      "test",
    );
    expect(raw.values["delivery:notifications"]).toEqual({ slackWebhookUrl: SECRET_PLACEHOLDER, pagerDutyRoutingKey: "plain" });
    expect(raw.isSecret("delivery:notifications.slackWebhookUrl")).toBe(true);
    expect(raw.isSecret("delivery:notifications.pagerDutyRoutingKey")).toBe(false);
  });

  it("lets a secure Slack webhook through and rejects the plaintext routing key beside it", () => {
    const raw = readStackFile(
      projectWith(
        `config:\n  aws:region: eu-west-1\n  delivery:tier: dev\n${SERVICES}  delivery:notifications:\n    slackWebhookUrl:\n      secure: v1:AAAA\n    pagerDutyRoutingKey: plain\n`,
      ),
      "test",
    );
    expect(() => parseEnvironmentConfig(raw)).toThrow(
      "Pulumi.test.yaml: delivery:notifications.pagerDutyRoutingKey is a plaintext value; it must be a Pulumi secret.",
    );
  });

  it("reports a file that is not YAML as a ConfigError naming the file", () => {
    expect(() => readStackFile(projectWith("config: [unclosed\n"), "test")).toThrow(ConfigError);
    expect(() => readStackFile(projectWith("config: [unclosed\n"), "test")).toThrow(/^Pulumi\.test\.yaml: 1 problem/);
  });

  it("reports a missing stack file", () => {
    expect(() => readStackFile(projectWith(""), "nope")).toThrow(/Pulumi\.nope\.yaml: \(file\) cannot be read/);
  });
});

describe("the shipped stack files", () => {
  it.each(["local", "dev", "staging", "prod"])("Pulumi.%s.yaml parses with no problem", (stack) => {
    const config = parseEnvironmentConfig(readStackFile(join(__dirname, "..", ".."), stack));
    expect(config.tier).toBe(stack);
    expect(config.services.map((s) => s.name)).toEqual(["api", "web"]);
  });
});
