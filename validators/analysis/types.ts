/**
 * The result of `deployctl analyze`: what `--output json` prints and what the build and test
 * buildspecs read. Field names are a contract (schemaVersion bumps when one changes meaning).
 */
export const ANALYSIS_SCHEMA_VERSION = 1;

export type FileStatus = "added" | "modified" | "deleted" | "renamed" | "copied" | "type-changed" | "unmerged" | "unknown";

/** One path git reports as changed between base and head. */
export interface FileChange {
  path: string;
  status: FileStatus;
  /** The path before a rename or copy. */
  previousPath?: string;
}

/** A changed file with what the rules make of it. */
export interface ClassifiedFile extends FileChange {
  /** The category of `path` (`other` when no category matches). */
  category: string;
  /** The category of `previousPath`, when it is a rename or copy from another category. */
  previousCategory?: string;
  /** Matches the ignore list: never counts as a change. */
  ignored: boolean;
  /** Matches the shared-config list: everything runs. */
  shared: boolean;
}

export interface Decision {
  /** `no-change`, `shared-config`, a decision rule's name, or `run-everything`. */
  rule: string;
  /** Skip the whole run: nothing is built, tested or deployed. */
  skip: boolean;
  runBuild: boolean;
  runDeploy: boolean;
  /** Suites of these kinds are skipped. */
  skipSuiteKinds: string[];
  /** Why, for people. */
  reason: string;
}

/** A test suite as `--suites` names it: `name` or `name:kind` (the kind defaults to the name). */
export interface SuiteSpec {
  name: string;
  kind: string;
}

export interface SuiteDecision extends SuiteSpec {
  run: boolean;
  reason: string;
}

export interface ServiceDecision {
  name: string;
  /** The service's folder prefix. */
  path: string;
  build: boolean;
  reason: string;
}

export interface AnalysisResult {
  schemaVersion: typeof ANALYSIS_SCHEMA_VERSION;
  /** The repository's top-level folder. */
  repo: string;
  /** `commit` is null on a first commit (no parent to compare with). */
  base: { ref: string; commit: string | null };
  head: { ref: string; commit: string };
  firstCommit: boolean;
  files: ClassifiedFile[];
  /** Every category (and `other`, `ignored`) with the changed paths in it, in rule order. */
  categories: Record<string, string[]>;
  decision: Decision;
  /** One entry per suite given with `--suites`, in that order. */
  suites: SuiteDecision[];
  /** One entry per service of the rules' `services` map; null when the map is empty. */
  services: ServiceDecision[] | null;
}
