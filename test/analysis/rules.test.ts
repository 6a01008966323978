import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analysisRulesSchema, DEFAULT_ANALYSIS_RULES, loadRulesFile, parseRules, RulesError } from "../../validators/analysis";
import { BadInputError } from "../../validators/core/errors";

describe("analysisRulesSchema", () => {
  it("fills every key from the defaults when given an empty object", () => {
    expect(analysisRulesSchema.parse({})).toEqual(DEFAULT_ANALYSIS_RULES);
  });

  it("replaces only the keys it is given", () => {
    const rules = analysisRulesSchema.parse({ services: { api: "services/api/" } });

    expect(rules).toEqual({ ...DEFAULT_ANALYSIS_RULES, services: { api: "services/api/" } });
  });

  it("fills a decision's optional fields", () => {
    const rules = analysisRulesSchema.parse({
      decisions: [{ name: "docs-only", when: { only: ["other"] }, reason: "docs", runBuild: false }],
    });

    expect(rules.decisions).toEqual([
      { name: "docs-only", when: { only: ["other"] }, skipSuiteKinds: [], runBuild: false, runDeploy: true, reason: "docs" },
    ]);
  });

  it("does not share the default lists between parses", () => {
    const first = analysisRulesSchema.parse({});
    first.categories[0].prefixes.push("db/");

    expect(analysisRulesSchema.parse({}).categories[0].prefixes).toEqual(["migrations/", "prisma/", "drizzle/"]);
  });
});

describe("parseRules messages name the source, the key, the value and what is allowed", () => {
  it.each([
    [
      "a category name with spaces",
      { categories: [{ name: "Front End", suffixes: [".tsx"] }] },
      `rules.yaml: categories[0].name is "Front End"; expected lowercase letters, digits, '-' or '_', starting with a letter (e.g. "frontend")`,
    ],
    [
      "a list given as a number",
      { categories: [{ name: "web", prefixes: 5 }] },
      "rules.yaml: categories[0].prefixes is 5; expected a list of folder prefixes",
    ],
    [
      "an unknown top-level key",
      { decision: [] },
      "rules.yaml: decision is not a known key; known keys here: categories, ignore, sharedConfig, decisions, services",
    ],
    [
      "an unknown key in a decision",
      { decisions: [{ name: "a", when: { only: ["frontend"] }, reason: "r", skip: true }] },
      "rules.yaml: decisions[0].skip is not a known key; known keys here: name, when, skipSuiteKinds, runBuild, runDeploy, reason",
    ],
    [
      "a decision naming an unknown category",
      { decisions: [{ name: "mobile-only", when: { only: ["mobile"] }, reason: "r" }] },
      `rules.yaml: decisions[0].when.only[0] is "mobile"; expected a category: database, config, frontend, backend, test, other`,
    ],
    [
      "a service prefix without a trailing slash",
      { services: { api: "services/api" } },
      `rules.yaml: services.api is "services/api"; expected a folder prefix relative to the repository root, ending in '/' (e.g. "services/api/")`,
    ],
    [
      "a service name in capitals",
      { services: { API: "services/api/" } },
      `rules.yaml: services has the key "API"; expected lowercase letters, digits, '-' or '_', starting with a letter (e.g. "frontend")`,
    ],
    [
      "a glob with braces",
      { ignore: { globs: ["docs/{a,b}/**"] } },
      `rules.yaml: ignore.globs[0] is "docs/{a,b}/**"; expected a glob using only '*', '**' and '?' (braces and character classes are not supported: list each pattern)`,
    ],
    [
      "an absolute prefix",
      { ignore: { prefixes: ["/docs/"] } },
      `rules.yaml: ignore.prefixes[0] is "/docs/"; expected a folder prefix such as "src/pages/" relative to the repository root, with '/' separators and no leading '/'`,
    ],
    [
      "a reserved category name",
      { categories: [{ name: "other", suffixes: [".x"] }], decisions: [] },
      `rules.yaml: categories[0].name is "other"; "other", "ignored" are reserved: pick another name`,
    ],
    [
      "a reserved decision name",
      { decisions: [{ name: "no-change", when: { only: ["frontend"] }, reason: "r" }] },
      `rules.yaml: decisions[0].name is "no-change"; "no-change", "shared-config", "run-everything" are reserved: pick another name`,
    ],
    [
      "a category that matches nothing",
      { categories: [{ name: "web" }], decisions: [] },
      `rules.yaml: categories[0] is {"prefixes":[],"suffixes":[],"globs":[],"name":"web"}; matches nothing: give it prefixes, suffixes or globs`,
    ],
    [
      "a document that is not a map",
      "just a string",
      `rules.yaml: (rules) is "just a string"; expected a map with any of the keys categories, ignore, sharedConfig, decisions, services`,
    ],
  ])("reports %s", (_name, data, message) => {
    expect(() => parseRules("rules.yaml", data)).toThrow(new RulesError("rules.yaml", [message.slice("rules.yaml: ".length)]));
    expect(() => parseRules("rules.yaml", data)).toThrow(message);
  });

  it("reports every problem at once, one per line", () => {
    const data = { decisions: [{ name: "a", when: { only: ["frontend"] }, runBuild: "yes" }] };

    expect(() => parseRules("rules.yaml", data)).toThrow(
      [
        "rules.yaml: 2 problems in the analysis rules:",
        `  - rules.yaml: decisions[0].runBuild is "yes"; expected true or false`,
        "  - rules.yaml: decisions[0].reason is missing; expected a sentence saying why",
      ].join("\n"),
    );
  });

  it("says when a default decision names a category the file removed", () => {
    const data = { categories: [{ name: "web", suffixes: [".tsx"] }] };

    const err = (() => {
      try {
        parseRules("rules.yaml", data);
      } catch (e) {
        return e as RulesError;
      }
    })();

    expect(err?.problems).toEqual([
      `decisions[0].when.only[0] is "frontend"; expected a category: web, other (this is the default decisions: set decisions in the file too)`,
      `decisions[1].when.only[0] is "backend"; expected a category: web, other (this is the default decisions: set decisions in the file too)`,
      `decisions[2].when.only[0] is "config"; expected a category: web, other (this is the default decisions: set decisions in the file too)`,
    ]);
  });
});

describe("loadRulesFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "deployctl-rules-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads YAML relative to the given folder", async () => {
    writeFileSync(join(dir, "rules.yaml"), "# monorepo\nservices:\n  api: services/api/\n  web: services/web/\n");

    const rules = await loadRulesFile("rules.yaml", dir);

    expect(rules.services).toEqual({ api: "services/api/", web: "services/web/" });
  });

  it("reads JSON", async () => {
    writeFileSync(join(dir, "rules.json"), JSON.stringify({ ignore: { prefixes: ["docs/"] } }));

    const rules = await loadRulesFile(join(dir, "rules.json"));

    expect(rules.ignore).toEqual({ prefixes: ["docs/"], suffixes: [], globs: [] });
  });

  it("treats an empty file as the defaults", async () => {
    writeFileSync(join(dir, "empty.yaml"), "");

    expect(await loadRulesFile("empty.yaml", dir)).toEqual(DEFAULT_ANALYSIS_RULES);
  });

  it("names the file and line of a syntax error", async () => {
    writeFileSync(join(dir, "broken.yaml"), "services:\n  api: [services/api/\n");

    const err = await loadRulesFile("broken.yaml", dir).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RulesError);
    expect((err as Error).message).toMatch(/^broken\.yaml: is not valid YAML or JSON: .+ \(line \d+\)$/);
  });

  it("names --rules and the path when the file cannot be read", async () => {
    const err = await loadRulesFile("missing.yaml", dir).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toBe(`--rules is "missing.yaml": cannot read it (ENOENT)`);
  });
});
