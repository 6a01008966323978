import { InvalidArgumentError, Option } from "commander";
import { addDeadlineOptions, underDeadline, withDeadline } from "../deadline";
import type { AwsClients } from "../../providers/aws/clients";
import type { DrivenSteps } from "../../canary/drive";
import { DEFAULT_LOG_PATTERNS } from "../../checks/logPatterns";
import type { EcsManifest } from "../../../contract/manifest";
import type { ValidateReleaseFlags } from "../validateStep";
import { CHECK_NAMES, type CheckName, type ValidationReport } from "../../../contract/report";
import {
  type CommandDeps,
  type CommonFlags,
  addCommonOptions,
  addValidateReleaseOptions,
  awsClientOptions,
  durationOption,
  isoDate,
  progressTo,
  WAIT_RULE,
  wholeNumber,
  writeDryRunHeader,
  writeDryRunReport,
  writeReport,
} from "../options";
import type { CliContext, RegisterCommand } from "../context";
import type { ValidateOptions } from "../../validate/types";
import type { ValidateSettings } from "../compose";
import { BadInputError, OperationalError } from "../../core/errors";
import { EXIT_CODES_HELP, exitCodeFor } from "../exitCodes";

export interface ValidateFlags extends CommonFlags, Omit<ValidateReleaseFlags, "output"> {
  since?: Date;
  window?: number;
  wait: number;
  watch: number;
  smoke: boolean;
  skip?: CheckName[];
  confidence: number;
  compare?: "baseline";
  steps: boolean;
  errorPattern?: string[];
  warnPattern?: string[];
  startupMarker?: string;
  tailLines?: number;
  maxWarnings?: number;
}

const HELP = `
Checks (each reported as pass, warn, fail, inconclusive or skipped):
  rollout    PRIMARY deployment COMPLETED, running = desired, the manifest's task definition
  tasks      desired tasks RUNNING, none UNHEALTHY, none of this deployment stopped (OOM named)
  errorRate  ALB target 5xx / requests with a Wilson interval; no traffic is inconclusive
  latency    TargetResponseTime p95 / p99 (warn above the threshold, fail above twice it)
  smoke      GET url + healthPath (200, "status":"UP"), smoke paths, then a watchdog
  logs       in the last 100 lines of each task's log since the deploy: any ERROR / Exception line
             fails, more than 2 WARN lines fail; the startup marker (if set) must appear since the
             deploy. Per service in the manifest (logs: tailLines, maxWarnings, startupMarker); the
             flags below override it
  canary     with --compare baseline, for progressive services with an ECS deployment in progress:
             the new revision's target group against the baseline's over the same window (both
             sides shown): 5xx above the stack's warning rate (1%) or surely worse than the
             baseline's (Newcombe interval of the difference above 0), p99 above the p99
             threshold (1 s) or twice the baseline's, any crash: fail; too little traffic: inconclusive

Retries (--rollback --retries n): a service whose smoke or tasks check fails (not inconclusive, not
the validator's own error) first gets a new deployment of the same revision (ECS forceNewDeployment,
Kubernetes rollout restart, Docker container restart), under the stack lock; once its rollout is
done (--rollback-wait) it is validated again, up to n times, before the rollback. Each attempt is
in the report and the run record (attempts). Default 0; the pipeline passes 2. The validations after
a restart or a rollback judge with this one's settings (--skip, --no-smoke, --watch, log patterns...).

Runtimes (the manifest's runtime): the same checks, report and exit codes on each.
  ecs         as above
  kubernetes  rollout and tasks from the Deployment, its ReplicaSets and pods; errorRate and latency
              from Prometheus; logs from the pods
  docker      rollout and tasks from the containers (health, RestartCount, OOM); errorRate and
              latency from the smoke and watchdog requests themselves; logs from the engine
After the verdict, on each: a pass is recorded as last good, failures alert, --rollback rolls back
(fast path, then the stack config and a stack update), one run record. --compare is ECS only.
Delivery metrics (ECS only): as the run ends, CloudWatch namespace Delivery gets, per stack and
service, ValidationsPassed / ValidationsFailed (inconclusive counts in neither), Rollbacks,
Deployments (0) and RunningRevision. Best-effort: a failure is a warning on stderr and a metrics
action in the run record; the verdict and exit code stay. --no-record does not change it.

Progressive services (canary, linear, blueGreen): with --wait, a service whose ECS deployment is
in progress is first driven through its traffic steps, each judged against the baseline (the
canary check) and published for the lifecycle hook; a failing step returns its traffic at once
(StopServiceDeployment ROLLBACK); --no-steps leaves the rollout alone.

Dry run (--dry-run): the same judgement, report and exit code; sends, writes and changes nothing:
no alert, no last good record, no run record or alert state, no lock, no restart, no rollback.
Each would-be step is an action with status dry-run (the alert per channel, the last good record,
with --rollback which service goes back to which tag and revision, the stack config edit and
update). Text and markdown begin and end with a "dry run" line; JSON has "dryRun": true.
--no-alert: everything as usual (records, last good, --rollback) but no alert is sent; the report
and the run record list the alerts held back (status skipped, "--no-alert").

Examples:
  deployctl validate --stack staging --wait 5m
  deployctl validate --stack prod --rollback --retries 2 --dry-run
  deployctl validate --stack staging --no-alert --output json
  deployctl validate --manifest deployment.json --output json --skip smoke
  deployctl validate --stack prod --service api --compare baseline
  deployctl validate --stack staging --rollback --retries 2 --wait 5m

${EXIT_CODES_HELP}`;

/** `deployctl validate`: is this release healthy? */
export const registerValidate: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("validate")
    .description("Judge a release after a deploy (ECS, Kubernetes or Docker): rollout and tasks, 5xx rate, latency, smoke and logs.");
  addCommonOptions(cmd);
  cmd
    .option("--since <iso8601>", "start of the deployment (default: each service's newest ECS deployment's createdAt)", isoDate("--since"))
    .addOption(
      durationOption(
        "--window <duration>",
        "metrics window, back from now and never before --since, 1m to 1d (e.g. 300s, 15m; a bare number is seconds; default: the manifest's thresholds.windowSeconds)",
        { bareUnit: "s", unit: "s", min: 60_000, max: 86_400_000 },
      ),
    )
    .addOption(
      durationOption(
        "--wait <duration>",
        "wait this long for an in-progress rollout before judging, up to 1h (e.g. 90s, 10m; a bare number is seconds)",
        WAIT_RULE,
        0,
      ),
    )
    .addOption(
      durationOption(
        "--watch <duration>",
        "watchdog duration for services with a url (0 skips it), up to 1h (e.g. 30s, 2m; a bare number is seconds)",
        WAIT_RULE,
        30,
      ),
    )
    .option("--no-smoke", "skip the smoke requests and the watchdog")
    .addOption(new Option("--skip <check...>", "do not run this check (repeatable); reported as skipped").choices([...CHECK_NAMES]))
    .option("--confidence <level>", "confidence of the error-rate interval, between 0 and 1", confidenceLevel, 0.99)
    .option(
      "--no-steps",
      "with --wait: do not drive progressive deployments in progress through their traffic steps first (default: drive them)",
    )
    .addOption(
      new Option(
        "--compare <what>",
        "also compare each progressive service's new revision with its baseline (the canary check; default: no comparison)",
      ).choices(["baseline"]),
    )
    .option("--error-pattern <text...>", `log lines containing this fail (default: ${DEFAULT_LOG_PATTERNS.error.join(", ")})`)
    .option("--warn-pattern <text...>", `log lines containing this count as warnings (default: ${DEFAULT_LOG_PATTERNS.warn.join(", ")})`)
    .option("--startup-marker <text>", "a log line containing this must appear since the deployment began (default: the manifest's)")
    .option(
      "--tail-lines <n>",
      `judge only the last n lines of each task's log stream (default: the manifest's, else ${DEFAULT_LOG_PATTERNS.tailLines})`,
      wholeNumber("--tail-lines", 1, "lines"),
    )
    .option(
      "--max-warnings <n>",
      `warning lines allowed; one more fails (default: the manifest's, else ${DEFAULT_LOG_PATTERNS.maxWarnings})`,
      wholeNumber("--max-warnings", 0, "lines"),
    );
  addValidateReleaseOptions(cmd).addHelpText("after", HELP);
  addDeadlineOptions(cmd, "validate").action(async (flags: ValidateFlags) => {
    ctx.setExitCode(await underDeadline(flags, ctx, (c) => runValidateCommand(flags, c)));
  });
};

/**
 * The validate command's action: resolve the manifest and clients, validate, then the post-verdict
 * step (record last good, alert, roll back with --rollback, write the run record), render, and
 * return the exit code. An operational error still goes through the step (it alerts, never rolls
 * back) and then ends the command with exit 4.
 */
export async function runValidateCommand(flags: ValidateFlags, ctx: CliContext, deps?: CommandDeps): Promise<number> {
  // The implementation loads here, not with the option definitions (`--help` stays fast).
  deps = withDeadline(ctx, deps ?? (await import("../compose.js")).defaultCommandDeps);
  const { loadAnyManifest } = await import("../../validate/loadManifest.js");
  const { validate } = await import("../../validate/run.js");
  const { raceSignal } = await import("../../core/deadline.js");
  const { afterValidationStep } = await import("../validateStep.js");
  const { validateDeps } = await import("../compose.js");
  if ((flags.retries ?? 0) > 0 && !flags.rollback)
    throw new BadInputError(
      `--retries is ${flags.retries} without --rollback; a restart before a rollback needs --rollback (validate alone changes nothing): add --rollback or drop --retries.`,
    );
  if (flags.dryRun) writeDryRunHeader(ctx.io, flags.output);
  const stacks = deps.stacks(ctx.io.cwd);
  // --rollback updates the stack: without --manifest the Pulumi CLI is checked first (it is needed to read the stack too).
  // A dry run updates nothing.
  const updates = flags.rollback && !flags.dryRun;
  if (updates && !flags.manifest) await stacks.ready?.("update");
  const manifest = await loadAnyManifest({ stack: flags.stack, manifestFile: flags.manifest, cwd: ctx.io.cwd }, stacks);
  // From a manifest file too, except on Docker: its rollback's fast path runs without the CLI (the stack update is then pending, exit 4).
  if (updates && flags.manifest && manifest.runtime !== "docker") await stacks.ready?.("update");
  const clients = deps.createClients(awsClientOptions(flags, manifest, ctx.io.env));
  if ((manifest.runtime === "kubernetes" || manifest.runtime === "docker") && flags.compare)
    throw new BadInputError(
      `--compare baseline is not available for runtime ${manifest.runtime} yet (the canary comparison is ECS-native).`,
    );
  // After a plain `pulumi up` (the pipeline's deploy stage), nobody else drives a progressive rollout (ECS only).
  // A dry run drives nothing: moving traffic is a change.
  const ecs = manifest.runtime === "kubernetes" || manifest.runtime === "docker" ? undefined : manifest;
  const before =
    ecs && flags.steps && !flags.dryRun && flags.wait > 0 && ecs.services.some((s) => s.deployment)
      ? await driveSteps(flags, ecs, clients, ctx)
      : undefined;
  const kube = manifest.runtime === "kubernetes" ? deps.kubernetes?.(manifest) : undefined;
  const options = validateOptions(flags, manifest, ctx);
  let outcome: ValidationReport | Error;
  try {
    outcome = await raceSignal(
      deps.signal,
      validate(options, {
        ...validateDeps(manifest, clients, kube, deps.sleep, ctx.io.env),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
      }),
    );
  } catch (err) {
    if (!(err instanceof OperationalError)) throw err;
    outcome = err;
  }
  const step = await afterValidationStep({
    io: ctx.io,
    flags: {
      rollback: flags.rollback,
      record: flags.record,
      rollbackWait: flags.rollbackWait,
      retries: flags.retries,
      lockTimeout: flags.lockTimeout,
      recordsDir: flags.recordsDir,
      output: flags.output,
      dryRun: flags.dryRun,
      alert: flags.alert,
    },
    manifest,
    clients,
    stacks,
    outcome,
    before,
    // A retry's validation and the one after a rollback judge as this one did (--skip, --no-smoke, --watch, log patterns...).
    deps: { ...(await import("../compose.js")).defaultReleaseDeps, ...deps, validateSettings: settingsOf(options) },
  });
  const { redact, redactText } = await import("../../core/redact.js");
  if (outcome instanceof Error) {
    // Known secrets (webhook URL, routing key) never reach stderr, even inside an AWS or runtime message.
    if (outcome instanceof OperationalError && step.secrets.length > 0)
      throw new OperationalError(redactText(outcome.message, step.secrets), outcome.operation, { cause: outcome });
    throw outcome;
  }
  // The report shows what was done because of it (alerts, rollback), as the run record does; every
  // output format is masked with the secrets the alert channels know (check messages quote log lines).
  const report = redact({ ...(step.report ?? outcome), actions: step.record.actions }, step.secrets);
  if (flags.dryRun) writeDryRunReport(ctx.io, report, flags.output, "validate");
  else writeReport(ctx.io, report, flags.output, "validate");
  // The exit code of the run (a run record that could not be written was said on stderr; the verdict stands).
  return exitCodeFor({ command: step.record.command, outcome: step.outcome, errorKind: step.errorKind });
}

/** Drives progressive services with a deployment in progress through their steps; progress on stderr. */
async function driveSteps(flags: ValidateFlags, manifest: EcsManifest, clients: AwsClients, ctx: CliContext): Promise<DrivenSteps> {
  const { driveInProgress } = await import("../../canary/drive.js");
  const { Progress } = await import("../../core/progress.js");
  const { newRunId } = await import("../../records/identity.js");
  const now = () => new Date();
  const progress = new Progress((line) => ctx.io.stderr(`${line}\n`), now);
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return driveInProgress(
    { manifest, services: flags.service, runId: newRunId(now()), confidence: flags.confidence },
    { clients, progress, now, sleep },
  );
}

function confidenceLevel(value: string): number {
  const n = Number(value);
  if (!/^0?\.\d+$/.test(value.trim()) || !(n > 0 && n < 1)) {
    throw new InvalidArgumentError(`--confidence is "${value}"; it must be a number between 0 and 1 (exclusive), such as 0.99.`);
  }
  return n;
}

/** The settings of a validation that the validations after it (a retry's, a rollback's) keep. */
function settingsOf(options: ValidateOptions): ValidateSettings {
  const { watchSeconds, smoke, skip, confidence, windowSeconds, logPatterns, tuning } = options;
  return { watchSeconds, smoke, skip, confidence, windowSeconds, logPatterns, tuning };
}

/** What validate() is asked from the command's flags, for every runtime. */
export function validateOptions(flags: ValidateFlags, manifest: ValidateOptions["manifest"], ctx: CliContext): ValidateOptions {
  return {
    manifest,
    services: flags.service,
    since: flags.since,
    windowSeconds: flags.window,
    waitSeconds: flags.wait,
    watchSeconds: flags.watch,
    smoke: flags.smoke,
    skip: flags.skip,
    confidence: flags.confidence,
    compare: flags.compare,
    logPatterns: {
      ...(flags.errorPattern ? { error: flags.errorPattern } : {}),
      ...(flags.warnPattern ? { warn: flags.warnPattern } : {}),
      ...(flags.startupMarker ? { startupMarker: flags.startupMarker } : {}),
      ...(flags.tailLines !== undefined ? { tailLines: flags.tailLines } : {}),
      ...(flags.maxWarnings !== undefined ? { maxWarnings: flags.maxWarnings } : {}),
    },
    onProgress: progressTo(ctx.io),
  };
}
