import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { analyzeChanges, changedFiles, parseNameStatus } from "../../validators/analysis";
import { BadInputError } from "../../validators/core/errors";
import { createRepo, type TempRepo } from "./gitRepo";

describe("changedFiles", () => {
  let repo: TempRepo | undefined;
  afterEach(() => repo?.remove());

  it("treats every file of a first commit as added when the base is the default HEAD~1", async () => {
    repo = createRepo();
    const head = repo.commit({ "src/pages/index.tsx": "x\n", "server/main.go": "package main\n" });

    const changes = await changedFiles(repo.dir, "HEAD~1", "HEAD");

    expect(changes).toEqual({
      repo: repo.git("rev-parse", "--show-toplevel"),
      baseCommit: null,
      headCommit: head,
      firstCommit: true,
      files: [
        { path: "server/main.go", status: "added" },
        { path: "src/pages/index.tsx", status: "added" },
      ],
    });
  });

  it("rejects a base that does not exist, naming --base and the value", async () => {
    repo = createRepo();
    repo.commit({ "a.txt": "a\n" });

    const err = await changedFiles(repo.dir, "release-42", "HEAD").catch((e: unknown) => e);

    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toBe(
      `--base is "release-42": no such commit in ${repo.git("rev-parse", "--show-toplevel")}; pass a commit, branch or tag that exists (e.g. HEAD~1)`,
    );
  });

  it("rejects an explicit base on a first commit instead of comparing with the empty tree", async () => {
    repo = createRepo();
    repo.commit({ "a.txt": "a\n" });

    const err = await changedFiles(repo.dir, "HEAD~2", "HEAD").catch((e: unknown) => e);

    expect((err as Error).message).toMatch(/^--base is "HEAD~2": no such commit in /);
  });

  it("rejects a head that does not exist, naming --head", async () => {
    repo = createRepo();
    repo.commit({ "a.txt": "a\n" });

    const err = await changedFiles(repo.dir, "HEAD~1", "nope").catch((e: unknown) => e);

    expect((err as Error).message).toBe(
      `--head is "nope": no such commit in ${repo.git("rev-parse", "--show-toplevel")}; pass a commit, branch or tag that exists`,
    );
  });

  it("says the repository has no commits yet when HEAD does not resolve", async () => {
    repo = createRepo();

    const err = await changedFiles(repo.dir, "HEAD~1", "HEAD").catch((e: unknown) => e);

    expect((err as Error).message).toMatch(/^--head is "HEAD": no such commit in .* \(the repository has no commits yet\); /);
  });

  it("rejects a ref that looks like an option before running git", async () => {
    const err = await changedFiles("/nonexistent", "--output=/tmp/x", "HEAD").catch((e: unknown) => e);

    expect((err as Error).message).toBe(
      `--base is "--output=/tmp/x"; expected a commit, branch or tag (e.g. HEAD~1), not starting with '-' and without spaces`,
    );
  });

  it("rejects a folder that is not a git work tree, naming --repo", async () => {
    const dir = mkdtempSync(join(tmpdir(), "deployctl-not-git-"));
    try {
      const err = await changedFiles(dir, "HEAD~1", "HEAD").catch((e: unknown) => e);

      expect(err).toBeInstanceOf(BadInputError);
      expect((err as Error).message).toMatch(new RegExp(`^--repo is "${dir}": not a git work tree \\(fatal: not a git repository`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a folder that does not exist, naming --repo", async () => {
    const err = await changedFiles("/nonexistent/deployctl", "HEAD~1", "HEAD").catch((e: unknown) => e);

    expect((err as Error).message).toBe(`--repo is "/nonexistent/deployctl": no such directory; pass the folder of a git repository`);
  });

  it("compares a range of several commits, not only the last one", async () => {
    repo = createRepo();
    const base = repo.commit({ "a.txt": "a\n" });
    repo.commit({ "server/main.go": "package main\n" });
    repo.commit({ "src/pages/index.tsx": "x\n" });

    const changes = await changedFiles(repo.dir, base, "HEAD");

    expect(changes.files).toEqual([
      { path: "server/main.go", status: "added" },
      { path: "src/pages/index.tsx", status: "added" },
    ]);
  });

  it("compares a branch with its merge base, leaving out what landed on the base since", async () => {
    repo = createRepo();
    repo.commit({ "a.txt": "a\n" });
    repo.git("checkout", "-q", "-b", "feature");
    repo.commit({ "src/pages/index.tsx": "x\n" });
    repo.git("checkout", "-q", "main");
    repo.commit({ "server/main.go": "package main\n" });

    const changes = await changedFiles(repo.dir, "main", "feature");

    expect(changes.files).toEqual([{ path: "src/pages/index.tsx", status: "added" }]);
  });

  it("rejects a base with no history in common with the head", async () => {
    repo = createRepo();
    repo.commit({ "a.txt": "a\n" });
    repo.git("checkout", "-q", "--orphan", "other");
    repo.commit({ "b.txt": "b\n" });

    const err = await changedFiles(repo.dir, "main", "other").catch((e: unknown) => e);

    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toBe(
      `--base "main" and --head "other" share no history in ${repo.git("rev-parse", "--show-toplevel")}; pass a base on the head's history`,
    );
  });

  it("works from a sub-folder of the repository and reports paths from its root", async () => {
    repo = createRepo();
    repo.commit({ "src/pages/a.tsx": "a\n" });
    repo.commit({ "src/pages/b.tsx": "b\n" });

    const changes = await changedFiles(join(repo.dir, "src"), "HEAD~1", "HEAD");

    expect(changes.files).toEqual([{ path: "src/pages/b.tsx", status: "added" }]);
  });
});

describe("parseNameStatus", () => {
  it.each([
    ["an added file", "A\0a.txt\0", [{ path: "a.txt", status: "added" }]],
    ["a rename with its score", "R087\0old/a.ts\0new/a.ts\0", [{ path: "new/a.ts", status: "renamed", previousPath: "old/a.ts" }]],
    ["a copy", "C100\0a.ts\0b.ts\0", [{ path: "b.ts", status: "copied", previousPath: "a.ts" }]],
    ["a type change", "T\0link\0", [{ path: "link", status: "type-changed" }]],
    ["a path with spaces and a newline", "M\0my dir/a\nb.ts\0", [{ path: "my dir/a\nb.ts", status: "modified" }]],
    ["nothing", "", []],
  ])("parses %s", (_name, out, files) => {
    expect(parseNameStatus(out)).toEqual(files);
  });
});

describe("analyzeChanges with custom rules", () => {
  let repo: TempRepo | undefined;
  afterEach(() => repo?.remove());

  it("skips the run when only ignored files changed", async () => {
    repo = createRepo();
    repo.commit({ "src/pages/index.tsx": "x\n" });
    repo.commit({ "docs/guide.md": "# guide\n" });
    const rules = {
      categories: [{ name: "frontend", prefixes: [], suffixes: [".tsx"], globs: [] }],
      ignore: { prefixes: ["docs/"], suffixes: [], globs: [] },
      sharedConfig: { prefixes: [], suffixes: [], globs: [] },
      decisions: [],
      services: {},
    };

    const result = await analyzeChanges({ repo: repo.dir, rules });

    expect(result.decision).toEqual({
      rule: "no-change",
      skip: true,
      runBuild: false,
      runDeploy: false,
      skipSuiteKinds: [],
      reason: "only ignored files changed (docs/guide.md): the run is skipped",
    });
    expect(result.categories).toEqual({ frontend: [], other: [], ignored: ["docs/guide.md"] });
  });
});
