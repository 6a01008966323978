import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A real, throw-away git repository for analysis tests. */
export interface TempRepo {
  dir: string;
  /** Runs git in the repository and returns its trimmed stdout. */
  git(...args: string[]): string;
  /** Writes the files, deletes the `null` ones, and commits everything; returns the commit id. */
  commit(files: Record<string, string | null>, message?: string): string;
  /** `git mv from to` then a commit. */
  rename(from: string, to: string): string;
  remove(): void;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

export function createRepo(): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), "deployctl-analyze-"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, ...GIT_ENV }, encoding: "utf8" }).trim();
  git("init", "-q", "-b", "main");
  let n = 0;
  return {
    dir,
    git,
    commit(files, message) {
      for (const [path, content] of Object.entries(files)) {
        const full = join(dir, path);
        if (content === null) {
          unlinkSync(full);
        } else {
          mkdirSync(dirname(full), { recursive: true });
          writeFileSync(full, content);
        }
      }
      git("add", "-A");
      git("commit", "-q", "--allow-empty", "-m", message ?? `commit ${++n}`);
      return git("rev-parse", "HEAD");
    },
    rename(from, to) {
      mkdirSync(dirname(join(dir, to)), { recursive: true });
      git("mv", from, to);
      git("commit", "-q", "-m", `rename ${from} to ${to}`);
      return git("rev-parse", "HEAD");
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
