import type { ReleaseCommandDeps } from "../compose";
import { addDeadlineOptions, underDeadline, withDeadline } from "../deadline";
import { addCommonOptions, addReleaseOptions, durationOption, type ReleaseFlags, WAIT_RULE } from "../options";
import type { CliContext, RegisterCommand } from "../context";
import { useColour } from "../io";
import { ANSI, PLAIN } from "../../render/colour";
import { warnAfterRun } from "../runWarnings";
import { confirmChange } from "../confirm";
import { EXIT_CODES_HELP, ExitCode, exitCodeForRun } from "../exitCodes";
import type { RollbackPlan } from "../../workflows/rollback";

export interface RollbackFlags extends ReleaseFlags {
  to?: string;
  reason: string;
  wait: number;
  withMigrations?: boolean;
  yes: boolean;
  dryRun?: boolean;
}

const HELP = `
How it works (on ECS, Kubernetes and Docker stacks):
  1. fast path: ECS: UpdateService each service to its last good task definition (seconds);
     Kubernetes: the Deployment back to the last good revision's pod template, waiting for it;
     Docker: the containers recreated from the last good image with the same settings
  2. stack path: set delivery:services[i].image.tag to the last good tags and update the stack,
     so Pulumi config and state match what runs
  3. validate again (a rollout still in progress is validated again, 2 times)
Migrations: a rollback never runs a down-migration by itself (migrations stay backward compatible:
the previous release runs on the migrated schema). With --with-migrations (ECS), each service's
migration.down runs first, as a one-off task of the release being undone, in reverse dependsOn order;
a failed one stops the rollback before any service changes (exit 1).
Services roll back in reverse dependsOn order. Without --service, every service whose config tag is
not its last good tag. The last good release is /delivery/<stack>/<service>/last-good in SSM
(Kubernetes: the ConfigMap delivery-releases; Docker: .delivery/last-good/<stack>/<service>.json).
No last good release: nothing to roll back to, a critical alert, exit 1. A rollback that ran and
failed (the runtime refused, the stack update or the validation after it failed): a critical
alert with everything known, exit 1 (rollback-failed). AWS or the runtime unreachable (or access
denied, throttled) before anything was rolled back: exit 4, an error run record, nothing changed.
Without a Pulumi CLI (a Docker stack from --manifest on a laptop) the fast path still runs and the
stack update is reported pending: exit 4. The stack is locked meanwhile (exit 5 if held).
--deadline passed: exit 4, lock released, run recorded.
Delivery metrics (ECS only): as the run ends, CloudWatch namespace Delivery gets, per stack and
service, Rollbacks, ValidationsPassed / ValidationsFailed and RunningRevision. Best-effort: a failure
is a warning on stderr and a metrics action in the run record; the outcome and exit code stay.

Examples:
  deployctl rollback --stack staging --yes
  deployctl rollback --stack staging --dry-run                       # the plan, nothing changed
  deployctl rollback --stack prod --service api --to sha-1234abc --reason "bad cache config" --yes
  deployctl rollback --stack local --yes                             # a Docker stack
  deployctl rollback --stack staging --service api --with-migrations --reason "the new column breaks reports" --yes

${EXIT_CODES_HELP}`;

/** `deployctl rollback`: back to the last good release (or --to a validated tag). */
export const registerRollback: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("rollback")
    .description("Roll services back to their last good release (or a validated tag), then validate again.");
  addCommonOptions(cmd);
  addReleaseOptions(cmd);
  cmd
    .option("--to <tag>", "roll back to this image tag; it must have passed validation (default: the last good release)")
    .option("--reason <text>", "why, for the run record and the stack update message", "manual rollback")
    .addOption(
      durationOption(
        "--wait <duration>",
        "how long the validation after the rollback waits for the rollout, up to 1h (e.g. 90s, 10m; a bare number is seconds)",
        WAIT_RULE,
        300,
      ),
    )
    .option("--with-migrations", "first run each service's migration.down, in reverse dependsOn order (ECS stacks)", false)
    .option("--yes", "do not ask for confirmation (required when stdin is not a terminal)", false)
    .option("--dry-run", "print which services would go back to which release and why; change nothing (no --yes needed)", false)
    .addHelpText("after", HELP);
  addDeadlineOptions(cmd, "rollback").action(async (flags: RollbackFlags) => {
    ctx.setExitCode(await underDeadline(flags, ctx, (c) => runRollbackCommand(flags, c)));
  });
};

export async function runRollbackCommand(flags: RollbackFlags, ctx: CliContext, deps?: ReleaseCommandDeps): Promise<number> {
  // The implementation loads here, not with the option definitions (`--help` stays fast).
  const { defaultReleaseDeps, judgedReleaseRuntime } = await import("../compose.js");
  const { manualRollback } = await import("../../workflows/rollback.js");
  const { renderRun } = await import("../../render/deploy.js");
  const { checkServiceNames, dependsOnOrder } = await import("../../rollback/order.js");
  deps = withDeadline(ctx, deps ?? defaultReleaseDeps);
  const runtime = await judgedReleaseRuntime(flags, ctx.io, deps, "rollback");
  const { manifest } = runtime;
  if (flags.dryRun) {
    const { planRollback } = await import("../../workflows/rollback.js");
    const plan = await planRollback(
      manifest,
      { services: flags.service, toTag: flags.to, withMigrations: flags.withMigrations ?? false },
      runtime.release,
    );
    const { jsonDocument, markdownOfText } = await import("../../render/document.js");
    const text = renderRollbackPlan(plan);
    // The real run ends rollback-failed (exit 1) when a service has nothing to roll back to.
    const exitCode = plan.services.some((s) => s.tagAfter === undefined) ? ExitCode.Fail : ExitCode.Ok;
    ctx.io.stdout(
      flags.output === "json"
        ? jsonDocument({ dryRun: true, command: "rollback", ...plan, exitCode })
        : flags.output === "markdown"
          ? markdownOfText(`deployctl rollback ${plan.stack} (dry run)`, text)
          : text,
    );
    return exitCode;
  }
  if (flags.service?.length) checkServiceNames("--service", flags.service, manifest.services, manifest.stack);
  if (!flags.yes) {
    const which = flags.service?.length
      ? dependsOnOrder(manifest.services, flags.service).reverse().join(", ")
      : "every service not on its last good release";
    const question = `Roll back stack ${manifest.stack} (${which}) to ${flags.to ?? "the last good release"}?`;
    if (!(await confirmChange(deps.confirm, ctx.io, { command: "rollback", stack: manifest.stack, question }))) return ExitCode.Fail;
  }
  const result = await manualRollback(
    manifest,
    {
      services: flags.service,
      toTag: flags.to,
      reason: `${flags.reason} (by ${runtime.who})`,
      waitSeconds: flags.wait,
      lockTimeoutSeconds: flags.lockTimeout,
      withMigrations: flags.withMigrations ?? false,
    },
    {
      ...runtime.release,
      store: runtime.store,
      lock: runtime.lock,
      who: runtime.who,
      runId: runtime.runId,
      migrations: runtime.migrations,
    },
  );
  ctx.io.stdout(renderRun(result, flags.output, useColour(ctx.io) ? ANSI : PLAIN));
  warnAfterRun(ctx.io, result);
  return exitCodeForRun(result);
}

/** The plan of `rollback --dry-run` for people: each service, its tag before and after and why, between two "dry run" lines. */
export function renderRollbackPlan(plan: RollbackPlan): string {
  const lines = [`dry run: rollback on stack ${plan.stack}; nothing is changed`];
  const going = plan.services.filter((s) => s.tagAfter !== undefined);
  if (plan.services.length === 0)
    lines.push(`nothing to roll back: every service of stack ${plan.stack} already runs ${plan.toTag ?? "its last good release"}`);
  for (const s of plan.services) {
    lines.push(
      s.tagAfter === undefined
        ? `  ${s.service.padEnd(16)} ${s.tagBefore ?? "unset"}: nothing to roll back to`
        : `  ${s.service.padEnd(16)} ${s.tagBefore ?? "unset"} -> ${s.tagAfter} (${s.release ?? ""})`,
      `    why: ${s.why}`,
    );
  }
  if (going.length > 0) {
    const steps = [
      ...(plan.withMigrations ? ["each service's migration.down (reverse dependsOn order)"] : []),
      "the fast path (each service back to its release)",
      "the stack config's image tags and one stack update",
      "validate again",
    ];
    lines.push(`would run, in this order: ${steps.join(", then ")}`);
  }
  const stuck = plan.services.filter((s) => s.tagAfter === undefined).map((s) => s.service);
  const failing =
    stuck.length > 0
      ? `; ${stuck.join(", ")} ${stuck.length === 1 ? "has" : "have"} nothing to roll back to, so the rollback would fail (exit 1)`
      : "";
  lines.push(
    `dry run: ${going.length} service${going.length === 1 ? "" : "s"} would roll back${failing}; nothing was changed (no rollout, stack config, stack update, lock, run record or alert)`,
  );
  return lines.map((l) => `${l}\n`).join("");
}
