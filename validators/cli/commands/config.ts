import { resolve } from "node:path";
import type { TagChange, TagEdit } from "../../stackfile";
import type { RegisterCommand } from "../context";
import { BadInputError } from "../../core/errors";
import { ExitCode } from "../exitCodes";
import { outputOption } from "../options";
import type { OutputFormat } from "../../render/format";
import { registerSetEnv } from "./configSetEnv";

interface SetTagFlags {
  stack: string;
  service?: string;
  tag?: string;
  tags?: string;
  fromManifest?: string;
  skipUnknownServices?: boolean;
  dryRun?: boolean;
  dir?: string;
  project?: string;
  output: OutputFormat;
}

/** `name=tag,name=tag`; an empty tag or `-` leaves that service as it is (a service the pipeline did not build). */
export function parseTagList(list: string): TagEdit[] {
  const edits: TagEdit[] = [];
  const problems: string[] = [];
  for (const entry of list
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "")) {
    const eq = entry.indexOf("=");
    const service = eq < 0 ? "" : entry.slice(0, eq);
    const tag = eq < 0 ? "" : entry.slice(eq + 1);
    if (!/^[a-z][a-z0-9-]*$/.test(service)) {
      problems.push(`--tags has ${JSON.stringify(entry)}; expected service=tag entries separated by commas (e.g. "api=sha-1a2b3c4,web=-")`);
    } else if (edits.some((e) => e.service === service)) {
      problems.push(`--tags names ${JSON.stringify(service)} twice; each service once`);
    } else if (tag !== "" && tag !== "-") {
      edits.push({ service, tag });
    }
  }
  if (problems.length > 0) throw new BadInputError(problems.join("\n"));
  return edits;
}

/** The text of set-tag: each tag as `before -> after`; with --dry-run, the change as a diff between "dry run" lines. */
export function renderSetTag(file: string, update: { changes: readonly TagChange[]; skipped: readonly string[] }, dryRun: boolean): string {
  const lines: string[] = [];
  if (dryRun) lines.push(`dry run: ${file} is checked, not written`);
  for (const c of update.changes) {
    if (!dryRun) lines.push(`${file}: ${c.path} (${c.service}) ${c.changed ? `${c.from ?? "unset"} -> ${c.to}` : `already ${c.to}`}`);
    else if (!c.changed) lines.push(`  ${c.path}: ${c.to} (${c.service}, unchanged)`);
    else {
      if (c.from !== null) lines.push(`- ${c.path}: ${c.from} (${c.service})`);
      lines.push(`+ ${c.path}: ${c.to} (${c.service})`);
    }
  }
  for (const s of update.skipped) lines.push(`${file}: skipped ${s}: no such service in the file`);
  if (update.changes.length === 0 && update.skipped.length === 0) lines.push(`${file}: nothing to set`);
  if (dryRun) {
    const changed = update.changes.filter((c) => c.changed).length;
    lines.push(`dry run: ${changed} tag${changed === 1 ? "" : "s"} would change; ${file} was not written`);
  }
  return lines.map((l) => `${l}\n`).join("");
}

async function editsFrom(flags: SetTagFlags, cwd: string): Promise<TagEdit[]> {
  const { IMAGE_TAG_PATTERN, readManifestTags } = await import("../../stackfile/index.js");
  const modes = [flags.service !== undefined || flags.tag !== undefined, flags.tags !== undefined, flags.fromManifest !== undefined].filter(
    Boolean,
  ).length;
  if (modes !== 1)
    throw new BadInputError("config set-tag needs exactly one of: --service NAME --tag TAG, --tags LIST, --from-manifest FILE");
  if (flags.tags !== undefined) return parseTagList(flags.tags);
  if (flags.fromManifest !== undefined) return readManifestTags(resolve(cwd, flags.fromManifest));
  if (flags.service === undefined || flags.tag === undefined)
    throw new BadInputError(`--service and --tag go together; ${flags.service === undefined ? "--service" : "--tag"} is missing`);
  if (!IMAGE_TAG_PATTERN.test(flags.tag)) {
    throw new BadInputError(
      `--tag is ${JSON.stringify(flags.tag)}; expected an image tag: 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'`,
    );
  }
  return [{ service: flags.service, tag: flags.tag }];
}

/** `deployctl config set-tag` and `config set-env` (configSetEnv.ts): edit Pulumi.<stack>.yaml, keeping its comments. */
export const registerConfig: RegisterCommand = (program, ctx) => {
  const config = program.command("config").description("Edit the stack config files (Pulumi.<stack>.yaml) that say what runs.");
  config
    .command("set-tag")
    .description("Set services' image tags (delivery:services[N].image.tag) in Pulumi.<stack>.yaml, keeping comments and layout.")
    .requiredOption("-s, --stack <name>", "the stack whose file is edited (Pulumi.<name>.yaml)")
    .option("--service <name>", "the service to set (with --tag)")
    .option("--tag <tag>", "the image tag to set (with --service)")
    .option("--tags <list>", "service=tag entries separated by commas; an empty tag or '-' leaves that service unchanged")
    .option("--from-manifest <file>", "set every service to the imageTag the deployment output (JSON) says runs")
    .option("--skip-unknown-services", "list services the file does not have as skipped instead of failing", false)
    .option("--dry-run", "check the change and print it as a diff; write nothing", false)
    .option("--dir <dir>", "the Pulumi project folder (default: the current directory)")
    .option("--project <name>", "the config namespace (default: the name in Pulumi.yaml, else delivery)")
    .addOption(outputOption())
    .addHelpText(
      "after",
      `
The file is replaced atomically or not at all. With --dry-run the change is checked the same way and
printed as a diff (- the tag before, + the tag after) between two "dry run" lines; nothing is written.

Examples:
  deployctl config set-tag --stack staging --service api --tag sha-1a2b3c4
  deployctl config set-tag --stack staging --tags "api=sha-1a2b3c4,web=-" --dry-run   # show the change only
  deployctl config set-tag --stack prod --from-manifest deployed.json --skip-unknown-services -o json

Exit codes:
  0  set (or already set; with --dry-run: the change is valid)
  2  bad input (unknown service, bad tag, unreadable or invalid file)
  4  the file could not be written`,
    )
    .action(async (flags: SetTagFlags) => {
      // The implementation loads here, not with the option definitions (`--help` stays fast).
      const { projectName, readStackText, setImageTags, stackFilePath } = await import("../../stackfile/index.js");
      const { writeFileAtomicSync: writeFileAtomic } = await import("../../core/atomicWrite.js");
      const dir = resolve(ctx.io.cwd, flags.dir ?? ".");
      const edits = await editsFrom(flags, ctx.io.cwd);
      const path = stackFilePath(dir, flags.stack);
      const file = `Pulumi.${flags.stack}.yaml`;
      const project = flags.project ?? projectName(dir);
      const update = setImageTags(file, readStackText(path), project, edits, { skipUnknown: flags.skipUnknownServices });
      const dryRun = flags.dryRun ?? false;
      if (!dryRun && update.changes.some((c) => c.changed)) writeFileAtomic(path, update.text);
      const { jsonDocument, markdownOfText } = await import("../../render/document.js");
      if (flags.output === "json") {
        ctx.io.stdout(jsonDocument({ ...(dryRun ? { dryRun: true } : {}), file: path, changes: update.changes, skipped: update.skipped }));
      } else {
        const text = renderSetTag(file, update, dryRun);
        ctx.io.stdout(
          flags.output === "markdown" ? markdownOfText(`deployctl config set-tag ${flags.stack}${dryRun ? " (dry run)" : ""}`, text) : text,
        );
      }
      ctx.setExitCode(ExitCode.Ok);
    });
  registerSetEnv(config, ctx);
};
