import { categorize, matches, servicesOf } from "./match";
import { OTHER_CATEGORY, type AnalysisRules } from "./rules";
import type { ClassifiedFile, Decision, FileChange, ServiceDecision, SuiteDecision, SuiteSpec } from "./types";

/** Pure decision logic: from changed files and rules to categories, the run decision, suites and services. */

export function classify(rules: AnalysisRules, files: readonly FileChange[]): ClassifiedFile[] {
  return files.map((f) => {
    const paths = f.previousPath === undefined ? [f.path] : [f.path, f.previousPath];
    const out: ClassifiedFile = {
      ...f,
      category: categorize(rules, f.path),
      ignored: paths.every((p) => matches(rules.ignore, p)),
      shared: paths.some((p) => matches(rules.sharedConfig, p)),
    };
    if (f.previousPath !== undefined) {
      const previous = categorize(rules, f.previousPath);
      if (previous !== out.category) out.previousCategory = previous;
    }
    return out;
  });
}

/** Category -> changed paths, every category listed (in rule order, then `other` and `ignored`). */
export function groupByCategory(rules: AnalysisRules, files: readonly ClassifiedFile[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const c of rules.categories) groups[c.name] = [];
  groups[OTHER_CATEGORY] = [];
  groups.ignored = [];
  for (const f of files) {
    if (f.ignored) {
      groups.ignored.push(f.path);
      continue;
    }
    groups[f.category].push(f.path);
    if (f.previousCategory !== undefined) groups[f.previousCategory].push(f.previousPath as string);
  }
  return groups;
}

const runAll = (rule: string, reason: string): Decision => ({
  rule,
  skip: false,
  runBuild: true,
  runDeploy: true,
  skipSuiteKinds: [],
  reason,
});

/** The run decision: no change, shared config, the first matching rule, or everything. */
export function decide(rules: AnalysisRules, files: readonly ClassifiedFile[]): Decision {
  const counted = files.filter((f) => !f.ignored);
  if (counted.length === 0) {
    const reason =
      files.length === 0 ? "no files changed between base and head" : `only ignored files changed (${sample(files.map((f) => f.path))})`;
    return {
      rule: "no-change",
      skip: true,
      runBuild: false,
      runDeploy: false,
      skipSuiteKinds: [],
      reason: `${reason}: the run is skipped`,
    };
  }
  const shared = counted.filter((f) => f.shared).map((f) => f.path);
  if (shared.length > 0) return runAll("shared-config", `shared configuration changed (${sample(shared)}): everything runs`);
  const present = new Set<string>();
  for (const f of counted) {
    present.add(f.category);
    if (f.previousCategory !== undefined) present.add(f.previousCategory);
  }
  const rule = rules.decisions.find((d) => [...present].every((c) => d.when.only.includes(c)));
  if (rule) {
    return {
      rule: rule.name,
      skip: false,
      runBuild: rule.runBuild,
      runDeploy: rule.runDeploy,
      skipSuiteKinds: [...rule.skipSuiteKinds],
      reason: rule.reason,
    };
  }
  const categories = [...present].sort();
  return runAll(
    "run-everything",
    `${categories.join(", ")} files changed and no rule covers ${categories.length > 1 ? "that mix" : "them"}: everything runs`,
  );
}

export function decideSuites(decision: Decision, suites: readonly SuiteSpec[]): SuiteDecision[] {
  return suites.map((s) => {
    if (decision.skip) return { ...s, run: false, reason: decision.reason };
    if (decision.skipSuiteKinds.includes(s.kind)) return { ...s, run: false, reason: `${decision.rule}: ${decision.reason}` };
    return { ...s, run: true, reason: `kind ${s.kind} is not skipped by ${decision.rule}` };
  });
}

/** Which services build: none when the run or the build is skipped; all on shared config or a change outside every service. */
export function decideServices(rules: AnalysisRules, decision: Decision, files: readonly ClassifiedFile[]): ServiceDecision[] | null {
  const entries = Object.entries(rules.services);
  if (entries.length === 0) return null;
  const all = (build: boolean, reason: string) => entries.map(([name, path]) => ({ name, path, build, reason }));
  if (decision.skip) return all(false, decision.reason);
  if (!decision.runBuild) return all(false, `${decision.rule}: the build is skipped`);
  if (decision.rule === "shared-config") return all(true, decision.reason);
  const counted = files.filter((f) => !f.ignored).flatMap((f) => (f.previousPath === undefined ? [f.path] : [f.path, f.previousPath]));
  const outside = counted.filter((p) => servicesOf(rules, p).length === 0);
  if (outside.length > 0) return all(true, `files outside every service folder changed (${sample(outside)}): every service builds`);
  return entries.map(([name, path]) => {
    const mine = counted.filter((p) => p.startsWith(path));
    return mine.length > 0
      ? { name, path, build: true, reason: `files under ${path} changed (${sample(mine)})` }
      : { name, path, build: false, reason: `no file under ${path} changed` };
  });
}

/** Up to three paths, then "and N more". */
function sample(paths: readonly string[]): string {
  const unique = [...new Set(paths)];
  const head = unique.slice(0, 3).join(", ");
  return unique.length > 3 ? `${head} and ${unique.length - 3} more` : head;
}
