import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, parseEnvironmentConfig, readStackFile, stackConfigFromText } from "../../infra/config";
import { problemsOf, rawConfig, service } from "./helpers";

const MANY = Array.from({ length: 101 }, (_, i) => `K${i}`);
const TEMPLATE = { required: ["LOG_LEVEL", "DATABASE_URL"], secrets: ["DATABASE_URL"] };

const api = (overrides: Record<string, unknown> = {}) =>
  service({
    path: "/api/*",
    environment: { LOG_LEVEL: "info" },
    secrets: { DATABASE_URL: "/delivery/dev/api/database-url" },
    ...overrides,
  });
const web = (overrides: Record<string, unknown> = {}) =>
  service({ name: "web", image: { repository: "delivery/web", tag: "sha-abc1234" }, port: 3000, ...overrides });

describe("delivery:envTemplate", () => {
  it("accepts services that give every required key, secret keys as references or secure values", () => {
    const config = parseEnvironmentConfig(
      rawConfig(
        {
          tier: "dev",
          envTemplate: TEMPLATE,
          services: [api(), web({ environment: { LOG_LEVEL: "warn", DATABASE_URL: "[secret]" } })],
        },
        { secretPaths: ["delivery:services[1].environment.DATABASE_URL"] },
      ),
    );

    expect(config.envTemplate).toEqual({ required: ["LOG_LEVEL", "DATABASE_URL"], secrets: ["DATABASE_URL"] });
  });

  it("leaves a stack without a template as it was", () => {
    const config = parseEnvironmentConfig(rawConfig({ tier: "dev", services: [service()] }));

    expect(config.envTemplate).toBeUndefined();
  });

  it("names each missing required key per service", () => {
    expect(problemsOf({ tier: "dev", envTemplate: TEMPLATE, services: [api(), web(), web({ name: "worker", path: "/w/*" })] })).toEqual([
      "Pulumi.dev.yaml: delivery:services[1].environment (web) is missing required key LOG_LEVEL (delivery:envTemplate.required); set it in environment (deployctl config set-env --service web LOG_LEVEL=...) or in secrets as an SSM parameter or Secrets Manager reference.",
      "Pulumi.dev.yaml: delivery:services[1].environment (web) is missing required key DATABASE_URL (delivery:envTemplate.required); add it to secrets as an SSM parameter or Secrets Manager reference (DATABASE_URL: /path/to/parameter).",
      "Pulumi.dev.yaml: delivery:services[2].environment (worker) is missing required key LOG_LEVEL (delivery:envTemplate.required); set it in environment (deployctl config set-env --service worker LOG_LEVEL=...) or in secrets as an SSM parameter or Secrets Manager reference.",
      "Pulumi.dev.yaml: delivery:services[2].environment (worker) is missing required key DATABASE_URL (delivery:envTemplate.required); add it to secrets as an SSM parameter or Secrets Manager reference (DATABASE_URL: /path/to/parameter).",
    ]);
  });

  it("counts a secret given as a list of names under the variable its name ends with", () => {
    const services = [api({ secrets: ["/delivery/dev/api/database-url"] })];

    expect(() => parseEnvironmentConfig(rawConfig({ tier: "dev", envTemplate: TEMPLATE, services }))).not.toThrow();
  });

  it("refuses a secret key given as plain text, in the environment and in the migration's, without showing the value", () => {
    const problems = problemsOf({
      tier: "dev",
      envTemplate: { secrets: ["DATABASE_URL"] },
      services: [
        api({
          secrets: undefined,
          environment: { DATABASE_URL: "postgres://admin:hunter2@db/app" },
          migration: { command: ["npm", "run", "migrate"], environment: { DATABASE_URL: "postgres://admin:hunter2@db/app" } },
        }),
      ],
    });

    expect(problems).toEqual([
      "Pulumi.dev.yaml: delivery:services[0].environment.DATABASE_URL (api) is a plaintext value, but DATABASE_URL is a secret key (delivery:envTemplate.secrets); move it to secrets as an SSM parameter or Secrets Manager reference, or set it with: pulumi config set --secret --path 'delivery:services[0].environment.DATABASE_URL' <value>.",
      "Pulumi.dev.yaml: delivery:services[0].migration.environment.DATABASE_URL (api) is a plaintext value, but DATABASE_URL is a secret key (delivery:envTemplate.secrets); move it to secrets as an SSM parameter or Secrets Manager reference, or set it with: pulumi config set --secret --path 'delivery:services[0].migration.environment.DATABASE_URL' <value>.",
    ]);
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("reads secure values from the stack file as secret and plain ones as plain", () => {
    const text = [
      "config:",
      "  aws:region: us-east-1",
      "  delivery:tier: dev",
      "  delivery:pipeline: { enabled: false }",
      "  delivery:envTemplate:",
      "    required: [API_KEY]",
      "    secrets: [API_KEY]",
      "  delivery:services:",
      "    - name: api",
      "      image: { repository: delivery/api, tag: sha-1 }",
      "      port: 8080",
      "      path: /api/*",
      "      environment:",
      "        API_KEY:",
      "          secure: AAABAGZha2UtY2lwaGVydGV4dA==",
      "    - name: web",
      "      image: { repository: delivery/web, tag: sha-1 }",
      "      port: 3000",
      "      environment:",
      "        API_KEY: plain-text-key",
      "",
    ].join("\n");

    expect(() => parseEnvironmentConfig(stackConfigFromText(text, { project: "delivery", stack: "dev" }))).toThrow(
      new ConfigError("Pulumi.dev.yaml", [
        {
          code: "plaintext-secret",
          path: "delivery:services[1].environment.API_KEY",
          message:
            "(web) is a plaintext value, but API_KEY is a secret key (delivery:envTemplate.secrets); move it to secrets as an SSM parameter or Secrets Manager reference, or set it with: pulumi config set --secret --path 'delivery:services[1].environment.API_KEY' <value>.",
        },
      ]),
    );
  });

  it("on Kubernetes takes delivery:kubernetes.secrets as the service's secrets, and refuses ECS secrets references", () => {
    const problems = problemsOf(
      {
        tier: "dev",
        runtime: "kubernetes",
        kubernetes: { prometheusUrl: "http://prometheus:9090", secrets: { web: { DATABASE_URL: "[secret]" } } },
        envTemplate: { required: ["DATABASE_URL"], secrets: ["DATABASE_URL"] },
        services: [api({ environment: {} }), web()],
      },
      { secretPaths: ["delivery:kubernetes.secrets.web.DATABASE_URL"] },
    );

    expect(problems).toEqual([
      `Pulumi.dev.yaml: delivery:services[0].secrets is {"DATABASE_URL":"/delivery/dev/api/database-url"}; a Kubernetes stack reads no Secrets Manager or SSM parameter: set the variable as a secure value in delivery:kubernetes.secrets.api (pulumi config set --secret --path 'delivery:kubernetes.secrets.api.DATABASE_URL' <value>), and remove it.`,
      "Pulumi.dev.yaml: delivery:services[0].environment (api) is missing required key DATABASE_URL (delivery:envTemplate.required); set it as a secure value in delivery:kubernetes.secrets.api.DATABASE_URL (pulumi config set --secret --path).",
    ]);
  });

  it("on Docker asks for a secure value in environment", () => {
    const problems = problemsOf(
      {
        tier: "dev",
        runtime: "docker",
        envTemplate: { required: ["TOKEN"], secrets: ["TOKEN"] },
        services: [service({ hostPort: 18080 })],
      },
      { extra: { "aws:region": undefined } },
    );

    expect(problems).toEqual([
      "Pulumi.dev.yaml: delivery:services[0].environment (api) is missing required key TOKEN (delivery:envTemplate.required); set it as a secure value: pulumi config set --secret --path 'delivery:services[0].environment.TOKEN' <value>.",
    ]);
  });

  it.each([
    [
      "a name with lowercase letters",
      { required: ["log_level"] },
      `Pulumi.dev.yaml: delivery:envTemplate.required[0] is "log_level"; expected an environment variable name: 1 to 128 characters: uppercase letters A to Z, digits and '_', not starting with a digit (e.g. LOG_LEVEL).`,
    ],
    [
      "a name starting with a digit",
      { secrets: ["1PASSWORD"] },
      `Pulumi.dev.yaml: delivery:envTemplate.secrets[0] is "1PASSWORD"; expected an environment variable name: 1 to 128 characters: uppercase letters A to Z, digits and '_', not starting with a digit (e.g. LOG_LEVEL).`,
    ],
    [
      "a name listed twice",
      { required: ["LOG_LEVEL", "LOG_LEVEL"] },
      `Pulumi.dev.yaml: delivery:envTemplate.required[1] is "LOG_LEVEL"; is listed twice (also at [0]); list each name once.`,
    ],
    [
      "a name too long",
      { required: ["A".repeat(129)] },
      `Pulumi.dev.yaml: delivery:envTemplate.required[0] is "${"A".repeat(129)}"; expected an environment variable name: 1 to 128 characters: uppercase letters A to Z, digits and '_', not starting with a digit (e.g. LOG_LEVEL).`,
    ],
    [
      "too many names",
      { required: MANY },
      `Pulumi.dev.yaml: delivery:envTemplate.required is ${JSON.stringify(MANY).slice(0, 77)}...; must list at most 100 names.`,
    ],
    [
      "an unknown key",
      { optional: ["X"] },
      "Pulumi.dev.yaml: delivery:envTemplate.optional is not a known key Known keys: required, secrets.",
    ],
  ])("refuses %s in the template", (_name, envTemplate, expected) => {
    const problems = problemsOf({ tier: "dev", envTemplate, services: [service()] });

    expect(problems).toEqual([expected]);
  });

  it("reports every template problem together with the rest of the config's", () => {
    const problems = problemsOf({
      tier: "dev",
      envTemplate: { required: ["LOG_LEVEL"], secrets: ["DATABASE_URL"] },
      services: [api({ cpu: 300, environment: { LOG_LEVEL: "info", DATABASE_URL: "plain" }, secrets: undefined }), web()],
      alarms: { p95LatencyMs: 2000 },
    });

    expect(problems.map((p) => p.split(" ").slice(1, 3).join(" "))).toEqual([
      "delivery:services[0].cpu is",
      "delivery:alarms.p95LatencyMs is",
      "delivery:services[0].environment.DATABASE_URL (api)",
      "delivery:services[1].environment (web)",
    ]);
  });
});

describe("the shipped stacks use the template", () => {
  const ROOT = join(__dirname, "..", "..");

  it.each(["local", "dev", "staging", "prod"])("%s requires LOG_LEVEL of every service and keeps DATABASE_URL secret", (stack) => {
    const config = parseEnvironmentConfig(readStackFile(ROOT, stack));

    expect(config.envTemplate).toEqual({ required: ["LOG_LEVEL"], secrets: ["DATABASE_URL"] });
    expect(config.services.map((s) => [s.name, "LOG_LEVEL" in s.environment])).toEqual([
      ["api", true],
      ["web", true],
    ]);
  });

  it.each(["dev", "staging", "prod"])("%s gives api's DATABASE_URL as an SSM reference", (stack) => {
    const api = parseEnvironmentConfig(readStackFile(ROOT, stack)).services[0];

    expect([api.secrets.DATABASE_URL, "DATABASE_URL" in api.environment]).toEqual([`/delivery/${stack}/api/database-url`, false]);
  });

  it("prod without web's LOG_LEVEL fails the config check, naming web", () => {
    const lines = readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8").split("\n");
    const webLog = lines.lastIndexOf("        LOG_LEVEL: warn"); // web's, after api's
    expect(lines[webLog - 1]).toBe("      environment:");
    const withoutWebLog = [...lines.slice(0, webLog - 1), ...lines.slice(webLog + 1)].join("\n");

    expect(() => parseEnvironmentConfig(stackConfigFromText(withoutWebLog, { project: "delivery", stack: "prod" }))).toThrow(
      "Pulumi.prod.yaml: delivery:services[1].environment (web) is missing required key LOG_LEVEL (delivery:envTemplate.required); set it in environment (deployctl config set-env --service web LOG_LEVEL=...) or in secrets as an SSM parameter or Secrets Manager reference.",
    );
  });
});
