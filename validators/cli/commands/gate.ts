import { Option } from "commander";
import { GATE_CHECK_NAMES, type GateCheckName } from "../../../contract/report";
import {
  type CommandDeps,
  type CommonFlags,
  addCommonOptions,
  awsClientOptions,
  exitCodeForVerdict,
  progressTo,
  writeReport,
} from "../options";
import type { CliContext, RegisterCommand } from "../context";
import { exitCodesHelp } from "../exitCodes";

export interface GateFlags extends CommonFlags {
  tag?: string;
  skip?: GateCheckName[];
}

const HELP = `
Checks (each reported as pass, warn, fail or skipped):
  image     the --tag image exists in each service's ECR repository (skipped without --tag)
  alarms    no CloudWatch alarm named <project>-<stack>-* is in ALARM
  rollout   no ECS rollout is still in progress
  lastGood  /delivery/<stack>/<service>/last-good exists in SSM (warns on a first deploy)

Example:
  deployctl gate --stack staging --tag sha-abc1234

${exitCodesHelp([0, 1, 2, 3, 4], {
  0: "pass (warnings allowed): the deploy may start",
  1: "fail: a check failed; do not deploy",
  3: "inconclusive: the manifest lists no service to check",
})}`;

/** `deployctl gate`: may a deploy start? */
export const registerGate: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("gate")
    .description("Before a deploy: the image exists, no alarm is firing, no rollout in progress, a last good release exists.");
  addCommonOptions(cmd);
  cmd
    .option("--tag <tag>", "the image tag about to be deployed (the image check is skipped without it)")
    .addOption(new Option("--skip <check...>", "do not run this check (repeatable); reported as skipped").choices([...GATE_CHECK_NAMES]))
    .addHelpText("after", HELP)
    .action(async (flags: GateFlags) => {
      ctx.setExitCode(await runGateCommand(flags, ctx));
    });
};

/** The gate command's action: resolve the manifest and clients, run the gate, render, return the exit code. */
export async function runGateCommand(flags: GateFlags, ctx: CliContext, deps?: CommandDeps): Promise<number> {
  // The implementation loads here, not with the option definitions (`--help` stays fast).
  deps ??= (await import("../compose.js")).defaultCommandDeps;
  const { loadManifest } = await import("../../validate/loadManifest.js");
  const { gate } = await import("../../gate/run.js");
  const manifest = await loadManifest(
    { stack: flags.stack, manifestFile: flags.manifest, cwd: ctx.io.cwd, command: "gate" },
    deps.stacks(ctx.io.cwd),
  );
  const clients = deps.createClients(awsClientOptions(flags, manifest, ctx.io.env));
  const report = await gate(
    { manifest, services: flags.service, tag: flags.tag, skip: flags.skip, onProgress: progressTo(ctx.io) },
    { clients },
  );
  writeReport(ctx.io, report, flags.output, "gate");
  return exitCodeForVerdict(report.verdict);
}
