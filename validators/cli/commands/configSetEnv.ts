import { resolve } from "node:path";
import type { Command } from "commander";
import { ENV_KEY_PATTERN, ENV_KEY_RULE, ENV_TEMPLATE_LIMITS, hasControlCharacter } from "../../../contract/envKeys";
import type { EnvEdit } from "../../stackfile";
import type { SetEnvResult } from "../../workflows/setEnv";
import type { CliContext } from "../context";
import { BadInputError } from "../../core/errors";
import { ExitCode, exitCodesHelp } from "../exitCodes";
import { outputOption } from "../options";
import type { OutputFormat } from "../../render/format";

interface SetEnvFlags {
  stack: string;
  service: string;
  dryRun: boolean;
  dir?: string;
  project?: string;
  output: OutputFormat;
}

/** The longest value set-env writes (ECS allows more in total; a longer value belongs in a file or a secret). */
export const ENV_VALUE_MAX_LENGTH = 4096;

const HELP = `
Sets values of one service's environment (delivery:services[N].environment) in Pulumi.<stack>.yaml.
Only keys delivery:envTemplate declares are accepted, and never a key it lists under secrets: a
secret is set with \`pulumi config set --secret --path\` or referenced in the service's secrets (SSM
parameter or Secrets Manager). Comments and layout stay; the edited file must pass the config check
(the one the program runs) before it is written, and it is replaced atomically or not at all.

Examples:
  deployctl config set-env --stack dev --service api LOG_LEVEL=debug
  deployctl config set-env --stack prod --service web LOG_LEVEL=warn --dry-run   # show the change only
  deployctl config set-env --stack staging --service api LOG_LEVEL=info -o json

${exitCodesHelp([0, 2, 4], {
  0: "set (or already set; with --dry-run: the change is valid)",
  2: "bad input (a key the template does not declare or lists as secret, unknown service, bad\n     KEY=VALUE, an edit the config check refuses, unreadable file)",
  4: "the file could not be written (it is unchanged)",
})}
`;

/** `KEY=VALUE` arguments as edits: each key an environment variable name, once; the value may hold '='. */
export function parseEnvAssignments(args: readonly string[]): EnvEdit[] {
  const edits: EnvEdit[] = [];
  const problems: string[] = [];
  if (args.length > ENV_TEMPLATE_LIMITS.keys) problems.push(`KEY=VALUE: ${args.length} given; at most ${ENV_TEMPLATE_LIMITS.keys} at once`);
  for (const arg of args) {
    const eq = arg.indexOf("=");
    const key = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? "" : arg.slice(eq + 1);
    if (eq < 0) {
      problems.push(`KEY=VALUE argument ${JSON.stringify(arg)} has no '='; expected KEY=VALUE, e.g. LOG_LEVEL=debug`);
    } else if (key.length > ENV_TEMPLATE_LIMITS.keyLength || !ENV_KEY_PATTERN.test(key)) {
      problems.push(
        `KEY=VALUE argument ${JSON.stringify(arg)}: the key ${JSON.stringify(key)} is not an environment variable name: ${ENV_KEY_RULE}`,
      );
    } else if (edits.some((e) => e.key === key)) {
      problems.push(`KEY=VALUE names ${key} twice; give each key once`);
    } else if (hasControlCharacter(value)) {
      problems.push(`KEY=VALUE: the value of ${key} holds a control character (a newline, tab...); config set-env writes one-line values`);
    } else if (value.length > ENV_VALUE_MAX_LENGTH) {
      problems.push(`KEY=VALUE: the value of ${key} is ${value.length} characters; at most ${ENV_VALUE_MAX_LENGTH}`);
    } else {
      edits.push({ key, value });
    }
  }
  if (problems.length > 0) throw new BadInputError(problems.join("\n"));
  return edits;
}

/** The change as a diff of the values: `-` the old value, `+` the new one, unchanged ones marked. */
export function renderSetEnv(result: SetEnvResult): string[] {
  const lines: string[] = [];
  if (result.dryRun) lines.push(`dry run: ${result.file} is checked, not written`);
  lines.push(`${result.file}: ${result.environmentPath} (${result.service})`);
  for (const c of result.changes) {
    if (!c.changed) lines.push(`  ${c.key}: ${JSON.stringify(c.to)} (unchanged)`);
    else {
      if (c.from !== null) lines.push(`- ${c.key}: ${JSON.stringify(c.from)}`);
      lines.push(`+ ${c.key}: ${JSON.stringify(c.to)}`);
    }
  }
  const changed = result.changes.filter((c) => c.changed).length;
  if (result.dryRun) lines.push(`dry run: ${changed} value${changed === 1 ? "" : "s"} would change; ${result.file} was not written`);
  else if (result.written) lines.push(`${result.file}: ${changed} value${changed === 1 ? "" : "s"} changed`);
  else lines.push(`${result.file}: nothing to change`);
  return lines;
}

/** Adds `config set-env` to the `config` command. */
export function registerSetEnv(config: Command, ctx: CliContext): void {
  config
    .command("set-env")
    .description(
      "Set values of a service's environment in Pulumi.<stack>.yaml: only keys delivery:envTemplate declares, never a secret one.",
    )
    .argument("<KEY=VALUE...>", "the variables to set, e.g. LOG_LEVEL=debug (the value may contain '=')")
    .requiredOption("-s, --stack <name>", "the stack whose file is edited (Pulumi.<name>.yaml)")
    .requiredOption("--service <name>", "the service whose environment is set")
    .option("--dry-run", "check the change and print it; write nothing", false)
    .option("--dir <dir>", "the Pulumi project folder (default: the current directory)")
    .option("--project <name>", "the config namespace (default: the name in Pulumi.yaml, else delivery)")
    .addOption(outputOption())
    .addHelpText("after", HELP)
    .action(async (assignments: string[], flags: SetEnvFlags) => {
      const edits = parseEnvAssignments(assignments);
      // The implementation (and the program's config parser) loads here, not with the options (`--help` stays fast).
      const { setEnv } = await import("../../workflows/setEnv.js");
      const result = setEnv({
        dir: resolve(ctx.io.cwd, flags.dir ?? "."),
        stack: flags.stack,
        service: flags.service,
        edits,
        ...(flags.project !== undefined ? { project: flags.project } : {}),
        dryRun: flags.dryRun,
      });
      const { jsonDocument, markdownOfText } = await import("../../render/document.js");
      if (flags.output === "json") ctx.io.stdout(jsonDocument({ ...result }));
      else {
        const text = `${renderSetEnv(result).join("\n")}\n`;
        ctx.io.stdout(
          flags.output === "markdown" ? markdownOfText(`deployctl config set-env ${flags.stack} ${flags.service}`, text) : text,
        );
      }
      ctx.setExitCode(ExitCode.Ok);
    });
}
