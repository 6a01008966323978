import type { AwsClients } from "../providers/aws/clients";
import type { CliIO } from "./io";
import type { JudgedManifest } from "../validate/loadManifest";
import type { PulumiStacks } from "../providers/pulumi/stacks";
import type { ValidationReport } from "../../contract/report";
import { type AfterValidationOptions, type AfterValidationResult, afterValidation } from "../workflows/validateAndRollback";
import type { OutputFormat } from "../render/index";
import { buildReleaseRuntime, defaultReleaseDeps, type ReleaseCommandDeps } from "./compose";
import { redactText } from "../core/redact";
import { warnAfterRun } from "./runWarnings";

/** The validate flags this step reads: `--rollback`, `--no-record` (record), and the optional extras. */
export interface ValidateReleaseFlags {
  rollback: boolean;
  record: boolean;
  /** The validation after a rollback (or a `--retries` restart) waits this long for the rollout. @default 300 */
  rollbackWait?: number;
  /** `--retries`: new deployments of the same revision tried before a rollback (with --rollback). @default 0 */
  retries?: number;
  lockTimeout?: number;
  recordsDir?: string;
  /** validate's --output: progress goes to stderr unless it is text. */
  output?: OutputFormat;
  /** `--dry-run`: send, write and change nothing; the actions say what would be done (cli/dryRun.ts). @default false */
  dryRun?: boolean;
  /** `--no-alert` makes it false: no alert is sent, the actions list them as skipped. @default true */
  alert?: boolean;
}

// The option definitions live in cli/options (loaded for --help); re-exported for the callers of before.
export { addValidateReleaseOptions } from "./options";

export interface ValidateStepInput {
  io: CliIO;
  flags: ValidateReleaseFlags;
  manifest: JudgedManifest;
  clients: AwsClients;
  stacks: PulumiStacks;
  /** What validate() returned, or the error it threw. */
  outcome: ValidationReport | Error;
  /** Progressive services driven through their traffic steps before validate (for the record and the rollback). */
  before?: AfterValidationOptions["before"];
  deps?: ReleaseCommandDeps;
}

/**
 * The step `deployctl validate` runs after its verdict: record last good (unless --no-record),
 * alert, roll back with --rollback, write the run record. Returns the exit code to use and the
 * report the decision was made on (in-progress rollouts validated again when rolling back).
 */
export async function afterValidationStep(input: ValidateStepInput): Promise<AfterValidationResult & { secrets: readonly string[] }> {
  const deps = input.deps ?? defaultReleaseDeps;
  const runtime = await buildReleaseRuntime({
    manifest: input.manifest,
    clients: input.clients,
    stacks: input.stacks,
    io: input.io,
    flags: input.flags,
    deps,
    mode: { dryRun: input.flags.dryRun === true, noAlert: input.flags.alert === false },
  });
  const result = await afterValidation(
    {
      manifest: input.manifest,
      outcome: input.outcome,
      rollback: input.flags.rollback,
      record: input.flags.record,
      waitSeconds: input.flags.rollbackWait,
      retries: input.flags.retries,
      lockTimeoutSeconds: input.flags.lockTimeout,
      before: input.before,
    },
    { ...runtime.release, store: runtime.store, lock: runtime.lock, who: runtime.who, runId: runtime.runId },
  );
  const secrets = runtime.secrets.values();
  warnAfterRun(input.io, result, (text) => redactText(text, secrets));
  if (!result.error && result.location) input.io.stderr(`deployctl: run record ${result.location}\n`);
  // The secrets the alert channels registered: the report printed after this step is masked with them too.
  return { ...result, secrets };
}
