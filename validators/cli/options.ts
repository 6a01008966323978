import { appendFileSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { AwsClientOptions, AwsClients } from "../providers/aws/clients";
import { awsConnection } from "../providers/aws/options";
import { type CliIO, useColour } from "./io";
import { ExitCode, type ExitCodeValue } from "./exitCodes";
import type { DeploymentManifest, KubernetesManifest } from "../../contract/manifest";
import type { KubernetesClients } from "../providers/kubernetes/client";
import type { PulumiStacks } from "../providers/pulumi/stacks";
import type { PulumiTimeouts } from "../providers/pulumi/cli";
import { DEFAULT_ALERT_POLICY } from "../alerts/policy";
import { MAX_RETRIES } from "../rollback/retryRestart";
import type { Verdict } from "../../contract/report";
import { DURATION_UNITS, type DurationRule, formatDuration, readDuration } from "../../contract/duration";
import { ANSI, type AnyReport, OUTPUT_FORMATS, type OutputFormat, PLAIN, renderReport } from "../render/index";

/** The flags every report command (validate, gate) shares. */
export interface CommonFlags {
  stack?: string;
  manifest?: string;
  service?: string[];
  output: OutputFormat;
  region?: string;
  endpointUrl?: string;
  maxAttempts: number;
  timeout: number;
  /** --deadline, milliseconds (cli/deadline.ts). */
  deadline?: number;
  /** --pulumi-timeout, milliseconds. */
  pulumiTimeout?: number;
}

/** The flags deploy, rollback and history add to the common ones (--stack, --manifest, --output, AWS). */
export interface ReleaseFlags extends CommonFlags {
  recordsDir?: string;
  lockTimeout: number;
  alertWindow: number;
  escalateAfter: number;
}

/** What a report command needs from the outside world; tests replace it (the real one: compose.ts). */
export interface CommandDeps {
  /** The Pulumi stacks of the project in `workDir`; every CLI run bounded by `timeouts`. */
  stacks: (workDir: string, timeouts?: PulumiTimeouts) => PulumiStacks;
  createClients: (options: AwsClientOptions) => AwsClients;
  /** A Kubernetes stack's API clients. @default the kubeconfig's (KUBECONFIG, ~/.kube/config, in-cluster) with the manifest's context */
  kubernetes?: (manifest: KubernetesManifest) => KubernetesClients;
  /** Pauses while waiting for a rollout. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** The command's --deadline: workflows race their body against it (cli/deadline.ts). @default none */
  signal?: AbortSignal;
}

/** A commander parser for a whole number >= min, with a message naming the flag, the value and what is allowed. */
export function wholeNumber(flag: string, min: number, unit = ""): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`${flag} is "${value}"; it must be a whole number${unit ? ` of ${unit}` : ""}, at least ${min}.`);
    }
    return n;
  };
}

/** `--retries <n>`: a whole number from 0 to 5, with a message naming the flag, the value and what is allowed. */
export function retriesCount(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n > MAX_RETRIES) {
    throw new InvalidArgumentError(
      `--retries is "${value}"; it must be a whole number from 0 to ${MAX_RETRIES} (new deployments of the same revision tried before a rollback).`,
    );
  }
  return n;
}

/** The help of `--retries` (validate and deploy). */
export const RETRIES_HELP =
  "on a failed health check (smoke or tasks), force a new deployment of the same revision and validate again, up to n times (0 to 5), before the rollback";

/**
 * A commander parser for a time flag (contract/duration.ts `readDuration`): `500ms`, `10s`, `5m`,
 * `2h`, `1d`, `1h30m`, or a bare whole number in `rule.bareUnit`; the value is in `rule.unit`
 * (the unit the code has always received). Bad input throws InvalidArgumentError naming the flag,
 * the value and what is allowed (exit 2).
 */
export function duration(flag: string, rule: DurationRule): (value: string) => number {
  return (value) => {
    const read = readDuration(flag, value, rule);
    if ("error" in read) throw new InvalidArgumentError(read.error);
    return read.value;
  };
}

/** A time flag's Option: `duration`'s parser, and the default (in `rule.unit`) shown with its unit (`(default: 10m)`). */
export function durationOption(flags: string, description: string, rule: DurationRule, defaultValue?: number): Option {
  const option = new Option(flags, description);
  option.argParser(duration(option.long ?? flags, rule));
  return defaultValue === undefined
    ? option
    : option.default(defaultValue, formatDuration(defaultValue * DURATION_UNITS[rule.unit ?? "ms"]));
}

/** The bounds of `--timeout` (one AWS request, milliseconds): 1ms to 5m. */
export const AWS_TIMEOUT_RULE: DurationRule = { bareUnit: "ms", unit: "ms", min: 1, max: 5 * 60_000 };

/** The bounds of a wait for a rollout or lock (seconds): 0s to 1h. */
export const WAIT_RULE: DurationRule = { bareUnit: "s", unit: "s", min: 0, max: 3_600_000 };

/**
 * A commander parser for an ISO 8601 timestamp (`2025-01-31T12:00:00Z`). A time of day needs its
 * zone (`Z` or an offset): JavaScript would read `2025-01-31T12:00:00` in the machine's local time,
 * so the same flag would mean another instant on a laptop and in CI. A bare date is UTC midnight.
 */
export function isoDate(flag: string): (value: string) => Date {
  return (value) => {
    const date = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(value) || Number.isNaN(date.getTime())) {
      throw new InvalidArgumentError(`${flag} is "${value}"; it must be an ISO 8601 time such as 2025-01-31T12:00:00Z.`);
    }
    if (/T/i.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
      throw new InvalidArgumentError(
        `${flag} is "${value}"; it has no time zone, so it would be read in this machine's local time: add Z (UTC) or an offset, e.g. ${value}Z.`,
      );
    }
    return date;
  };
}

/** `-o, --output text|json|markdown`, the same on every command. */
export function outputOption(
  description = "output format (json: one document with schemaVersion; markdown: for $GITHUB_STEP_SUMMARY)",
): Option {
  return new Option("-o, --output <format>", description).choices([...OUTPUT_FORMATS]).default("text");
}

/** --stack, --manifest, --service, --output and the AWS connection flags. */
export function addCommonOptions(cmd: Command): Command {
  cmd
    .option("-s, --stack <name>", "the stack whose `deployment` output to read (Pulumi Automation API)")
    .option("--manifest <file>", "the `deployment` output as JSON (`pulumi stack output deployment --json`); wins over reading the stack")
    .option("--service <name...>", "only these services (repeatable; default: every service of the manifest)")
    .addOption(outputOption());
  return addAwsConnectionOptions(cmd, "the manifest's region");
}

/** --region, --endpoint-url, --max-attempts and --timeout: the AWS connection, the same on every command that calls AWS. */
export function addAwsConnectionOptions(cmd: Command, regionDefault: string): Command {
  return cmd
    .option("--region <region>", `AWS region (default: ${regionDefault}, then AWS_REGION / AWS_DEFAULT_REGION)`)
    .option("--endpoint-url <url>", "send every AWS call to this endpoint, e.g. moto or LocalStack (default: $AWS_ENDPOINT_URL)")
    .option(
      "--max-attempts <n>",
      "attempts per AWS call (standard retry mode: throttling and 5xx are retried)",
      wholeNumber("--max-attempts", 1),
      3,
    )
    .addOption(
      durationOption(
        "--timeout <duration>",
        "timeout of one AWS request, up to 5m (e.g. 500ms, 10s; a bare number is milliseconds)",
        AWS_TIMEOUT_RULE,
        10_000,
      ),
    );
}

/** Region from --region, the manifest, then the environment; endpoint from --endpoint-url then AWS_ENDPOINT_URL. */
export function awsClientOptions(
  flags: CommonFlags,
  manifest: Pick<DeploymentManifest, "region" | "runtime">,
  env: NodeJS.ProcessEnv,
): AwsClientOptions {
  // A Kubernetes or Docker stack needs AWS only for SNS alerts or an S3 history bucket; without a region it
  // gets a placeholder one (no AWS call is made unless the manifest names such a resource).
  const fallback =
    (manifest.runtime === "kubernetes" || manifest.runtime === "docker") && !env.AWS_REGION && !env.AWS_DEFAULT_REGION
      ? "us-east-1"
      : undefined;
  return awsConnection(flags, env, manifest.region ?? fallback);
}

/** Prints the report on stdout; markdown is also appended to $GITHUB_STEP_SUMMARY when that is set. */
export function writeReport(io: CliIO, report: AnyReport, format: OutputFormat, title: string): void {
  const text = renderReport(report, format, title, useColour(io) ? ANSI : PLAIN);
  io.stdout(text);
  const summary = io.env.GITHUB_STEP_SUMMARY;
  if (format === "markdown" && summary) {
    try {
      appendFileSync(summary, `${text}\n`);
    } catch (err) {
      io.stderr(`deployctl: could not append to GITHUB_STEP_SUMMARY (${summary}): ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
}

/** The first and the last line of a dry run's text and markdown report (validate, gate). */
export const DRY_RUN_HEADER = "dry run: nothing is sent, written or changed; actions marked dry-run are what a real run would do";
export const DRY_RUN_FOOTER = "dry run: nothing was sent, written or changed";

/** A dry run's first line on stdout (text and markdown; JSON says `dryRun: true` instead), before any progress. */
export function writeDryRunHeader(io: CliIO, format: OutputFormat): void {
  if (format !== "json") io.stdout(dryRunLine(DRY_RUN_HEADER, format));
}

/** `--dry-run`: the report, then the dry run's last line (text, markdown); in JSON the report with `dryRun: true`. */
export function writeDryRunReport(io: CliIO, report: AnyReport, format: OutputFormat, title: string): void {
  if (format === "json") return writeReport(io, { ...report, dryRun: true }, format, title);
  writeReport(io, report, format, title);
  io.stdout(format === "markdown" ? `\n${dryRunLine(DRY_RUN_FOOTER, format)}` : dryRunLine(DRY_RUN_FOOTER, format));
}

function dryRunLine(text: string, format: OutputFormat): string {
  return format === "markdown" ? `> **${text}**\n\n` : `${text}\n`;
}

/** `--dry-run` (validate, gate): what it says, per command. */
export function addDryRunOption(cmd: Command, description: string): Command {
  return cmd.option("--dry-run", description, false);
}

/** pass -> 0, fail -> 1, inconclusive -> 3. */
export function exitCodeForVerdict(verdict: Verdict): ExitCodeValue {
  return verdict === "pass" ? ExitCode.Ok : verdict === "fail" ? ExitCode.Fail : ExitCode.Inconclusive;
}

/** Progress lines for people go to stderr, so stdout holds only the report. */
export function progressTo(io: CliIO): (message: string) => void {
  return (message) => io.stderr(`… ${message}\n`);
}

/** --records-dir, --lock-timeout and the alert policy flags. */
export function addReleaseOptions(cmd: Command, options: { lock?: boolean; alerts?: boolean } = {}): Command {
  cmd.option(
    "--records-dir <dir>",
    "keep run records in this directory (default: the manifest's S3 history bucket, else .delivery/records/<stack>)",
  );
  if (options.lock !== false) {
    cmd.addOption(
      durationOption(
        "--lock-timeout <duration>",
        "wait this long for another run's stack lock before exiting 5, up to 1h (e.g. 30s, 5m; a bare number is seconds)",
        WAIT_RULE,
        0,
      ),
    );
  }
  if (options.alerts !== false) {
    cmd
      .addOption(
        durationOption(
          "--alert-window <duration>",
          "do not repeat an alert for the same stack, service and check within this window, up to 7d (e.g. 30m, 2h; a bare number is seconds)",
          { bareUnit: "s", unit: "s", min: 0, max: 7 * 86_400_000 },
          DEFAULT_ALERT_POLICY.dedupWindowSeconds,
        ),
      )
      .addOption(
        new Option("--escalate-after <runs>", "consecutive failed runs of a service that make its alert critical")
          .argParser(wholeNumber("--escalate-after", 1, "runs"))
          .default(DEFAULT_ALERT_POLICY.escalateAfter),
      );
  }
  return cmd;
}

/** Adds --rollback, --no-record, --rollback-wait, --lock-timeout and --records-dir to `deployctl validate`. */
export function addValidateReleaseOptions(cmd: Command): Command {
  return cmd
    .option(
      "--rollback",
      "on a fail verdict, roll failing services back to their last good release (never on inconclusive or exit 4)",
      false,
    )
    .option(
      "--no-record",
      "do not record passing services as last good (SSM; the delivery-releases ConfigMap on Kubernetes, .delivery/ on Docker); the run record is still written",
    )
    .option("--retries <n>", `with --rollback: ${RETRIES_HELP}`, retriesCount, 0)
    .addOption(
      durationOption(
        "--rollback-wait <duration>",
        "how long the validation after a rollback (or a --retries restart) waits for the rollout, up to 1h (e.g. 90s, 10m; a bare number is seconds)",
        WAIT_RULE,
        300,
      ),
    )
    .addOption(
      durationOption(
        "--lock-timeout <duration>",
        "wait this long for another run's stack lock before a rollback gives up (exit 5), up to 1h (e.g. 30s, 5m; a bare number is seconds)",
        WAIT_RULE,
        0,
      ),
    )
    .option(
      "--records-dir <dir>",
      "keep run records in this directory (default: the manifest's S3 history bucket, else .delivery/records/<stack>)",
    )
    .option(
      "--dry-run",
      "judge and print everything (verdict, the alerts, last good records, run record and rollback it would make) but send, write and change nothing: no alert, no SSM/ConfigMap/.delivery write, no run record, no lock, no restart, no rollback",
      false,
    )
    .option(
      "--no-alert",
      "send no alert (SNS, Slack, PagerDuty); everything else as usual, and the run record lists the alerts held back (skipped)",
    );
}
