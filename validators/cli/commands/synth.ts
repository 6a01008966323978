import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { StackDiff } from "../../../infra/synth/diff";
import type { SynthDocument } from "../../../infra/synth/synth";
import { writeFileAtomicSync } from "../../core/atomicWrite";
import type { RegisterCommand } from "../context";
import { BadInputError, OperationalError } from "../../core/errors";
import { ExitCode } from "../exitCodes";
import { println } from "../io";
import { outputOption } from "../options";
import type { OutputFormat } from "../../render/format";

interface SynthFlags {
  stack?: string[];
  dir: string;
  out: string;
  output: OutputFormat;
  diff?: string;
  verbose: boolean;
}

const HELP = `
Output: one table per stack (services, image, tasks, CPU / memory, autoscaling, alarm count, policy
verdict), then one line with the totals and where the renders are. --verbose adds the resource
count per type and each alarm with its threshold.

Policies: every rendered stack is checked against the policy pack (policy/), the same rules
\`pulumi preview --policy-pack policy\` enforces: mandatory in prod, advisory elsewhere. Violations
are printed per rule with the resource and the fix, and written to <out>/<stack>.json.

Plan diff: with --diff BASE_DIR (the base branch's out/synth), the stacks are compared with the
base's renders: resources added, removed, updated in place or replaced (with the changed inputs,
secrets masked; replacing a task definition, service or load balancer is flagged). The Markdown is
printed (sized for a PR comment) and written to <out>/diff-comment.md; the whole diff to <out>/diff.md.

Exit codes:
  0  rendered, no mandatory policy violation
  1  a mandatory policy violation
  2  bad input: invalid stack config (every problem listed), unknown --stack, bad --dir or --diff
  4  the tool itself failed (a policy rule threw)`;

export const registerSynth: RegisterCommand = (program, ctx) => {
  program
    .command("synth")
    .description(
      "Render stacks offline through Pulumi's mock runtime (no cloud account, no Pulumi CLI): print a summary per stack, check the policy pack, and write out/synth/<stack>.json with every resource (secrets masked).",
    )
    .option("-s, --stack <name...>", "stack(s) to render (default: every Pulumi.<stack>.yaml)")
    .option("--dir <dir>", "the Pulumi project directory", ".")
    .option("--out <dir>", "where to write <stack>.json", "out/synth")
    .option(
      "--diff <base-dir>",
      "compare with the renders in this directory (the base branch's out/synth) and print the plan diff as Markdown",
    )
    .addOption(outputOption())
    .option("--verbose", "with text output: every resource type with its count, and each alarm with its threshold", false)
    .addHelpText("after", HELP)
    .action(async (flags: SynthFlags) => {
      // The Pulumi program, its mock runtime and the policy pack load here, for synth only.
      const { ConfigError } = await import("../../../infra/config/index.js");
      const { commentMarkdown, diffMarkdown } = await import("../../../infra/synth/diffMarkdown.js");
      const { formatViolations, hasMandatoryViolation, PolicyEvaluationError } = await import("../../../infra/synth/policy.js");
      const { formatSummary, formatSummaryTable, formatSynthTotals } = await import("../../../infra/synth/summary.js");
      const { synthStack } = await import("../../../infra/synth/synth.js");
      const { listStacks } = await import("../../../contract/stackFiles.js");
      const dir = resolve(ctx.io.cwd, flags.dir);
      const out = resolve(ctx.io.cwd, flags.out);
      if (!existsSync(join(dir, "Pulumi.yaml"))) {
        throw new BadInputError(`--dir is "${flags.dir}"; it has no Pulumi.yaml (expected the project directory).`);
      }
      const base = flags.diff === undefined ? undefined : resolve(ctx.io.cwd, flags.diff);
      if (base !== undefined && !existsSync(base)) {
        throw new BadInputError(`--diff is "${flags.diff}"; no such directory (expected the base branch's out/synth).`);
      }
      const available = listStacks(dir);
      const stacks = flags.stack ?? available;
      for (const s of stacks) {
        if (!available.includes(s)) {
          throw new BadInputError(`--stack is "${s}"; there is no Pulumi.${s}.yaml in ${dir} (stacks: ${available.join(", ")}).`);
        }
      }
      const { jsonDocument, markdownOfText } = await import("../../render/document.js");
      const docs: SynthDocument[] = [];
      // Markdown (without --diff) is the text summaries in one fenced block, printed at the end.
      let markdown = "";
      let invalid = 0;
      for (const stack of stacks) {
        try {
          const doc = await synthStack(dir, stack);
          const file = writeSynthDocument(out, doc);
          docs.push(doc);
          if (flags.output === "text" && base === undefined && flags.verbose) {
            ctx.io.stdout(formatSummary(doc.summary, file));
            ctx.io.stdout(formatViolations(stack, doc.policy.violations));
          } else if (flags.output === "markdown") {
            markdown += formatSummary(doc.summary, file) + formatViolations(stack, doc.policy.violations);
          } else if (flags.output === "text" && base === undefined) {
            ctx.io.stdout(formatSummaryTable(doc.summary, doc.policy.violations));
            // Violations are what to fix: their rule, resource and fix are shown in either form.
            if (doc.policy.violations.length > 0) ctx.io.stdout(formatViolations(stack, doc.policy.violations));
          }
        } catch (err) {
          if (err instanceof PolicyEvaluationError)
            throw new OperationalError(`policy evaluation failed for stack ${stack}: ${err.message}`, undefined, { cause: err });
          if (!(err instanceof ConfigError)) throw err;
          invalid++;
          println(ctx.io.stderr, `deployctl: ${err.message}`);
        }
      }
      const mandatory = docs.filter((d) => hasMandatoryViolation(d.policy.violations));
      if (base !== undefined) {
        const diffs = await planDiff(base, docs, flags.stack === undefined);
        const full = diffMarkdown(diffs);
        writeFileSync(join(out, "diff.md"), full);
        const comment = commentMarkdown(full, relative(ctx.io.cwd, join(out, "diff.md")) || "diff.md");
        writeFileSync(join(out, "diff-comment.md"), comment);
        if (flags.output === "json") ctx.io.stdout(jsonDocument({ diffs }));
        else ctx.io.stdout(comment);
      } else if (flags.output === "text" && !flags.verbose && docs.length > 0) {
        const shown = relative(ctx.io.cwd, out);
        ctx.io.stdout(formatSynthTotals(docs, shown === "" ? "." : shown.startsWith("..") ? out : shown));
      } else if (flags.output === "json") {
        ctx.io.stdout(jsonDocument({ stacks: docs.map((d) => ({ ...d.summary, policy: d.policy })) }));
      } else if (flags.output === "markdown") {
        ctx.io.stdout(markdownOfText(`deployctl synth ${stacks.join(", ")}`, markdown));
      }
      for (const d of mandatory) {
        println(
          ctx.io.stderr,
          `deployctl: stack ${d.stack} has mandatory policy violations: ${[...new Set(d.policy.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy))].join(", ")}`,
        );
      }
      ctx.setExitCode(invalid > 0 ? ExitCode.BadInput : mandatory.length > 0 ? ExitCode.Fail : ExitCode.Ok);
    });
};

/** Diffs each rendered stack with the base's file of the same name; with every stack rendered, stacks gone from the tree too. */
async function planDiff(baseDir: string, docs: readonly SynthDocument[], allStacks: boolean): Promise<StackDiff[]> {
  const { diffStack } = await import("../../../infra/synth/diff.js");
  const readBase = (stack: string): SynthDocument | undefined => {
    const file = join(baseDir, `${stack}.json`);
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, "utf8")) as SynthDocument;
    } catch (err) {
      throw new BadInputError(`--diff: ${file} is not a synth document (${(err as Error).message}).`);
    }
  };
  const diffs = docs.map((d) => diffStack(d.stack, readBase(d.stack), d));
  if (allStacks) {
    const rendered = new Set(docs.map((d) => d.stack));
    for (const stack of listStacksIn(baseDir)) if (!rendered.has(stack)) diffs.push(diffStack(stack, readBase(stack), undefined));
  }
  return diffs;
}

function listStacksIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length));
}

/** Writes a stack's document to `<outDir>/<stack>.json` (atomically, mode 0600) and returns its path for display. */
function writeSynthDocument(outDir: string, doc: SynthDocument): string {
  const file = join(outDir, `${doc.stack}.json`);
  writeFileAtomicSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return relative(process.cwd(), file) || file;
}
