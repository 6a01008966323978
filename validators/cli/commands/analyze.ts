import { resolve } from "node:path";
import type { RegisterCommand } from "../context";
import { ExitCode } from "../exitCodes";
import { outputOption } from "../options";
import type { OutputFormat } from "../../render/format";

interface AnalyzeFlags {
  repo?: string;
  base: string;
  head: string;
  rules?: string;
  suites?: string;
  output: OutputFormat;
}

/** `deployctl analyze`: classify the files changed between two commits and decide what the pipeline runs. */
export const registerAnalyze: RegisterCommand = (program, ctx) => {
  program
    .command("analyze")
    .description("Classify the files changed between two commits and decide what the pipeline runs (build, suites, deploy).")
    .option("--repo <dir>", "a folder of the git repository (default: the current directory)")
    .option("--base <ref>", "the commit to compare from; on a first commit the default compares with the empty tree", "HEAD~1")
    .option("--head <ref>", "the commit to compare to", "HEAD")
    .option(
      "--rules <file>",
      "JSON or YAML rules; each top-level key (categories, ignore, sharedConfig, decisions, services) replaces the default's",
    )
    .option(
      "--suites <list>",
      "configured suites as name or name:kind, comma-separated (kind defaults to name), e.g. unit,api:backend,load:performance",
    )
    .addOption(outputOption())
    .addHelpText(
      "after",
      `
Categories (first match wins): database, config, frontend, backend, test; anything else is "other".
Decisions, first that applies (the default rules; a --rules file's decisions replace the last three):
  no change       no file changed, or only ignored files: the run is skipped
  shared config   root package.json, a lock file or the root Dockerfile changed: everything runs
  frontend-only   only frontend files changed: backend suites are skipped
  backend-only    only backend files changed: performance suites are skipped
  config-only     only configuration files changed: unit suites are skipped; build and deploy run
  anything else   any other mix (database or test files included): everything runs

Exit codes:
  0  analysed (whatever the decision)
  2  bad input (--repo, --base, --head, --rules, --suites)
  4  git could not run`,
    )
    .action(async (flags: AnalyzeFlags) => {
      const { analyzeChanges, loadRulesFile, parseSuites, renderAnalysisText } = await import("../../analysis/index.js");
      const suites = flags.suites === undefined ? [] : parseSuites(flags.suites);
      const rules = flags.rules === undefined ? undefined : await loadRulesFile(flags.rules, ctx.io.cwd);
      const result = await analyzeChanges({
        repo: resolve(ctx.io.cwd, flags.repo ?? "."),
        base: flags.base,
        head: flags.head,
        rules,
        suites,
      });
      const { markdownOfText } = await import("../../render/document.js");
      ctx.io.stdout(
        flags.output === "json"
          ? `${JSON.stringify(result, null, 2)}\n`
          : flags.output === "markdown"
            ? markdownOfText(`deployctl analyze ${flags.base}..${flags.head}`, renderAnalysisText(result))
            : renderAnalysisText(result),
      );
      ctx.setExitCode(ExitCode.Ok);
    });
};
