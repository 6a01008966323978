import fs, { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseDocument } from "yaml";
import { parseEnvAssignments } from "../../validators/cli/commands/configSetEnv";
import { BadInputError } from "../../validators/core/errors";
import { main } from "../../validators/cli/main";
import { setEnvValues } from "../../validators/stackfile";
import { captureIO } from "../analysis/captureIO";

const FILE = `# dev: the first cloud stack
config:
  aws:region: us-east-1
  delivery:tier: dev
  delivery:pipeline:
    enabled: false
  # Every service's environment (README, delivery:envTemplate).
  delivery:envTemplate:
    required: [LOG_LEVEL, API_TIMEOUT_MS] # every service
    secrets: [DATABASE_URL]
  delivery:services:
    # The public API; deploys first.
    - name: api
      image:
        repository: delivery/api
        tag: sha-3f9c2a1 # set by the pipeline
      port: 8080
      path: /api/*
      environment:
        LOG_LEVEL: info # quiet in dev
        API_TIMEOUT_MS: "2000"
      secrets:
        DATABASE_URL: /delivery/dev/api/database-url
    - name: web
      image:
        repository: delivery/web
        tag: "sha-3f9c2a1"
      port: 3000
      dependsOn: [api]
      environment: { LOG_LEVEL: warn, API_TIMEOUT_MS: "1000" }
`;

const set = (text: string, service: string, edits: Record<string, string>) =>
  setEnvValues(
    "Pulumi.dev.yaml",
    text,
    "delivery",
    service,
    Object.entries(edits).map(([key, value]) => ({ key, value })),
  );

describe("setEnvValues", () => {
  it("changes only the value, keeping its comment and every other byte", () => {
    const update = set(FILE, "api", { LOG_LEVEL: "debug" });

    expect(update.text).toBe(FILE.replace("LOG_LEVEL: info # quiet in dev", "LOG_LEVEL: debug # quiet in dev"));
    expect(update.changes).toEqual([
      { key: "LOG_LEVEL", path: "delivery:services[0].environment.LOG_LEVEL", from: "info", to: "debug", changed: true },
    ]);
    expect(update.environmentPath).toBe("delivery:services[0].environment");
  });

  it("keeps a quoted value quoted and a flow map a flow map", () => {
    const update = set(FILE, "web", { API_TIMEOUT_MS: "1500", LOG_LEVEL: "error" });

    expect(update.text).toBe(
      FILE.replace('environment: { LOG_LEVEL: warn, API_TIMEOUT_MS: "1000" }', 'environment: { LOG_LEVEL: error, API_TIMEOUT_MS: "1500" }'),
    );
  });

  it.each([["2000"], ["true"], ["null"], [""]])("quotes %j so YAML reads it as text", (value) => {
    const text = FILE.replace("        LOG_LEVEL: info # quiet in dev\n", "");

    const update = set(text, "api", { LOG_LEVEL: value });

    expect(update.text).toContain(`        API_TIMEOUT_MS: "2000"\n        LOG_LEVEL: "${value}"\n`);
  });

  it.each([
    ["api", "2000", 'LOG_LEVEL: "2000" # quiet in dev'],
    ["api", "a b # not a comment", 'LOG_LEVEL: "a b # not a comment" # quiet in dev'],
    ["web", "x, y", 'environment: { LOG_LEVEL: "x, y", API_TIMEOUT_MS: "1000" }'],
    ["web", "{json}", 'environment: { LOG_LEVEL: "{json}", API_TIMEOUT_MS: "1000" }'],
  ])("in %s writes %j quoted where YAML would read it otherwise, and reads back exactly", (service, value, line) => {
    const update = set(FILE, service, { LOG_LEVEL: value });

    expect(update.text).toContain(line);
    const index = service === "api" ? 0 : 1;
    expect(parseDocument(update.text).getIn(["config", "delivery:services", index, "environment", "LOG_LEVEL"])).toBe(value);
  });

  it("keeps a single-quoted value single-quoted", () => {
    const text = FILE.replace("LOG_LEVEL: info # quiet in dev", "LOG_LEVEL: 'info' # quiet in dev");

    expect(set(text, "api", { LOG_LEVEL: "it's" }).text).toBe(text.replace("LOG_LEVEL: 'info' #", "LOG_LEVEL: 'it''s' #"));
  });

  it("fills an empty value", () => {
    const text = FILE.replace("LOG_LEVEL: info # quiet in dev", "LOG_LEVEL:");

    expect(set(text, "api", { LOG_LEVEL: "debug" }).text).toBe(FILE.replace("LOG_LEVEL: info # quiet in dev", "LOG_LEVEL: debug"));
  });

  it("adds a declared key the service does not have yet, and the environment when there is none", () => {
    const text = FILE.replace('      environment: { LOG_LEVEL: warn, API_TIMEOUT_MS: "1000" }\n', "");

    const update = set(text, "web", { LOG_LEVEL: "warn" });

    expect(update.text).toBe(`${text}      environment:\n        LOG_LEVEL: warn\n`);
    expect(update.changes).toEqual([
      { key: "LOG_LEVEL", path: "delivery:services[1].environment.LOG_LEVEL", from: null, to: "warn", changed: true },
    ]);
  });

  it("reports a value already set without editing", () => {
    const update = set(FILE, "api", { API_TIMEOUT_MS: "2000" });

    expect(update.text).toBe(FILE);
    expect(update.changes).toEqual([
      { key: "API_TIMEOUT_MS", path: "delivery:services[0].environment.API_TIMEOUT_MS", from: "2000", to: "2000", changed: false },
    ]);
  });

  it.each([
    [
      "a key the template does not declare, naming the declared ones",
      FILE,
      { FEATURE_X: "on" },
      "Pulumi.dev.yaml: FEATURE_X is not declared in delivery:envTemplate (it declares LOG_LEVEL, API_TIMEOUT_MS; secret: DATABASE_URL); config set-env sets only declared, non-secret keys. Add FEATURE_X to delivery:envTemplate.required first.",
    ],
    [
      "a secret key",
      FILE,
      { DATABASE_URL: "postgres://db" },
      "Pulumi.dev.yaml: DATABASE_URL is a secret key (delivery:envTemplate.secrets); config set-env writes plain text only. Set it with: pulumi config set --secret --path 'delivery:services[0].environment.DATABASE_URL' <value>, or reference an SSM parameter or Secrets Manager secret in delivery:services[0].secrets.",
    ],
    [
      "a secret key on a Kubernetes stack, naming its Secret",
      FILE.replace("  delivery:tier: dev\n", "  delivery:tier: dev\n  delivery:runtime: kubernetes\n"),
      { DATABASE_URL: "postgres://db" },
      "Pulumi.dev.yaml: DATABASE_URL is a secret key (delivery:envTemplate.secrets); config set-env writes plain text only. Set it with: pulumi config set --secret --path 'delivery:services[0].environment.DATABASE_URL' <value>, or in delivery:kubernetes.secrets.api.DATABASE_URL.",
    ],
    [
      "a key the service takes from a secrets reference",
      FILE.replace("    secrets: [DATABASE_URL]\n", "    secrets: []\n").replace(
        "required: [LOG_LEVEL, API_TIMEOUT_MS]",
        "required: [LOG_LEVEL, API_TIMEOUT_MS, DATABASE_URL]",
      ),
      { DATABASE_URL: "postgres://db" },
      "Pulumi.dev.yaml: DATABASE_URL comes from delivery:services[0].secrets (an SSM parameter or Secrets Manager reference); remove it there first to give api a plain value.",
    ],
    [
      "a key the service takes from a secret listed by name",
      FILE.replace("    secrets: [DATABASE_URL]\n", "    secrets: []\n")
        .replace("required: [LOG_LEVEL, API_TIMEOUT_MS]", "required: [LOG_LEVEL, API_TIMEOUT_MS, DATABASE_URL]")
        .replace("DATABASE_URL: /delivery/dev/api/database-url", "- /delivery/dev/api/database-url"),
      { DATABASE_URL: "postgres://db" },
      "Pulumi.dev.yaml: DATABASE_URL comes from delivery:services[0].secrets (an SSM parameter or Secrets Manager reference); remove it there first to give api a plain value.",
    ],
    [
      "a key the service takes from its Kubernetes Secret",
      `${FILE}  delivery:kubernetes:\n    secrets:\n      api:\n        LOG_LEVEL:\n          secure: AAABAGZha2U=\n`,
      { LOG_LEVEL: "debug" },
      "Pulumi.dev.yaml: LOG_LEVEL comes from delivery:kubernetes.secrets.api (a secure value); remove it there first to give api a plain value.",
    ],
    [
      "a plain value over a secure one",
      FILE.replace("LOG_LEVEL: info # quiet in dev", "LOG_LEVEL:\n          secure: AAABAGZha2U="),
      { LOG_LEVEL: "debug" },
      "Pulumi.dev.yaml: delivery:services[0].environment.LOG_LEVEL is a secure value; config set-env never replaces a secret with plain text. Use: pulumi config set --secret --path 'delivery:services[0].environment.LOG_LEVEL' <value>.",
    ],
    [
      "a file without a template",
      FILE.replace(/ {2}delivery:envTemplate:\n.*\n.*\n/, ""),
      { LOG_LEVEL: "debug" },
      "Pulumi.dev.yaml: config.delivery:envTemplate is missing; config set-env sets only keys a template declares. Add delivery:envTemplate: { required: [KEY, ...], secrets: [KEY, ...] } (README, delivery:envTemplate).",
    ],
    [
      "an invalid template",
      FILE.replace("secrets: [DATABASE_URL]", "secrets: [database_url]"),
      { LOG_LEVEL: "debug" },
      "Pulumi.dev.yaml: delivery:envTemplate.secrets[0]: expected an environment variable name: 1 to 128 characters: uppercase letters A to Z, digits and '_', not starting with a digit (e.g. LOG_LEVEL)",
    ],
  ])("refuses %s", (_name, text, edits, message) => {
    expect(() => set(text, "api", edits)).toThrow(new BadInputError(message));
  });

  it("refuses an unknown service, naming the services", () => {
    expect(() => set(FILE, "worker", { LOG_LEVEL: "debug" })).toThrow(
      new BadInputError(`Pulumi.dev.yaml: config.delivery:services has no service named "worker"; its services are api, web`),
    );
  });

  it("names every refused key at once", () => {
    expect(() => set(FILE, "api", { FEATURE_X: "on", LOG_LEVEL: "debug", DATABASE_URL: "x" })).toThrow(
      /^Pulumi\.dev\.yaml: FEATURE_X is not declared[^\n]*\nPulumi\.dev\.yaml: DATABASE_URL is a secret key[^\n]*$/,
    );
  });
});

describe("parseEnvAssignments", () => {
  it("splits at the first '=' so a value may hold '='", () => {
    expect(parseEnvAssignments(["LOG_LEVEL=debug", "QUERY=a=b", "EMPTY="])).toEqual([
      { key: "LOG_LEVEL", value: "debug" },
      { key: "QUERY", value: "a=b" },
      { key: "EMPTY", value: "" },
    ]);
  });

  it.each([
    [["LOG_LEVEL"], `KEY=VALUE argument "LOG_LEVEL" has no '='; expected KEY=VALUE, e.g. LOG_LEVEL=debug`],
    [
      ["log-level=debug"],
      `KEY=VALUE argument "log-level=debug": the key "log-level" is not an environment variable name: 1 to 128 characters: uppercase letters A to Z, digits and '_', not starting with a digit (e.g. LOG_LEVEL)`,
    ],
    [["A=1", "A=2"], "KEY=VALUE names A twice; give each key once"],
    [["A=" + "x".repeat(4097)], "KEY=VALUE: the value of A is 4097 characters; at most 4096"],
    [["A=line\nbreak"], "KEY=VALUE: the value of A holds a control character (a newline, tab...); config set-env writes one-line values"],
  ])("refuses %j", (args, message) => {
    expect(() => parseEnvAssignments(args)).toThrow(new BadInputError(message));
  });
});

describe("deployctl config set-env", () => {
  let dir: string;
  const stackFile = () => join(dir, "Pulumi.dev.yaml");
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "deployctl-set-env-"));
    writeFileSync(join(dir, "Pulumi.yaml"), "name: delivery\nruntime: nodejs\n");
    writeFileSync(stackFile(), FILE);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  const setEnv = (...args: string[]) => {
    const io = captureIO({ cwd: dir });
    return main(["node", "deployctl", "config", "set-env", ...args], io).then((code) => ({ code, out: io.out(), err: io.err() }));
  };

  it("writes the new values and prints them as a diff", async () => {
    const result = await setEnv("--stack", "dev", "--service", "api", "LOG_LEVEL=debug", "API_TIMEOUT_MS=2000");

    expect(result).toEqual({
      code: 0,
      out: [
        "Pulumi.dev.yaml: delivery:services[0].environment (api)",
        '- LOG_LEVEL: "info"',
        '+ LOG_LEVEL: "debug"',
        '  API_TIMEOUT_MS: "2000" (unchanged)',
        "Pulumi.dev.yaml: 1 value changed",
        "",
      ].join("\n"),
      err: "",
    });
    expect(readFileSync(stackFile(), "utf8")).toBe(FILE.replace("LOG_LEVEL: info #", "LOG_LEVEL: debug #"));
  });

  it("with --dry-run prints the change between two 'dry run' lines and writes nothing", async () => {
    const result = await setEnv("--stack", "dev", "--service", "web", "LOG_LEVEL=error", "--dry-run");

    expect(result).toEqual({
      code: 0,
      out: [
        "dry run: Pulumi.dev.yaml is checked, not written",
        "Pulumi.dev.yaml: delivery:services[1].environment (web)",
        '- LOG_LEVEL: "warn"',
        '+ LOG_LEVEL: "error"',
        "dry run: 1 value would change; Pulumi.dev.yaml was not written",
        "",
      ].join("\n"),
      err: "",
    });
    expect(readFileSync(stackFile(), "utf8")).toBe(FILE);
    expect(readdirSync(dir).sort()).toEqual(["Pulumi.dev.yaml", "Pulumi.yaml"]);
  });

  it("prints the same facts as JSON with -o json", async () => {
    const result = await setEnv("--stack", "dev", "--service", "web", "LOG_LEVEL=error", "--dry-run", "-o", "json");

    expect(JSON.parse(result.out)).toEqual({
      schemaVersion: 1,
      path: stackFile(),
      file: "Pulumi.dev.yaml",
      service: "web",
      environmentPath: "delivery:services[1].environment",
      changes: [{ key: "LOG_LEVEL", path: "delivery:services[1].environment.LOG_LEVEL", from: "warn", to: "error", changed: true }],
      dryRun: true,
      written: false,
    });
  });

  it.each([
    [["--service", "api", "LOG_LEVEL=x"], "deployctl: required option '-s, --stack <name>' not specified\n(run with --help for usage)\n"],
    [["--stack", "dev", "LOG_LEVEL=x"], "deployctl: required option '--service <name>' not specified\n(run with --help for usage)\n"],
    [["--stack", "dev", "--service", "api"], "deployctl: missing required argument 'KEY=VALUE'\n(run with --help for usage)\n"],
    [
      ["--stack", "dev", "--service", "api", "LOG_LEVEL=x", "-o", "yaml"],
      "deployctl: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are text, json, markdown.\n(run with --help for usage)\n",
    ],
    [
      ["--stack", "../etc", "--service", "api", "LOG_LEVEL=x"],
      `deployctl: --stack is "../etc"; expected a stack name: letters, digits, '_', '.' or '-'\n`,
    ],
    [
      ["--stack", "dev", "--service", "api", "LOG_LEVEL"],
      `deployctl: KEY=VALUE argument "LOG_LEVEL" has no '='; expected KEY=VALUE, e.g. LOG_LEVEL=debug\n`,
    ],
    [
      ["--stack", "dev", "--service", "api", "FEATURE_X=on"],
      "deployctl: Pulumi.dev.yaml: FEATURE_X is not declared in delivery:envTemplate (it declares LOG_LEVEL, API_TIMEOUT_MS; secret: DATABASE_URL); config set-env sets only declared, non-secret keys. Add FEATURE_X to delivery:envTemplate.required first.\n",
    ],
    [
      ["--stack", "dev", "--service", "api", "DATABASE_URL=postgres://db"],
      "deployctl: Pulumi.dev.yaml: DATABASE_URL is a secret key (delivery:envTemplate.secrets); config set-env writes plain text only. Set it with: pulumi config set --secret --path 'delivery:services[0].environment.DATABASE_URL' <value>, or reference an SSM parameter or Secrets Manager secret in delivery:services[0].secrets.\n",
    ],
  ])("exits 2 on %j, naming what is wrong, and leaves the file as it was", async (args, message) => {
    const result = await setEnv(...args);

    expect([result.code, result.err, result.out]).toEqual([2, message, ""]);
    expect(readFileSync(stackFile(), "utf8")).toBe(FILE);
  });

  it("writes nothing when the edited file would fail the config check, and lists its problems", async () => {
    writeFileSync(stackFile(), FILE.replace('API_TIMEOUT_MS: "1000" }', 'API_TIMEOUT_MS: "1000", DATABASE_URL: plain }'));
    const before = readFileSync(stackFile(), "utf8");

    const result = await setEnv("--stack", "dev", "--service", "api", "LOG_LEVEL=debug");

    expect([result.code, result.err]).toEqual([
      2,
      [
        "deployctl: the edited Pulumi.dev.yaml would not pass the config check, so nothing was written:",
        "Pulumi.dev.yaml: 1 problem in the stack config:",
        "  - Pulumi.dev.yaml: delivery:services[1].environment.DATABASE_URL (web) is a plaintext value, but DATABASE_URL is a secret key (delivery:envTemplate.secrets); move it to secrets as an SSM parameter or Secrets Manager reference, or set it with: pulumi config set --secret --path 'delivery:services[1].environment.DATABASE_URL' <value>.",
        "",
      ].join("\n"),
    ]);
    expect(readFileSync(stackFile(), "utf8")).toBe(before);
  });

  it("leaves the file untouched, and no temporary file, when the write fails (exit 4)", async () => {
    vi.spyOn(fs, "renameSync").mockImplementation(() => {
      throw Object.assign(new Error("EIO: i/o error, rename"), { code: "EIO" });
    });

    const result = await setEnv("--stack", "dev", "--service", "api", "LOG_LEVEL=debug");

    expect([result.code, result.err]).toEqual([
      4,
      `deployctl: cannot write ${stackFile()}: EIO: i/o error, rename; the file is unchanged\n`,
    ]);
    expect(readFileSync(stackFile(), "utf8")).toBe(FILE);
    expect(readdirSync(dir).sort()).toEqual(["Pulumi.dev.yaml", "Pulumi.yaml"]);
  });

  it("names the file and folder when the stack file is missing", async () => {
    const result = await setEnv("--stack", "prod", "--service", "api", "LOG_LEVEL=x");

    expect([result.code, result.err]).toEqual([
      2,
      `deployctl: Pulumi.prod.yaml cannot be read in ${dir} (ENOENT); pass --dir with the Pulumi project folder\n`,
    ]);
  });
});
