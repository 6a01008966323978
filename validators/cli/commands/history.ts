import type { ReleaseCommandDeps } from "../compose";
import { addCommonOptions, addReleaseOptions, awsClientOptions, type ReleaseFlags, wholeNumber } from "../options";
import type { CliContext, RegisterCommand } from "../context";
import { ExitCode, exitCodesHelp } from "../exitCodes";

export interface HistoryFlags extends ReleaseFlags {
  limit: number;
}

const HELP = `
Shows, newest first:
  - each service's last good releases (the versions of SSM /delivery/<stack>/<service>/last-good)
  - the runs of validate, deploy and rollback from the record store (S3 history bucket, or
    .delivery/records/<stack>), with who, outcome, tags and why each rollback happened
  - the stack's statistics: runs, successes, failures, rollbacks, consecutive failures

Examples:
  deployctl history --stack staging
  deployctl history --stack prod --service api --limit 5 --output json

${exitCodesHelp([0, 2, 4], {
  0: "listed (also when a service has no release or run yet)",
  2: "bad input (a flag, an unknown --service, an unreadable or invalid manifest)",
  4: "operational error (SSM or the S3 history bucket unreachable, access denied, throttled)",
})}`;

/** `deployctl history`: releases and runs, newest first. */
export const registerHistory: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("history")
    .description("List last good releases and runs of a stack, newest first, with why each rollback happened.");
  addCommonOptions(cmd);
  addReleaseOptions(cmd, { lock: false, alerts: false });
  cmd
    .option("--limit <n>", "at most this many runs and releases per service", wholeNumber("--limit", 1), 20)
    .addHelpText("after", HELP)
    .action(async (flags: HistoryFlags) => {
      ctx.setExitCode(await runHistoryCommand(flags, ctx));
    });
};

export async function runHistoryCommand(flags: HistoryFlags, ctx: CliContext, deps?: ReleaseCommandDeps): Promise<number> {
  // The implementation loads here, not with the option definitions (`--help` stays fast).
  deps ??= (await import("../compose.js")).defaultReleaseDeps;
  const { openRecordStore } = await import("../../records/open.js");
  const { gatherHistory, renderHistory } = await import("../../release/history.js");
  const { SsmReleaseRegistry } = await import("../../release/lastGood.js");
  const { checkServiceNames } = await import("../../rollback/order.js");
  const { loadManifest } = await import("../../validate/loadManifest.js");
  const manifest = await loadManifest({ stack: flags.stack, manifestFile: flags.manifest, cwd: ctx.io.cwd }, deps.stacks(ctx.io.cwd));
  if (flags.service?.length) checkServiceNames("--service", flags.service, manifest.services, manifest.stack);
  const clients = deps.createClients(awsClientOptions(flags, manifest, ctx.io.env));
  const store = openRecordStore({ manifest, clients, cwd: ctx.io.cwd, recordsDir: flags.recordsDir });
  const view = await gatherHistory(manifest, new SsmReleaseRegistry(clients.ssm), store, { services: flags.service, limit: flags.limit });
  const { jsonDocument, markdownOfText } = await import("../../render/document.js");
  ctx.io.stdout(
    flags.output === "json"
      ? jsonDocument(view)
      : flags.output === "markdown"
        ? markdownOfText(`deployctl history ${manifest.stack}`, renderHistory(view))
        : renderHistory(view),
  );
  return ExitCode.Ok;
}
