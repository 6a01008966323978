import type { ReleaseCommandDeps } from "../compose";
import { addCommonOptions, addReleaseOptions, type ReleaseFlags, wholeNumber } from "../options";
import type { CliContext, RegisterCommand } from "../context";
import { useColour } from "../io";
import { ANSI, PLAIN } from "../../render/colour";
import { EXIT_CODES_HELP, exitCodeForRun } from "../exitCodes";

export interface RollbackFlags extends ReleaseFlags {
  to?: string;
  reason: string;
  wait: number;
}

const HELP = `
How it works:
  1. fast path: UpdateService each service to its last good task definition (seconds)
  2. stack path: set delivery:services[i].image.tag to the last good tags and update the stack,
     so Pulumi config and state match what runs
  3. validate again (a rollout still in progress is validated again, 2 times)
Services roll back in reverse dependsOn order. Without --service, every service whose config tag is
not its last good tag. The last good release is /delivery/<stack>/<service>/last-good in SSM.
No last good release: nothing to roll back to, a critical alert, exit 1. A failed rollback: a
critical alert with everything known, exit 1. The stack is locked meanwhile (exit 5 if held).

Examples:
  deployctl rollback --stack staging
  deployctl rollback --stack prod --service api --to sha-1234abc --reason "bad cache config"

${EXIT_CODES_HELP}`;

/** `deployctl rollback`: back to the last good release (or --to a validated tag). */
export const registerRollback: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("rollback")
    .description("Roll services back to their last good release (or a validated tag), then validate again.");
  addCommonOptions(cmd, ["text", "json", "markdown"]);
  addReleaseOptions(cmd);
  cmd
    .option("--to <tag>", "roll back to this image tag; it must have passed validation (default: the last good release)")
    .option("--reason <text>", "why, for the run record and the stack update message", "manual rollback")
    .option(
      "--wait <seconds>",
      "how long the validation after the rollback waits for the ECS rollout",
      wholeNumber("--wait", 0, "seconds"),
      300,
    )
    .addHelpText("after", HELP)
    .action(async (flags: RollbackFlags) => {
      ctx.setExitCode(await runRollbackCommand(flags, ctx));
    });
};

export async function runRollbackCommand(flags: RollbackFlags, ctx: CliContext, deps?: ReleaseCommandDeps): Promise<number> {
  // The implementation loads here, not with the option definitions (`--help` stays fast).
  const { defaultReleaseDeps, judgedReleaseRuntime } = await import("../compose.js");
  const { manualRollback } = await import("../../workflows/rollback.js");
  const { renderRun } = await import("../../render/deploy.js");
  const runtime = await judgedReleaseRuntime(flags, ctx.io, deps ?? defaultReleaseDeps, "rollback");
  const result = await manualRollback(
    runtime.manifest,
    {
      services: flags.service,
      toTag: flags.to,
      reason: `${flags.reason} (by ${runtime.who})`,
      waitSeconds: flags.wait,
      lockTimeoutSeconds: flags.lockTimeout,
    },
    { ...runtime.release, store: runtime.store, lock: runtime.lock, who: runtime.who, runId: runtime.runId },
  );
  ctx.io.stdout(renderRun(result, flags.output, useColour(ctx.io) ? ANSI : PLAIN));
  if (result.error) ctx.io.stderr(`deployctl: the run record could not be written: ${result.error}\n`);
  return exitCodeForRun(result);
}
