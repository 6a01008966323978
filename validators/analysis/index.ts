export { analyzeChanges, type AnalyzeOptions } from "./analyze";
export { classify, decide, decideServices, decideSuites, groupByCategory } from "./decide";
export { changedFiles, parseNameStatus, repositoryRoot, type ChangedFiles } from "./git";
export { loadRulesFile, parseRules, RulesError } from "./loadRules";
export { categorize, globToRegExp, matches } from "./match";
export { renderAnalysisText } from "./render";
export {
  analysisRulesSchema,
  analysisRulesShape,
  DEFAULT_ANALYSIS_RULES,
  OTHER_CATEGORY,
  type AnalysisRules,
  type AnalysisRulesInput,
  type CategoryRule,
  type DecisionRule,
  type PathMatcher,
} from "./rules";
export { parseSuites } from "./suites";
export * from "./types";
