import { classify, decide, decideServices, decideSuites, groupByCategory } from "./decide";
import { changedFiles } from "./git";
import { DEFAULT_ANALYSIS_RULES, type AnalysisRules } from "./rules";
import { ANALYSIS_SCHEMA_VERSION, type AnalysisResult, type SuiteSpec } from "./types";

export interface AnalyzeOptions {
  /** A folder inside the git work tree. */
  repo: string;
  /** @default "HEAD~1" */
  base?: string;
  /** @default "HEAD" */
  head?: string;
  /** @default DEFAULT_ANALYSIS_RULES */
  rules?: AnalysisRules;
  /** Configured suites, to say which run. @default [] */
  suites?: readonly SuiteSpec[];
}

/** Reads the changes between base and head with git and decides what the pipeline runs. */
export async function analyzeChanges(options: AnalyzeOptions): Promise<AnalysisResult> {
  const baseRef = options.base ?? "HEAD~1";
  const headRef = options.head ?? "HEAD";
  const rules = options.rules ?? DEFAULT_ANALYSIS_RULES;
  const changes = await changedFiles(options.repo, baseRef, headRef);
  const files = classify(rules, changes.files);
  const decision = decide(rules, files);
  return {
    schemaVersion: ANALYSIS_SCHEMA_VERSION,
    repo: changes.repo,
    base: { ref: baseRef, commit: changes.baseCommit },
    head: { ref: headRef, commit: changes.headCommit },
    firstCommit: changes.firstCommit,
    files,
    categories: groupByCategory(rules, files),
    decision,
    suites: decideSuites(decision, options.suites ?? []),
    services: decideServices(rules, decision, files),
  };
}
