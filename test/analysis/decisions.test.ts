import { afterEach, describe, expect, it } from "vitest";
import { analyzeChanges } from "../../validators/analysis";
import type { Decision, FileChange, SuiteSpec } from "../../validators/analysis";
import { createRepo, type TempRepo } from "./gitRepo";

/** The starting tree every case changes: one or more files of each category. */
const BASE_TREE: Record<string, string> = {
  "package.json": "{}\n",
  Dockerfile: "FROM node:20\n",
  "src/pages/index.tsx": "export default 1;\n",
  "src/components/Button.tsx": "export const Button = 1;\n",
  "server/main.go": "package main\n",
  "server/views.py": "print('hello')\n",
  "api/handler.py": "def handler(): pass\n",
  "migrations/001_init.sql": "create table t (id int);\n",
  ".github/workflows/ci.yml": "on: push\n",
  "src/lib/util.ts": "export const x = 1;\n",
  "src/lib/util.test.ts": "test('x', () => {});\n",
  "README.md": "# app\n",
};

const SUITES: SuiteSpec[] = [
  { name: "unit", kind: "unit" },
  { name: "api", kind: "backend" },
  { name: "load", kind: "performance" },
];

interface Case {
  name: string;
  change: (repo: TempRepo) => void;
  decision: Decision;
  files: FileChange[];
  /** Which suites run, in SUITES order. */
  suitesRun: boolean[];
}

const everything = (rule: string, reason: string): Decision => ({
  rule,
  skip: false,
  runBuild: true,
  runDeploy: true,
  skipSuiteKinds: [],
  reason,
});

const cases: Case[] = [
  {
    name: "frontend only skips backend suites",
    change: (r) => r.commit({ "src/pages/index.tsx": "export default 2;\n", "src/components/Card.jsx": "x\n" }),
    decision: {
      rule: "frontend-only",
      skip: false,
      runBuild: true,
      runDeploy: true,
      skipSuiteKinds: ["backend"],
      reason: "only frontend files changed: backend suites are skipped",
    },
    files: [
      { path: "src/components/Card.jsx", status: "added" },
      { path: "src/pages/index.tsx", status: "modified" },
    ],
    suitesRun: [true, false, true],
  },
  {
    name: "backend only skips performance suites",
    change: (r) => r.commit({ "server/main.go": "package main // 2\n", "api/handler.py": "def handler(): return 2\n" }),
    decision: {
      rule: "backend-only",
      skip: false,
      runBuild: true,
      runDeploy: true,
      skipSuiteKinds: ["performance"],
      reason: "only backend files changed: performance suites are skipped",
    },
    files: [
      { path: "api/handler.py", status: "modified" },
      { path: "server/main.go", status: "modified" },
    ],
    suitesRun: [true, true, false],
  },
  {
    name: "config only skips unit suites and still builds and deploys",
    change: (r) => r.commit({ ".github/workflows/ci.yml": "on: [push]\n", "docker/compose.yml": "services: {}\n" }),
    decision: {
      rule: "config-only",
      skip: false,
      runBuild: true,
      runDeploy: true,
      skipSuiteKinds: ["unit"],
      reason: "only configuration files changed: unit suites are skipped; build and deploy run",
    },
    files: [
      { path: ".github/workflows/ci.yml", status: "modified" },
      { path: "docker/compose.yml", status: "added" },
    ],
    suitesRun: [false, true, true],
  },
  {
    name: "a root package.json change runs everything",
    change: (r) => r.commit({ "package.json": '{"name":"x"}\n', "src/pages/index.tsx": "export default 3;\n" }),
    decision: everything("shared-config", "shared configuration changed (package.json): everything runs"),
    files: [
      { path: "package.json", status: "modified" },
      { path: "src/pages/index.tsx", status: "modified" },
    ],
    suitesRun: [true, true, true],
  },
  {
    name: "a root Dockerfile change runs everything",
    change: (r) => r.commit({ Dockerfile: "FROM node:22\n" }),
    decision: everything("shared-config", "shared configuration changed (Dockerfile): everything runs"),
    files: [{ path: "Dockerfile", status: "modified" }],
    suitesRun: [true, true, true],
  },
  {
    name: "no change skips the run",
    change: (r) => r.commit({}, "empty"),
    decision: {
      rule: "no-change",
      skip: true,
      runBuild: false,
      runDeploy: false,
      skipSuiteKinds: [],
      reason: "no files changed between base and head: the run is skipped",
    },
    files: [],
    suitesRun: [false, false, false],
  },
  {
    name: "frontend and backend together run everything",
    change: (r) => r.commit({ "src/pages/index.tsx": "export default 4;\n", "server/main.go": "package main // 4\n" }),
    decision: everything("run-everything", "backend, frontend files changed and no rule covers that mix: everything runs"),
    files: [
      { path: "server/main.go", status: "modified" },
      { path: "src/pages/index.tsx", status: "modified" },
    ],
    suitesRun: [true, true, true],
  },
  {
    name: "a database migration alone runs everything",
    change: (r) => r.commit({ "migrations/002_users.sql": "create table users (id int);\n" }),
    decision: everything("run-everything", "database files changed and no rule covers them: everything runs"),
    files: [{ path: "migrations/002_users.sql", status: "added" }],
    suitesRun: [true, true, true],
  },
  {
    name: "a file no category matches runs everything",
    change: (r) => r.commit({ "README.md": "# app 2\n" }),
    decision: everything("run-everything", "other files changed and no rule covers them: everything runs"),
    files: [{ path: "README.md", status: "modified" }],
    suitesRun: [true, true, true],
  },
  {
    name: "a test file alone runs everything",
    change: (r) => r.commit({ "src/lib/util.test.ts": "test('y', () => {});\n" }),
    decision: everything("run-everything", "test files changed and no rule covers them: everything runs"),
    files: [{ path: "src/lib/util.test.ts", status: "modified" }],
    suitesRun: [true, true, true],
  },
  {
    name: "a rename inside the frontend is frontend only",
    change: (r) => r.rename("src/components/Button.tsx", "src/components/ui/Button.tsx"),
    decision: {
      rule: "frontend-only",
      skip: false,
      runBuild: true,
      runDeploy: true,
      skipSuiteKinds: ["backend"],
      reason: "only frontend files changed: backend suites are skipped",
    },
    files: [{ path: "src/components/ui/Button.tsx", status: "renamed", previousPath: "src/components/Button.tsx" }],
    suitesRun: [true, false, true],
  },
  {
    name: "a rename from backend to frontend counts both categories",
    change: (r) => r.rename("server/views.py", "src/pages/views.tsx"),
    decision: everything("run-everything", "backend, frontend files changed and no rule covers that mix: everything runs"),
    files: [{ path: "src/pages/views.tsx", status: "renamed", previousPath: "server/views.py" }],
    suitesRun: [true, true, true],
  },
  {
    name: "a deleted backend file is backend only",
    change: (r) => r.commit({ "server/main.go": null }),
    decision: {
      rule: "backend-only",
      skip: false,
      runBuild: true,
      runDeploy: true,
      skipSuiteKinds: ["performance"],
      reason: "only backend files changed: performance suites are skipped",
    },
    files: [{ path: "server/main.go", status: "deleted" }],
    suitesRun: [true, true, false],
  },
];

describe("analyzeChanges on real git repositories (default rules, base HEAD~1)", () => {
  let repo: TempRepo | undefined;
  afterEach(() => repo?.remove());

  it.each(cases)("$name", async (c) => {
    repo = createRepo();
    repo.commit(BASE_TREE, "base");
    c.change(repo);

    const result = await analyzeChanges({ repo: repo.dir, suites: SUITES });

    expect(result.decision).toEqual(c.decision);
    expect(
      result.files.map(({ path, status, previousPath }) =>
        previousPath === undefined ? { path, status } : { path, status, previousPath },
      ),
    ).toEqual(c.files);
    expect(result.suites.map((s) => s.run)).toEqual(c.suitesRun);
  });
});
