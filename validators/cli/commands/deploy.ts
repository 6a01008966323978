import { InvalidArgumentError } from "commander";
import { addDeadlineOptions, underDeadline, withDeadline } from "../deadline";
import type { ReleaseCommandDeps, ReleaseRuntime } from "../compose";
import type { JudgedManifest } from "../../validate/loadManifest";
import { addCommonOptions, addReleaseOptions, durationOption, RETRIES_HELP, type ReleaseFlags, retriesCount, WAIT_RULE } from "../options";
import type { CliContext, RegisterCommand } from "../context";
import { useColour } from "../io";
import { ANSI, PLAIN } from "../../render/colour";
import { warnAfterRun } from "../runWarnings";
import { confirmChange } from "../confirm";
import { EXIT_CODES_HELP, ExitCode, exitCodeForRun } from "../exitCodes";
import type { DeployPlan } from "../../workflows/deploy/dryRun";
import type { RuntimeName } from "../../../contract/manifest";

export interface DeployFlags extends ReleaseFlags {
  tag?: string;
  skipMigrations?: boolean;
  wait: number;
  retries: number;
  yes: boolean;
  dryRun?: boolean;
}

const HELP = `
Stages (each shown with its state and elapsed time):
  gate       the tag exists in ECR, no alarm firing, no rollout in progress (refusal: exit 1, nothing changed)
  migrate    per service with a migration (delivery:services[i].migration), before its update: a
             one-off ECS task of its migration task definition with the image to deploy, in the
             service's subnets and security group; it must exit 0 within timeoutSeconds. A failed or
             timed-out migration (the task is stopped) ends the deploy, exit 1, the service untouched,
             a critical alert; the record holds the task ARN, exit code, stopped reason and log tail.
             --skip-migrations updates without it (emergencies only; recorded)
  update     per service in dependsOn order: set delivery:services[i].image.tag, then a stack update
             (without --tag: the services whose config tag differs from what the stack last deployed;
             later ones are held back at their deployed tag until their turn)
  traffic    a progressive service (canary, linear, blueGreen in its deployment config; canary by
             default in prod): each traffic step ECS takes (5%, 25%, 50%, 100%) is shown with its
             canary verdict against the baseline; the lifecycle hook holds the step until it passes;
             inconclusive extends the step (maxExtensionMinutes), then the release is abandoned;
             a failing step returns 100% of traffic to the old revision at once (StopServiceDeployment
             ROLLBACK) and the release rolls back; the record names the step that failed
  validate   wait for the rollout (--wait), judge; a rollout still in progress is validated again (2 times)
  retry      with --retries n: a failed health check (smoke or tasks; not inconclusive, not the
             validator's own error) first forces a new deployment of the same revision (ECS
             UpdateService forceNewDeployment), waits for its rollout and validates again, up to n
             times; each attempt is in the run record (attempts) and the report
  record     every service passed: record each as last good in /delivery/<stack>/<service>/last-good
  rollback   a service failed: it and those already deployed roll back in reverse order (UpdateService
             to the last good task definition, then the stack config and a stack update), validate again
Inconclusive verdicts and the validator's own errors stop the deploy and alert; they never roll back.
Delivery metrics (ECS only): as the run ends, CloudWatch namespace Delivery gets, per stack and
service, Deployments, Rollbacks, ValidationsPassed / ValidationsFailed and RunningRevision (the task
definition revision it runs). Best-effort: a failure is a warning on stderr and a metrics action in
the run record; the outcome and exit code stay.
The stack is locked while deploy runs; a second caller waits --lock-timeout and exits 5.
Dry run (--dry-run): reads the stack config and asks the gate (it only reads), then prints the
plan: the gate's verdict, each service in dependsOn order with its tag before and after, its
migration, the config key it would set, its stages, and what follows a pass or a failure. No lock,
config edit, migration, stack update, validation, record or alert. Exit 0 (would deploy, or nothing
to deploy), 1 (the gate would refuse), 2 or 4 as a deploy would. Text and markdown begin and end
with a "dry run" line; JSON has "dryRun": true (contract/outputs/deploy-plan.schema.json).

Runtimes (the manifest's runtime): the same stages on each, only where things live differs.
  ecs         as above
  kubernetes  validate judges the Deployment, its pods and Prometheus; last good in the ConfigMap
              delivery-releases; rollback points the Deployment back at the last good revision; the
              lock is a Lease. The gate's checks are ECS's: deploy goes on without them, saying so
  docker      validate judges the containers (RestartCount, health, logs) and its own smoke requests;
              last good in .delivery/last-good/, records in .delivery/records/, the lock file
              .delivery/locks/<stack>.lock; rollback recreates the containers from the last good
              image; no gate either. The local loop: pulumi up -s local once, then deployctl deploy
              --stack local

Examples:
  deployctl deploy --stack staging --tag sha-abc1234 --yes
  deployctl deploy --stack prod --tag sha-abc1234 --dry-run          # what it would do; changes nothing
  deployctl deploy --stack prod --tag sha-abc1234 --service api --service web --output json --yes
  deployctl deploy --stack prod --yes --output markdown >> "$GITHUB_STEP_SUMMARY"   # a promotion
  deployctl deploy --stack staging --tag sha-abc1234 --retries 2 --yes   # as the pipeline does
  deployctl deploy --stack local --tag sha-abc1234 --service api --yes             # Docker, on a laptop

${EXIT_CODES_HELP}`;

/** `deployctl deploy`: gate, set the tag, stack update, validate, then record or roll back. */
export const registerDeploy: RegisterCommand = (program, ctx) => {
  const cmd = program.command("deploy").description("Take an image tag to a validated release, or back to the last good one.");
  addCommonOptions(cmd);
  addReleaseOptions(cmd);
  cmd
    .option(
      "--tag <tag>",
      "the image tag to deploy to the services, e.g. sha-abc1234 (default: the tags already in the stack config, as after a promotion)",
      imageTag,
    )
    .addOption(
      durationOption(
        "--wait <duration>",
        "how long each validation waits for the rollout, up to 1h (e.g. 90s, 10m; a bare number is seconds)",
        WAIT_RULE,
        600,
      ),
    )
    .option("--retries <n>", RETRIES_HELP, retriesCount, 0)
    .option("--skip-migrations", "do not run the services' migrations before their update (emergencies; recorded in the run record)", false)
    .option("--yes", "do not ask for confirmation (required when stdin is not a terminal)", false)
    .option(
      "--dry-run",
      "print the plan: the gate's verdict, each service's tags, migration, config edit and stages; change nothing (no --yes needed)",
      false,
    )
    .addHelpText("after", HELP);
  addDeadlineOptions(cmd, "deploy").action(async (flags: DeployFlags) => {
    ctx.setExitCode(await underDeadline(flags, ctx, (c) => runDeployCommand(flags, c)));
  });
};

export async function runDeployCommand(flags: DeployFlags, ctx: CliContext, deps?: ReleaseCommandDeps): Promise<number> {
  // The implementation loads here, not with the option definitions (`--help` stays fast).
  const { defaultReleaseDeps, judgedReleaseRuntime } = await import("../compose.js");
  const { deploy } = await import("../../workflows/deploy/deploy.js");
  const { renderRun } = await import("../../render/deploy.js");
  const { DEFAULT_LEASE_SECONDS } = await import("../../lock/open.js");
  const { dependsOnOrder } = await import("../../rollback/order.js");
  deps = withDeadline(ctx, deps ?? defaultReleaseDeps);
  const runtime = await judgedReleaseRuntime(flags, ctx.io, deps, "deploy");
  const { manifest } = runtime;
  if (flags.dryRun) return printDeployPlan(flags, ctx, runtime);
  const services = flags.service?.length ? flags.service : manifest.services.map((s) => s.name);
  if (!flags.yes) {
    const question = `Deploy ${flags.tag ?? "the tags in the stack config"} to stack ${manifest.stack} (${dependsOnOrder(manifest.services, services).join(", ")})?`;
    if (!(await confirmChange(deps.confirm, ctx.io, { command: "deploy", stack: manifest.stack, question }))) return ExitCode.Fail;
  }
  const result = await deploy(
    manifest,
    {
      tag: flags.tag,
      services: flags.service,
      waitSeconds: flags.wait,
      retries: flags.retries,
      lockTimeoutSeconds: flags.lockTimeout,
      leaseSeconds: DEFAULT_LEASE_SECONDS,
      skipMigrations: flags.skipMigrations ?? false,
    },
    {
      ...runtime.release,
      gate: runtime.gate,
      store: runtime.store,
      lock: runtime.lock,
      who: runtime.who,
      runId: runtime.runId,
      progressive: runtime.progressive,
      migrations: runtime.migrations,
    },
  );
  ctx.io.stdout(renderRun(result, flags.output, useColour(ctx.io) ? ANSI : PLAIN));
  warnAfterRun(ctx.io, result);
  return exitCodeForRun(result);
}

/** `deploy --dry-run`: plan as the deploy would (the gate only reads), print it between dry run lines; exit 1 when the gate would refuse. */
async function printDeployPlan(flags: DeployFlags, ctx: CliContext, runtime: ReleaseRuntime<JudgedManifest>): Promise<number> {
  const { planDeployRun } = await import("../../workflows/deploy/dryRun.js");
  const { jsonDocument, markdownOfText } = await import("../../render/document.js");
  const header = deployPlanHeader(runtime.manifest, flags.tag);
  // The gate's progress lines come while it plans: on text output, below the dry run's first line.
  if (flags.output === "text") ctx.io.stdout(header);
  const plan = await planDeployRun(
    runtime.manifest,
    { tag: flags.tag, services: flags.service, waitSeconds: flags.wait, retries: flags.retries, skipMigrations: flags.skipMigrations },
    { stacks: runtime.release.stacks, gate: runtime.gate, progress: runtime.release.progress, migrations: runtime.migrations },
  );
  const exitCode = plan.outcome === "would-refuse" ? ExitCode.Fail : ExitCode.Ok;
  const text = renderDeployPlan(plan);
  ctx.io.stdout(
    flags.output === "json"
      ? jsonDocument({ dryRun: true, command: "deploy", ...plan, exitCode })
      : flags.output === "markdown"
        ? markdownOfText(`deployctl deploy ${plan.stack} (dry run)`, header + text)
        : text,
  );
  return exitCode;
}

/** The first line of `deploy --dry-run`. */
export function deployPlanHeader(manifest: { stack: string; runtime?: RuntimeName }, tag: string | undefined): string {
  return `dry run: deploy ${tag ?? "the tags in the stack config"} on stack ${manifest.stack} (${manifest.runtime ?? "ecs"}); nothing is changed\n`;
}

/** The plan of `deploy --dry-run` for people, after its header: the gate, each service's stages in order, what follows, the last "dry run" line. */
export function renderDeployPlan(plan: DeployPlan): string {
  const lines: string[] = [];
  if (plan.gate) {
    lines.push(`gate: ${plan.gate.verdict}`);
    for (const s of plan.gate.services)
      for (const c of s.checks.filter((x) => x.status !== "pass")) lines.push(`  ${s.name.padEnd(16)} ${c.name} ${c.status}: ${c.message}`);
  }
  if (plan.outcome === "nothing-to-do") lines.push(`nothing to deploy: ${plan.reason ?? ""}`);
  if (plan.outcome === "would-refuse") lines.push(`would refuse: ${plan.reason ?? ""}`);
  if (plan.holdBack.length > 0)
    lines.push(`first, so they go one at a time: ${plan.holdBack.map((h) => `${h.path} = ${h.tag} (${h.service})`).join(", ")}`);
  for (const [i, s] of plan.services.entries()) {
    lines.push(`${i + 1}. ${s.service.padEnd(16)} ${s.from} -> ${s.to}`, `     migration: ${s.migration}`);
    if (s.traffic) lines.push(`     traffic:   ${s.traffic}`);
    for (const step of s.steps) lines.push(`     - ${step}`);
  }
  if (plan.outcome === "would-deploy") lines.push(`then, when every service passes: ${plan.then.pass}`, `a failure: ${plan.then.fail}`);
  const summary =
    plan.outcome === "would-deploy"
      ? `${plan.services.length} service${plan.services.length === 1 ? "" : "s"} would deploy`
      : plan.outcome === "would-refuse"
        ? "the deploy would be refused (exit 1)"
        : "nothing would deploy";
  lines.push(`dry run: ${summary}; nothing was changed (no lock, stack config, migration, stack update, record or alert)`);
  return lines.map((l) => `${l}\n`).join("");
}

/** An image tag as ECR and the stack config accept it. */
function imageTag(value: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(value)) {
    throw new InvalidArgumentError(
      `--tag is "${value}"; an image tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.`,
    );
  }
  return value;
}
