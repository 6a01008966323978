import { appendFileSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { AwsClientOptions, AwsClients } from "../providers/aws/clients";
import { awsConnection } from "../providers/aws/options";
import { type CliIO, useColour } from "./io";
import { ExitCode, type ExitCodeValue } from "./exitCodes";
import type { DeploymentManifest, KubernetesManifest } from "../../contract/manifest";
import type { KubernetesClients } from "../providers/kubernetes/client";
import type { PulumiStacks } from "../providers/pulumi/stacks";
import { DEFAULT_ALERT_POLICY } from "../alerts/policy";
import type { Verdict } from "../../contract/report";
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
  stacks: (workDir: string) => PulumiStacks;
  createClients: (options: AwsClientOptions) => AwsClients;
  /** A Kubernetes stack's API clients. @default the kubeconfig's (KUBECONFIG, ~/.kube/config, in-cluster) with the manifest's context */
  kubernetes?: (manifest: KubernetesManifest) => KubernetesClients;
  /** Pauses while waiting for a rollout. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
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

/** --stack, --manifest, --service, --output and the AWS connection flags. */
export function addCommonOptions(cmd: Command, formats: readonly OutputFormat[] = OUTPUT_FORMATS): Command {
  return cmd
    .option("--stack <name>", "the stack whose `deployment` output to read (Pulumi Automation API)")
    .option("--manifest <file>", "the `deployment` output as JSON (`pulumi stack output deployment --json`); wins over reading the stack")
    .option("--service <name...>", "only these services (repeatable; default: every service of the manifest)")
    .addOption(new Option("--output <format>", "output format").choices([...formats]).default("text"))
    .option("--region <region>", "AWS region (default: the manifest's region, then AWS_REGION / AWS_DEFAULT_REGION)")
    .option("--endpoint-url <url>", "send every AWS call to this endpoint, e.g. moto or LocalStack (default: $AWS_ENDPOINT_URL)")
    .option(
      "--max-attempts <n>",
      "attempts per AWS call (standard retry mode: throttling and 5xx are retried)",
      wholeNumber("--max-attempts", 1),
      3,
    )
    .option("--timeout <ms>", "timeout of one AWS request, in milliseconds", wholeNumber("--timeout", 1, "milliseconds"), 10_000);
}

/** Region from --region, the manifest, then the environment; endpoint from --endpoint-url then AWS_ENDPOINT_URL. */
export function awsClientOptions(
  flags: CommonFlags,
  manifest: Pick<DeploymentManifest, "region" | "runtime">,
  env: NodeJS.ProcessEnv,
): AwsClientOptions {
  // A Kubernetes stack needs AWS only for SNS alerts or an S3 history bucket; without a region it
  // gets a placeholder one (no AWS call is made unless the manifest names such a resource).
  const fallback = manifest.runtime === "kubernetes" && !env.AWS_REGION && !env.AWS_DEFAULT_REGION ? "us-east-1" : undefined;
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
    cmd.option(
      "--lock-timeout <seconds>",
      "wait this long for another run's stack lock before exiting 5",
      wholeNumber("--lock-timeout", 0, "seconds"),
      0,
    );
  }
  if (options.alerts !== false) {
    cmd
      .addOption(
        new Option("--alert-window <seconds>", "do not repeat an alert for the same stack, service and check within this window")
          .argParser(wholeNumber("--alert-window", 0, "seconds"))
          .default(DEFAULT_ALERT_POLICY.dedupWindowSeconds),
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
    .option(
      "--rollback-wait <seconds>",
      "how long the validation after a rollback waits for the ECS rollout",
      wholeNumber("--rollback-wait", 0, "seconds"),
      300,
    )
    .option(
      "--lock-timeout <seconds>",
      "wait this long for another run's stack lock before a rollback gives up (exit 5)",
      wholeNumber("--lock-timeout", 0, "seconds"),
      0,
    )
    .option(
      "--records-dir <dir>",
      "keep run records in this directory (default: the manifest's S3 history bucket, else .delivery/records/<stack>)",
    );
}
