import { z } from "zod";

/**
 * Change-analysis rules as plain, JSON-able data: which changed files belong to which category,
 * and what the pipeline does when only some categories changed. `analysisRulesSchema` validates a
 * (partial) rules object and fills every top-level key the caller left out from
 * `DEFAULT_ANALYSIS_RULES`, so `delivery:pipeline.analysis` and `deployctl analyze --rules FILE`
 * override the defaults key by key.
 */

const identifier = z
  .string({ error: "expected a name" })
  .regex(/^[a-z][a-z0-9_-]*$/, { error: "expected lowercase letters, digits, '-' or '_', starting with a letter (e.g. \"frontend\")" });

const pathPattern = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .min(1, { error: `expected ${what}, not an empty string` })
    .refine((p) => !p.startsWith("/") && !p.includes("\\"), {
      error: `expected ${what} relative to the repository root, with '/' separators and no leading '/'`,
    });

const globPattern = pathPattern('a glob such as "**/Dockerfile"').refine((p) => !/[[\]{}]/.test(p), {
  error: "expected a glob using only '*', '**' and '?' (braces and character classes are not supported: list each pattern)",
});

/** Which paths a category (or the ignore / shared-config lists) matches. Any one pattern is enough. */
export const pathMatcherSchema = z.strictObject({
  /** Folder prefixes such as `src/pages/`: match at the repository root or under any folder. @default [] */
  prefixes: z.array(pathPattern('a folder prefix such as "src/pages/"'), { error: "expected a list of folder prefixes" }).default([]),
  /** Endings such as `.tsx`. @default [] */
  suffixes: z
    .array(z.string({ error: 'expected a suffix such as ".tsx"' }).min(1, { error: 'expected a suffix such as ".tsx"' }), {
      error: "expected a list of suffixes",
    })
    .default([]),
  /** Globs over the whole path from the root: `*` within a folder, `**` across folders, `?` one character. @default [] */
  globs: z.array(globPattern, { error: "expected a list of globs" }).default([]),
});

export const categoryRuleSchema = pathMatcherSchema.extend({ name: identifier });

export const decisionRuleSchema = z.strictObject({
  name: identifier,
  /** Applies when every changed file is in one of these categories (`other` = files no category matched). */
  when: z.strictObject(
    { only: z.array(identifier, { error: "expected a list of categories" }).min(1, { error: "expected at least one category" }) },
    { error: "expected { only: [categories] }" },
  ),
  /** Suites of these kinds are skipped. @default [] */
  skipSuiteKinds: z.array(identifier, { error: "expected a list of suite kinds" }).default([]),
  /** @default true */
  runBuild: z.boolean({ error: "expected true or false" }).default(true),
  /** @default true */
  runDeploy: z.boolean({ error: "expected true or false" }).default(true),
  /** Why, for people: printed with the decision. */
  reason: z.string({ error: "expected a sentence saying why" }).min(1, { error: "expected a sentence saying why" }),
});

export type PathMatcher = z.output<typeof pathMatcherSchema>;
export type CategoryRule = z.output<typeof categoryRuleSchema>;
export type DecisionRule = z.output<typeof decisionRuleSchema>;

export interface AnalysisRules {
  /** In order: a file belongs to the first category that matches it, else to `other`. */
  categories: CategoryRule[];
  /** Files that never count as a change (docs, say). */
  ignore: PathMatcher;
  /** Files shared by everything: when one changes, everything runs. */
  sharedConfig: PathMatcher;
  /** In order: the first rule whose `when` holds decides. None holds: everything runs. */
  decisions: DecisionRule[];
  /** Service name -> folder prefix (`services/api/`), for monorepos: only changed services build. */
  services: Record<string, string>;
}

/** The category of files no category matches. Always present; decisions may name it. */
export const OTHER_CATEGORY = "other";

/** Names the output uses for itself: not available to categories or decision rules. */
const RESERVED_CATEGORIES = [OTHER_CATEGORY, "ignored"];
const RESERVED_DECISIONS = ["no-change", "shared-config", "run-everything"];

const none: PathMatcher = { prefixes: [], suffixes: [], globs: [] };

export const DEFAULT_ANALYSIS_RULES: AnalysisRules = {
  categories: [
    { name: "database", prefixes: ["migrations/", "prisma/", "drizzle/"], suffixes: [".sql"], globs: [] },
    {
      name: "config",
      prefixes: ["docker/", ".github/"],
      suffixes: [],
      globs: ["**/Dockerfile", "**/Dockerfile.*", "**/*.Dockerfile", "**/package.json"],
    },
    {
      name: "frontend",
      prefixes: ["src/pages/", "src/components/"],
      suffixes: [".tsx", ".jsx"],
      globs: ["**/tailwind.config.*"],
    },
    { name: "backend", prefixes: ["server/", "api/", "src/api/", "src/routes/"], suffixes: [".go", ".py"], globs: [] },
    {
      name: "test",
      prefixes: ["__tests__/"],
      suffixes: [".test.ts", ".spec.ts", ".test.js", ".spec.js"],
      globs: [],
    },
  ],
  ignore: none,
  sharedConfig: {
    prefixes: [],
    suffixes: [],
    globs: ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "Dockerfile"],
  },
  decisions: [
    {
      name: "frontend-only",
      when: { only: ["frontend"] },
      skipSuiteKinds: ["backend"],
      runBuild: true,
      runDeploy: true,
      reason: "only frontend files changed: backend suites are skipped",
    },
    {
      name: "backend-only",
      when: { only: ["backend"] },
      skipSuiteKinds: ["performance"],
      runBuild: true,
      runDeploy: true,
      reason: "only backend files changed: performance suites are skipped",
    },
    {
      name: "config-only",
      when: { only: ["config"] },
      skipSuiteKinds: ["unit"],
      runBuild: true,
      runDeploy: true,
      reason: "only configuration files changed: unit suites are skipped; build and deploy run",
    },
  ],
  services: {},
};

const servicePrefix = z
  .string({ error: 'expected a folder prefix such as "services/api/"' })
  .regex(/^(?!\/)[^\\]*\/$/, { error: "expected a folder prefix relative to the repository root, ending in '/' (e.g. \"services/api/\")" });

const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(", ");

/** The rules' keys and their types, before the cross-key checks (walk this one for known-key suggestions). */
export const analysisRulesShape = z.strictObject(
  {
    categories: z
      .array(categoryRuleSchema, { error: "expected a list of categories" })
      .min(1, { error: "expected at least one category" })
      .default(() => structuredClone(DEFAULT_ANALYSIS_RULES.categories)),
    ignore: pathMatcherSchema.default(() => structuredClone(DEFAULT_ANALYSIS_RULES.ignore)),
    sharedConfig: pathMatcherSchema.default(() => structuredClone(DEFAULT_ANALYSIS_RULES.sharedConfig)),
    decisions: z
      .array(decisionRuleSchema, { error: "expected a list of decision rules" })
      .default(() => structuredClone(DEFAULT_ANALYSIS_RULES.decisions)),
    services: z.record(identifier, servicePrefix, { error: "expected a map of service name to folder prefix" }).default(() => ({})),
  },
  { error: "expected a map with any of the keys categories, ignore, sharedConfig, decisions, services" },
);

/** Rules across keys: unique and unreserved names, categories that match something, decisions naming known categories. */
function crossCheck(rules: AnalysisRules, ctx: z.RefinementCtx): void {
  const issue = (path: PropertyKey[], input: unknown, message: string) => ctx.addIssue({ code: "custom", path, input, message });
  const names = rules.categories.map((c) => c.name);
  rules.categories.forEach((c, i) => {
    if (RESERVED_CATEGORIES.includes(c.name))
      issue(["categories", i, "name"], c.name, `${quoted(RESERVED_CATEGORIES)} are reserved: pick another name`);
    else if (names.indexOf(c.name) !== i)
      issue(["categories", i, "name"], c.name, `categories[${names.indexOf(c.name)}] has that name already: names must be unique`);
    if (c.prefixes.length + c.suffixes.length + c.globs.length === 0)
      issue(["categories", i], c, "matches nothing: give it prefixes, suffixes or globs");
  });
  const known = [...new Set([...names, OTHER_CATEGORY])];
  const decisionNames = rules.decisions.map((d) => d.name);
  rules.decisions.forEach((d, i) => {
    if (RESERVED_DECISIONS.includes(d.name))
      issue(["decisions", i, "name"], d.name, `${quoted(RESERVED_DECISIONS)} are reserved: pick another name`);
    else if (decisionNames.indexOf(d.name) !== i)
      issue(["decisions", i, "name"], d.name, `decisions[${decisionNames.indexOf(d.name)}] has that name already: names must be unique`);
    d.when.only.forEach((category, j) => {
      if (!known.includes(category)) issue(["decisions", i, "when", "only", j], category, `expected a category: ${known.join(", ")}`);
    });
  });
}

/**
 * A rules object: every top-level key optional, filled from DEFAULT_ANALYSIS_RULES, then
 * cross-checked (only once each key is valid on its own).
 */
export const analysisRulesSchema = analysisRulesShape.pipe(z.custom<AnalysisRules>().superRefine(crossCheck));

/** What `analysisRulesSchema` accepts (every key optional). */
export type AnalysisRulesInput = z.input<typeof analysisRulesSchema>;
