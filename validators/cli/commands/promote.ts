import { existsSync } from "node:fs";
import { addDeadlineOptions, type DeadlineFlags, underDeadline, withDeadline } from "../deadline";
import { join, resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import type { ReleaseCommandDeps } from "../compose";
import type { DeploymentManifest, DockerManifest } from "../../../contract/manifest";
import type { PulumiStacks } from "../../providers/pulumi/stacks";
import { addAwsConnectionOptions, awsClientOptions, durationOption, outputOption, WAIT_RULE } from "../options";
import type { CliContext, RegisterCommand } from "../context";
import { BadInputError, DeliveryError } from "../../core/errors";
import { exitCodeForPromotion } from "../exitCodes";

/** The runtimes promote moves releases on: ECS and Kubernetes. */
type PromotedManifest = Exclude<DeploymentManifest, DockerManifest>;

export interface PromoteFlags extends DeadlineFlags {
  from: string;
  to: string;
  service?: string[];
  yes: boolean;
  dryRun?: boolean;
  maxAge: number;
  minAge?: number;
  reason?: string;
  dir: string;
  fromManifest?: string;
  toManifest?: string;
  lockTimeout: number;
  recordsDir?: string;
  output: "text" | "json" | "markdown";
  region?: string;
  endpointUrl?: string;
  maxAttempts: number;
  timeout: number;
}

const HELP = `
What it does (the target stack is locked meanwhile; another run holding it: exit 5):
  1. per service of the target's config (or --service): the source stack's last good release
     (ECS: /delivery/<from>/<service>/last-good in SSM; Kubernetes: key <service> of the ConfigMap
     delivery-releases in the source's namespace, on the cluster of its manifest's kubernetes.context).
     Refused, naming why, when there is none, when the source stack's newest run touching the service
     failed or rolled it back, when it was validated longer ago than --max-age (7d), or when its image
     cannot reach the target (ECS: the target's ECR repository; Kubernetes: the registry the config
     names, asked over the OCI distribution API; no image is copied between registries).
     Stabilisation window: refused too when the release has been last good in the source stack for
     less than the target's delivery:promotion.minAge (default 24h when the target is prod, 0s
     otherwise), or when a failed or inconclusive validation of the service is recorded in the source
     stack since it became last good (the message names the service, its age and what is missing).
     --min-age D --reason "..." replaces the window (the reason is required and goes into the
     markdown, the pull-request body); --min-age 0s also waives the validation rule.
  2. shows, per service, the tag before and after, and the drift between the two stacks' offline
     renders that their tiers do not explain (sizes, counts, retention... are left out).
  3. asks (unless --yes), copies each image missing from the target's ECR repository (same tag and
     digest; ECS only), and writes the tags into Pulumi.<to>.yaml, comments and formatting kept:
     commit it for review; deploying the target runs them.
All or nothing: one refused service refuses the promotion (exit 1) and nothing changes.
--dry-run stops after 2: it prints the plan (outcome would-promote, or the refusal, still exit 1)
and takes no lock, copies no image and writes nothing; no --yes is needed.
Both stacks run on ECS, or both on Kubernetes (the target's lock is then the Lease delivery-lock-<to>
in its namespace). Stacks on different runtimes, or on Docker, are refused (exit 2), naming the runtimes.

Examples:
  deployctl promote --from staging --to prod
  deployctl promote --from staging --to prod --dry-run                # the plan, nothing changed
  deployctl promote --from staging --to prod --service api --yes --output markdown > promotion.md
  deployctl promote --from staging --to prod --min-age 0s --reason "hotfix for INC-42" --yes
  deployctl promote --dir examples/kubernetes --from staging --to prod --yes   # two Kubernetes stacks (kubeconfig contexts)

Exit codes:
  0  promoted (Pulumi.<to>.yaml written), or nothing to change; with --dry-run, it would promote
  1  refused (a service cannot be promoted, or the answer was no); nothing changed
  2  bad input (a flag, a stack file or a manifest; no --yes when stdin is not a terminal)
  4  operational error (AWS or the Kubernetes API unreachable, access denied, a render failed, --deadline passed)
  5  the target stack is locked by another run`;

/** `deployctl promote`: write the source stack's verified releases into the target stack's config. */
export const registerPromote: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("promote")
    .description("Promote the releases proven in one stack (its last good releases) to another: a reviewable change of Pulumi.<to>.yaml.")
    .option("--from <stack>", "the stack whose last good releases are promoted", stackName("--from"), "staging")
    .option("--to <stack>", "the stack whose config receives them", stackName("--to"), "prod")
    .option("--service <name...>", "only these services (repeatable; default: every service of the target's config)")
    .option("--yes", "do not ask for confirmation (required when stdin is not a terminal)", false)
    .option(
      "--dry-run",
      "plan and show the verdicts, drift, tag changes and image copies; write, copy and lock nothing (no --yes needed)",
      false,
    )
    .addOption(
      durationOption(
        "--max-age <duration>",
        "refuse a last good release validated longer ago than this, 1d to 365d in whole days (e.g. 7d, 48h; a bare number is days)",
        { bareUnit: "d", unit: "d", min: 86_400_000, max: 365 * 86_400_000 },
        7,
      ),
    )
    .addOption(
      durationOption(
        "--min-age <duration>",
        "override the stabilisation window, up to 30d (e.g. 0s, 2h, 1h30m; a bare number is seconds; requires --reason)",
        { bareUnit: "s", unit: "s", min: 0, max: 30 * 86_400_000, examples: "0s, 30m, 24h or 1h30m" },
      ),
    )
    .option("--reason <text>", "why the stabilisation window is overridden (required with --min-age; in the pull-request body)")
    .option("--dir <dir>", "the Pulumi project folder with Pulumi.<from>.yaml and Pulumi.<to>.yaml", ".")
    .option("--from-manifest <file>", "the source stack's `deployment` output as JSON (default: read it from the stack)")
    .option("--to-manifest <file>", "the target stack's `deployment` output as JSON (default: read it from the stack)")
    .addOption(
      durationOption(
        "--lock-timeout <duration>",
        "wait this long for another run's lock of the target stack before exiting 5, up to 1h (e.g. 30s, 5m; a bare number is seconds)",
        WAIT_RULE,
        0,
      ),
    )
    .option(
      "--records-dir <dir>",
      "read the source stack's run records from this directory (default: its manifest's S3 history bucket, else .delivery/records/<from>)",
    )
    .addOption(
      outputOption("output format (json: one document with schemaVersion; markdown: for a pull request body or $GITHUB_STEP_SUMMARY)"),
    )
    .addHelpText("after", HELP);
  addAwsConnectionOptions(cmd, "each manifest's region");
  addDeadlineOptions(cmd, "promote").action(async (flags: PromoteFlags) => {
    ctx.setExitCode(await underDeadline(flags, ctx, (c) => runPromoteCommand(flags, c)));
  });
};

export async function runPromoteCommand(flags: PromoteFlags, ctx: CliContext, deps?: ReleaseCommandDeps): Promise<number> {
  // The implementation loads here, not with the option definitions (`--help` stays fast).
  const compose = await import("../compose.js");
  deps = withDeadline(ctx, deps ?? compose.defaultReleaseDeps);
  const { whoAmI } = await import("../../records/identity.js");
  const { PROMOTE_DRY_RUN_FOOT, PROMOTE_DRY_RUN_HEAD, renderJson, renderMarkdown, renderOutcomeText, renderPlanText } = await import(
    "../../promote/render.js"
  );
  const { promote } = await import("../../workflows/promote.js");
  const { io } = ctx;
  const dir = resolve(io.cwd, flags.dir);
  await checkStacks(flags, dir);
  const stacks = deps.stacks(dir);
  const fromManifest = await readManifest(flags.from, flags.fromManifest, "--from", io.cwd, stacks);
  const toManifest = await readManifest(flags.to, flags.toManifest, "--to", io.cwd, stacks);
  sameRuntime(fromManifest, toManifest);
  const source = deps.createClients(awsClientOptions({ ...flags, output: flags.output }, fromManifest, io.env));
  const sameRegion = fromManifest.region === toManifest.region || flags.region !== undefined;
  const target = sameRegion ? source : deps.createClients(awsClientOptions({ ...flags, output: flags.output }, toManifest, io.env));
  const stores = compose.promotionStores({
    from: fromManifest,
    to: toManifest,
    source,
    target,
    cwd: dir,
    recordsDir: flags.recordsDir,
    deps,
  });
  const text = flags.output === "text";
  const dryRun = flags.dryRun ?? false;
  if (text && dryRun) io.stdout(`${PROMOTE_DRY_RUN_HEAD}\n`);
  const ended = await promote(
    {
      from: flags.from,
      to: flags.to,
      dir,
      services: flags.service,
      yes: flags.yes,
      dryRun,
      maxAgeDays: flags.maxAge,
      ...(flags.minAge !== undefined ? { minAgeSeconds: flags.minAge } : {}),
      ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
      lockTimeoutSeconds: flags.lockTimeout,
    },
    {
      ...stores,
      // The drift view renders both stacks with the Pulumi program: loaded only when it is shown.
      drift: async (from, to) => (await import("../../promote/drift.js")).configDrift(from, to),
      confirm: deps.confirm,
      show: (view) => {
        if (text) io.stdout(`${renderPlanText(view)}\n`);
      },
      progress: (line) => io.stderr(`… ${line}\n`),
      now: deps.now,
      sleep: deps.sleep,
      who: whoAmI(io.env),
      signal: deps.signal,
    },
  );
  const result = { ...ended, exitCode: exitCodeForPromotion(ended.outcome) };
  io.stdout(
    flags.output === "json"
      ? renderJson(result)
      : flags.output === "markdown"
        ? renderMarkdown(result)
        : renderOutcomeText(result) + (dryRun ? `${PROMOTE_DRY_RUN_FOOT}\n` : ""),
  );
  return result.exitCode;
}

/** A stack name as Pulumi.<stack>.yaml takes it. */
function stackName(flag: string): (value: string) => string {
  return (value) => {
    if (!/^[A-Za-z0-9_.-]+$/.test(value))
      throw new InvalidArgumentError(`${flag} is "${value}"; a stack name is letters, digits, '_', '.' or '-'.`);
    return value;
  };
}

/** The project folder has Pulumi.yaml and both stack files, and the stacks differ. */
async function checkStacks(flags: PromoteFlags, dir: string): Promise<void> {
  if (!existsSync(join(dir, "Pulumi.yaml")))
    throw new BadInputError(`--dir is "${flags.dir}"; it has no Pulumi.yaml (expected the Pulumi project folder).`);
  if (flags.from === flags.to)
    throw new BadInputError(`--from and --to are both "${flags.from}"; promote moves releases from one stack to another.`);
  const { listStacks } = await import("../../../contract/stackFiles.js");
  const available = listStacks(dir);
  const problems = (["from", "to"] as const)
    .filter((key) => !available.includes(flags[key]))
    .map(
      (key) => `--${key} is "${flags[key]}"; there is no Pulumi.${flags[key]}.yaml in ${dir} (stacks: ${available.join(", ") || "none"}).`,
    );
  if (problems.length > 0) throw new BadInputError(problems.join("\n"));
}

/** The stack's `deployment` manifest, from `--from-manifest` / `--to-manifest` or the stack itself: ECS or Kubernetes. */
async function readManifest(
  stack: string,
  file: string | undefined,
  flag: "--from" | "--to",
  cwd: string,
  stacks: PulumiStacks,
): Promise<PromotedManifest> {
  const { loadAnyManifest } = await import("../../validate/loadManifest.js");
  let manifest: DeploymentManifest;
  try {
    manifest = await loadAnyManifest(file ? { manifestFile: file, cwd, command: "promote" } : { stack, cwd, command: "promote" }, stacks);
  } catch (err) {
    // loadManifest names the flag validate takes; promote's are --from-manifest and --to-manifest.
    if (err instanceof DeliveryError && err.message.startsWith("--manifest "))
      throw new BadInputError(`${flag}-manifest ${err.message.slice("--manifest ".length)}`, { cause: err });
    throw err;
  }
  const source = file ? `${flag}-manifest ${file}` : `the deployment output of stack ${stack}`;
  if (manifest.stack !== stack) {
    throw new BadInputError(
      `${source}: its stack is "${manifest.stack}", but ${flag} is "${stack}"; give the deployment output of stack ${stack}.`,
    );
  }
  if (manifest.runtime === "docker")
    throw new BadInputError(
      `${source}: runtime is "docker"; promote is not available for runtime docker yet (it promotes between ECS stacks and between Kubernetes stacks).`,
    );
  return manifest;
}

/** Both stacks on one runtime: promote moves releases ECS to ECS or Kubernetes to Kubernetes (their images live apart). */
function sameRuntime(from: PromotedManifest, to: PromotedManifest): void {
  const [a, b] = [from.runtime ?? "ecs", to.runtime ?? "ecs"];
  if (a === b) return;
  throw new BadInputError(
    `--from stack ${from.stack} runs on ${a} and --to stack ${to.stack} on ${b}; promote moves releases between stacks on the same runtime (ecs to ecs, kubernetes to kubernetes).`,
  );
}
