import { Option } from "commander";
import { addDeadlineOptions, underDeadline, withDeadline } from "../deadline";
import { GATE_CHECK_NAMES, type GateCheckName } from "../../../contract/report";
import {
  type CommandDeps,
  type CommonFlags,
  addCommonOptions,
  addDryRunOption,
  awsClientOptions,
  exitCodeForVerdict,
  progressTo,
  writeDryRunHeader,
  writeDryRunReport,
  writeReport,
} from "../options";
import type { CliContext, RegisterCommand } from "../context";
import { exitCodesHelp } from "../exitCodes";

export interface GateFlags extends CommonFlags {
  tag?: string;
  skip?: GateCheckName[];
  /** `--dry-run`: the same checks, report and exit code, marked as a dry run (the gate only reads). @default false */
  dryRun?: boolean;
}

const HELP = `
Checks (each reported as pass, warn, fail or skipped), per the stack's runtime:
  image     the --tag image exists (skipped without --tag)
              ecs:        in each service's ECR repository
              kubernetes: in the image's registry (OCI HEAD /v2/<repo>/manifests/<tag>); 404 fails,
                          401/403 or no answer warns, naming why
              docker:     in the Docker engine (nothing is pulled: build or pull it first)
  alarms    no alert of the stack is firing
              ecs:        no CloudWatch alarm named <project>-<stack>-* is in ALARM
              kubernetes: no ALERTS{alertstate="firing", namespace="<namespace>"} in Prometheus
              docker:     skipped (a Docker stack has no alarms)
  rollout   no rollout is still in progress (ECS deployment; Kubernetes Deployment's
            observedGeneration, updatedReplicas and Progressing; Docker containers being
            created, restarting or starting)
  lastGood  the service has a last good release: /delivery/<stack>/<service>/last-good in SSM (ecs),
            ConfigMap delivery-releases in the namespace (kubernetes), .delivery/last-good (docker);
            warns on a first deploy

The gate only reads: it sends, writes and changes nothing, with or without --dry-run. --dry-run
(for scripts that pass it to every command) prints the same report and exits with the same code,
with "dry run" as its first and last line (text, markdown) or "dryRun": true (JSON).

Examples:
  deployctl gate --stack staging --tag sha-abc1234
  deployctl gate --manifest deployment.json --tag v2 --output json
  deployctl gate --stack prod --tag sha-abc1234 --dry-run

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
    .addOption(new Option("--skip <check...>", "do not run this check (repeatable); reported as skipped").choices([...GATE_CHECK_NAMES]));
  addDryRunOption(cmd, "mark the report as a dry run; the gate only reads, so nothing else changes (same checks, same exit code)");
  cmd.addHelpText("after", HELP);
  addDeadlineOptions(cmd, "gate").action(async (flags: GateFlags) => {
    ctx.setExitCode(await underDeadline(flags, ctx, (c) => runGateCommand(flags, c)));
  });
};

/**
 * The gate command's action: resolve the manifest (any runtime), build what its runtime observes
 * and where its releases live (cli/compose.ts), run the gate, render, return the exit code.
 */
export async function runGateCommand(flags: GateFlags, ctx: CliContext, deps?: CommandDeps): Promise<number> {
  // The implementation loads here, not with the option definitions (`--help` stays fast).
  const compose = await import("../compose.js");
  deps = withDeadline(ctx, deps ?? compose.defaultCommandDeps);
  const { loadAnyManifest } = await import("../../validate/loadManifest.js");
  const { gate } = await import("../../gate/run.js");
  if (flags.dryRun) writeDryRunHeader(ctx.io, flags.output);
  const manifest = await loadAnyManifest(
    { stack: flags.stack, manifestFile: flags.manifest, cwd: ctx.io.cwd, command: "gate" },
    deps.stacks(ctx.io.cwd),
  );
  // AWS is asked only on ECS (ECR, CloudWatch, ECS, SSM).
  const clients =
    manifest.runtime === undefined || manifest.runtime === "ecs"
      ? deps.createClients(awsClientOptions(flags, manifest, ctx.io.env))
      : undefined;
  const kubernetes = manifest.runtime === "kubernetes" ? deps.kubernetes?.(manifest) : undefined;
  const report = await gate(
    { manifest, services: flags.service, tag: flags.tag, skip: flags.skip, onProgress: progressTo(ctx.io) },
    compose.gateDeps(manifest, { clients, cwd: ctx.io.cwd, kubernetes, env: ctx.io.env }),
  );
  if (flags.dryRun) writeDryRunReport(ctx.io, report, flags.output, "gate");
  else writeReport(ctx.io, report, flags.output, "gate");
  return exitCodeForVerdict(report.verdict);
}
