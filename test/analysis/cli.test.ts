import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AnalysisResult } from "../../validators/analysis";
import { main } from "../../validators/cli/main";
import { captureIO } from "./captureIO";
import { createRepo, type TempRepo } from "./gitRepo";

const run = (io: ReturnType<typeof captureIO>, ...args: string[]) => main(["node", "deployctl", "analyze", ...args], io);

describe("deployctl analyze", () => {
  let repo: TempRepo;
  let base: string;
  let head: string;
  beforeEach(() => {
    repo = createRepo();
    base = repo.commit({ "src/pages/index.tsx": "1\n", "server/main.go": "package main\n" });
    head = repo.commit({ "src/pages/index.tsx": "2\n" });
  });
  afterEach(() => repo.remove());

  it("prints the analysis as JSON with --output json and exits 0", async () => {
    const io = captureIO({ cwd: repo.dir });

    const code = await run(io, "--output", "json", "--suites", "unit,api:backend");

    expect(code).toBe(0);
    const result = JSON.parse(io.out()) as AnalysisResult;
    expect(result).toEqual({
      schemaVersion: 1,
      repo: repo.git("rev-parse", "--show-toplevel"),
      base: { ref: "HEAD~1", commit: base },
      head: { ref: "HEAD", commit: head },
      firstCommit: false,
      files: [{ path: "src/pages/index.tsx", status: "modified", category: "frontend", ignored: false, shared: false }],
      categories: { database: [], config: [], frontend: ["src/pages/index.tsx"], backend: [], test: [], other: [], ignored: [] },
      decision: {
        rule: "frontend-only",
        skip: false,
        runBuild: true,
        runDeploy: true,
        skipSuiteKinds: ["backend"],
        reason: "only frontend files changed: backend suites are skipped",
      },
      suites: [
        { name: "unit", kind: "unit", run: true, reason: "kind unit is not skipped by frontend-only" },
        { name: "api", kind: "backend", run: false, reason: "frontend-only: only frontend files changed: backend suites are skipped" },
      ],
      services: null,
    });
  });

  it("prints a table for people by default", async () => {
    const io = captureIO({ cwd: repo.dir });

    const code = await run(io, "--suites", "unit,api:backend");

    expect(code).toBe(0);
    expect(io.out()).toBe(
      [
        `Changes from HEAD~1 (${base.slice(0, 7)}) to HEAD (${head.slice(0, 7)}) in ${repo.git("rev-parse", "--show-toplevel")}: 1 file`,
        "",
        "CATEGORY  STATUS    FILE",
        "frontend  modified  src/pages/index.tsx",
        "",
        "Decision: frontend-only: only frontend files changed: backend suites are skipped",
        "  run: yes  build: yes  deploy: yes  skipped suite kinds: backend",
        "",
        "SUITE  KIND     RUN  WHY",
        "unit   unit     yes  kind unit is not skipped by frontend-only",
        "api    backend  no   frontend-only: only frontend files changed: backend suites are skipped",
        "",
      ].join("\n"),
    );
  });

  it("reads --repo relative to the current directory and compares --base with --head", async () => {
    const io = captureIO({ cwd: join(repo.dir, "..") });

    const code = await run(io, "--repo", repo.dir.split("/").at(-1) as string, "--base", base, "--head", base, "--output", "json");

    expect(code).toBe(0);
    expect((JSON.parse(io.out()) as AnalysisResult).decision.rule).toBe("no-change");
  });

  it("applies --rules from a file", async () => {
    writeFileSync(join(repo.dir, "rules.yaml"), "services:\n  web: src/\n");
    const io = captureIO({ cwd: repo.dir });

    await run(io, "--rules", "rules.yaml", "--output", "json");

    expect((JSON.parse(io.out()) as AnalysisResult).services).toEqual([
      { name: "web", path: "src/", build: true, reason: "files under src/ changed (src/pages/index.tsx)" },
    ]);
  });

  it.each([
    [
      ["--base", "v9.9.9"],
      `deployctl: --base is "v9.9.9": no such commit in REPO; pass a commit, branch or tag that exists (e.g. HEAD~1)\n`,
    ],
    [
      ["--suites", "unit,Load Test"],
      `deployctl: --suites has "Load Test"; expected name or name:kind, each lowercase letters, digits, '-' or '_' starting with a letter (e.g. "unit,api-tests:backend,load:performance")\n`,
    ],
    [["--rules", "nope.yaml"], `deployctl: --rules is "nope.yaml": cannot read it (ENOENT)\n`],
    [
      ["--output", "yaml"],
      `deployctl: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are text, json, markdown.\n(run with --help for usage)\n`,
    ],
  ])("exits 2 on bad input %j", async (args, message) => {
    const io = captureIO({ cwd: repo.dir });

    const code = await run(io, ...args);

    expect(code).toBe(2);
    expect(io.err()).toBe(message.replace("REPO", repo.git("rev-parse", "--show-toplevel")));
    expect(io.out()).toBe("");
  });

  it("exits 2 naming the file and key when --rules is invalid", async () => {
    writeFileSync(join(repo.dir, "rules.yaml"), "services:\n  web: src\n");
    const io = captureIO({ cwd: repo.dir });

    const code = await run(io, "--rules", "rules.yaml");

    expect(code).toBe(2);
    expect(io.err()).toBe(
      `deployctl: rules.yaml: services.web is "src"; expected a folder prefix relative to the repository root, ending in '/' (e.g. "services/api/")\n`,
    );
  });
});
