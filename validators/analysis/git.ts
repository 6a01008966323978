import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { BadInputError, OperationalError } from "../core/errors";
import type { FileChange, FileStatus } from "./types";

/**
 * Reads the files changed between two commits with git (execFile, never a shell). A base that does
 * not resolve is bad input naming `--base`, except on a first commit (no parent) with the default
 * `HEAD~1`-style base: then every file of the head commit counts as added.
 */

export interface ChangedFiles {
  /** The repository's top-level folder. */
  repo: string;
  baseCommit: string | null;
  headCommit: string;
  firstCommit: boolean;
  files: FileChange[];
}

interface GitFailure {
  code: number | string | null;
  stderr: string;
}

class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly failure: GitFailure,
    options?: { cause?: unknown },
  ) {
    super(`git ${args.join(" ")} failed (${failure.code}): ${failure.stderr.trim()}`, options);
    this.name = "GitCommandError";
  }
}

function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" } },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        if ((err as NodeJS.ErrnoException).code === "ENOENT" && !stderr) {
          return reject(new OperationalError("git is not installed or not on PATH: deployctl analyze needs it", "git", { cause: err }));
        }
        const code = (err as { code?: number | string }).code ?? null;
        reject(new GitCommandError(args, { code, stderr: String(stderr) }, { cause: err }));
      },
    );
  });
}

/** The full commit id `ref` names, or undefined when it names no commit. */
async function resolveCommit(repo: string, ref: string): Promise<string | undefined> {
  try {
    return (await git(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`])).trim();
  } catch (err) {
    if (err instanceof GitCommandError) return undefined;
    throw err;
  }
}

function checkRef(flag: string, ref: string): void {
  if (ref === "" || ref.startsWith("-") || /[\s\0]/.test(ref)) {
    throw new BadInputError(
      `${flag} is ${JSON.stringify(ref)}; expected a commit, branch or tag (e.g. HEAD~1), not starting with '-' and without spaces`,
    );
  }
}

/** The repository's top-level folder, or a BadInputError naming `--repo`. */
export async function repositoryRoot(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new BadInputError(`--repo is ${JSON.stringify(dir)}: no such directory; pass the folder of a git repository`);
  try {
    return (await git(dir, ["rev-parse", "--show-toplevel"])).trim();
  } catch (err) {
    if (err instanceof GitCommandError) {
      throw new BadInputError(`--repo is ${JSON.stringify(dir)}: not a git work tree (${firstLine(err.failure.stderr)})`, { cause: err });
    }
    throw err;
  }
}

export async function changedFiles(dir: string, baseRef: string, headRef: string): Promise<ChangedFiles> {
  checkRef("--base", baseRef);
  checkRef("--head", headRef);
  const repo = await repositoryRoot(dir);
  const headCommit = await resolveCommit(repo, headRef);
  if (!headCommit) {
    throw new BadInputError(
      `--head is ${JSON.stringify(headRef)}: no such commit in ${repo}${await hint(repo)}; pass a commit, branch or tag that exists`,
    );
  }
  const baseCommit = await resolveCommit(repo, baseRef);
  if (!baseCommit) {
    if (isParentOf(baseRef, headRef) && (await parents(repo, headCommit)).length === 0) {
      const out = await git(repo, ["diff-tree", "--root", "-r", "--no-commit-id", "--name-status", "-z", "--no-renames", headCommit]);
      return { repo, baseCommit: null, headCommit, firstCommit: true, files: parseNameStatus(out) };
    }
    throw new BadInputError(
      `--base is ${JSON.stringify(baseRef)}: no such commit in ${repo}${await hint(repo)}; pass a commit, branch or tag that exists (e.g. HEAD~1)`,
    );
  }
  try {
    const out = await git(repo, ["diff", "--name-status", "-z", "-M", "--no-color", "--no-ext-diff", `${baseCommit}...${headCommit}`]);
    return { repo, baseCommit, headCommit, firstCommit: false, files: parseNameStatus(out) };
  } catch (err) {
    if (err instanceof GitCommandError && /no merge base/i.test(err.failure.stderr)) {
      throw new BadInputError(
        `--base ${JSON.stringify(baseRef)} and --head ${JSON.stringify(headRef)} share no history in ${repo}; pass a base on the head's history`,
        { cause: err },
      );
    }
    if (err instanceof GitCommandError)
      throw new OperationalError(`git could not compare ${baseRef} with ${headRef}: ${firstLine(err.failure.stderr)}`, "git diff", {
        cause: err,
      });
    throw err;
  }
}

/** `HEAD~1`, `HEAD^`, `HEAD~` (or the same after the head's own name): the default base, the head's parent. */
function isParentOf(baseRef: string, headRef: string): boolean {
  return [`${headRef}~1`, `${headRef}~`, `${headRef}^`, `${headRef}^1`].includes(baseRef);
}

async function parents(repo: string, commit: string): Promise<string[]> {
  const line = (await git(repo, ["rev-list", "--parents", "-n", "1", commit])).trim();
  return line.split(/\s+/).slice(1);
}

async function hint(repo: string): Promise<string> {
  const shallow = await git(repo, ["rev-parse", "--is-shallow-repository"]).catch(() => "false");
  if (shallow.trim() === "true") return " (the clone is shallow: fetch more history, e.g. `git fetch --unshallow`, or use a full clone)";
  const any = await resolveCommit(repo, "HEAD");
  return any ? "" : " (the repository has no commits yet)";
}

const STATUS: Record<string, FileStatus> = {
  A: "added",
  M: "modified",
  D: "deleted",
  R: "renamed",
  C: "copied",
  T: "type-changed",
  U: "unmerged",
};

/** Parses `git diff --name-status -z`: a status, then one path (two for renames and copies), NUL-separated. */
export function parseNameStatus(out: string): FileChange[] {
  const tokens = out.split("\0");
  const files: FileChange[] = [];
  let i = 0;
  while (i < tokens.length && tokens[i] !== "") {
    const letter = tokens[i][0];
    const status = STATUS[letter] ?? "unknown";
    if (letter === "R" || letter === "C") {
      files.push({ path: tokens[i + 2], status, previousPath: tokens[i + 1] });
      i += 3;
    } else {
      files.push({ path: tokens[i + 1], status });
      i += 2;
    }
  }
  return files;
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}
