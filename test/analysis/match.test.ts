import { describe, expect, it } from "vitest";
import { categorize, DEFAULT_ANALYSIS_RULES, globToRegExp, matches } from "../../validators/analysis";

describe("globToRegExp", () => {
  it.each([
    ["**/Dockerfile", "Dockerfile", true],
    ["**/Dockerfile", "services/api/Dockerfile", true],
    ["**/Dockerfile", "services/api/Dockerfile.dev", false],
    ["docs/**", "docs/a/b.md", true],
    ["docs/**", "docs", false],
    ["docs/**", "src/docs/a.md", false],
    ["*.md", "README.md", true],
    ["*.md", "docs/README.md", false],
    ["src/**/*.test.ts", "src/a.test.ts", true],
    ["src/**/*.test.ts", "src/a/b/c.test.ts", true],
    ["file?.txt", "file1.txt", true],
    ["file?.txt", "file/.txt", false],
    ["a.b+c(d)", "a.b+c(d)", true],
    ["a.b+c(d)", "aXb+c(d)", false],
  ])("%s against %s is %s", (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});

describe("matches", () => {
  it.each([
    ["a prefix at the root", { prefixes: ["src/pages/"], suffixes: [], globs: [] }, "src/pages/a.ts", true],
    ["a prefix under a folder", { prefixes: ["src/pages/"], suffixes: [], globs: [] }, "apps/web/src/pages/a.ts", true],
    ["a prefix inside a folder name", { prefixes: ["api/"], suffixes: [], globs: [] }, "myapi/a.go", false],
    ["a suffix", { prefixes: [], suffixes: [".sql"], globs: [] }, "db/x.sql", true],
    ["nothing", { prefixes: [], suffixes: [], globs: [] }, "a", false],
  ])("%s", (_name, matcher, path, expected) => {
    expect(matches(matcher, path)).toBe(expected);
  });
});

describe("categorize with the default rules", () => {
  it.each([
    ["src/pages/index.ts", "frontend"],
    ["src/components/Button.ts", "frontend"],
    ["src/components/Button.test.tsx", "frontend"],
    ["web/App.jsx", "frontend"],
    ["tailwind.config.js", "frontend"],
    ["server/main.ts", "backend"],
    ["api/users.ts", "backend"],
    ["src/api/users.ts", "backend"],
    ["src/routes/users.ts", "backend"],
    ["tools/gen.go", "backend"],
    ["scripts/seed.py", "backend"],
    ["server/users.test.ts", "backend"],
    ["migrations/001.py", "database"],
    ["prisma/schema.prisma", "database"],
    ["drizzle/0001.ts", "database"],
    ["db/views.sql", "database"],
    ["docker/compose.yml", "config"],
    [".github/workflows/ci.yml", "config"],
    ["services/api/Dockerfile", "config"],
    ["services/api/package.json", "config"],
    ["server/Dockerfile", "config"],
    ["src/lib/a.test.ts", "test"],
    ["src/lib/a.spec.ts", "test"],
    ["src/__tests__/a.ts", "test"],
    ["README.md", "other"],
    ["src/lib/a.ts", "other"],
  ])("%s is %s", (path, category) => {
    expect(categorize(DEFAULT_ANALYSIS_RULES, path)).toBe(category);
  });
});
