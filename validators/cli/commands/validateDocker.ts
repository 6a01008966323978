import type { DockerManifest } from "../../../contract/manifest";
import { join } from "node:path";
import type { ActionRecord, ValidationReport } from "../../../contract/report";
import { BadInputError, OperationalError } from "../../core/errors";
import { newRunId, whoAmI } from "../../records/identity";
import { LocalReleaseRegistry } from "../../release/localRegistry";
import { openRuntime } from "../../providers/open";
import { validate } from "../../validate/run";
import type { CliContext } from "../context";
import { exitCodeFor, type ExitCodeValue } from "../exitCodes";
import { writeReport } from "../options";
import { type ValidateFlags, validateOptions } from "./validate";

/**
 * `deployctl validate` on a Docker stack: the same checks, report and exit codes as on ECS, judged by
 * the Docker runtime (no AWS clients). A pass records each service's last good release in the local
 * store (`.delivery/last-good/<stack>/<service>.json`, the same JSON as ECS's SSM value); with
 * --rollback a failed service's containers are recreated from its last good image (the fast path),
 * and the stack update (config back, `pulumi up`) is reported pending: exit 4. Alerts, run records
 * and the stack lock are not available for runtime docker yet (said on stderr).
 */
export async function runDockerValidate(flags: ValidateFlags, manifest: DockerManifest, ctx: CliContext): Promise<ExitCodeValue> {
  if (flags.compare) throw new BadInputError(`validate --compare is not available for runtime docker yet (stack ${manifest.stack}).`);
  // The Docker runtime restarts containers (restart), but this path does not go through the shared workflow yet.
  if ((flags.retries ?? 0) > 0)
    throw new BadInputError(`validate --retries is not available for runtime docker yet (stack ${manifest.stack}); drop --retries.`);
  let report: ValidationReport;
  try {
    report = await validate(validateOptions(flags, manifest, ctx), { runtime: openRuntime(manifest, undefined, { env: ctx.io.env }) });
  } catch (err) {
    if (err instanceof Error && !(err instanceof OperationalError) && /Docker /.test(err.message)) {
      throw new OperationalError(err.message, "docker", { cause: err });
    }
    throw err;
  }
  const runtime = openRuntime(manifest, undefined, { env: ctx.io.env });
  const registry = new LocalReleaseRegistry(join(ctx.io.cwd, ".delivery", "last-good"));
  const now = () => new Date();
  const actions: ActionRecord[] = [];
  let outcome: "released" | "failed" | "inconclusive" | "rolled-back" | "rollback-failed" | "error" =
    report.verdict === "fail" ? "failed" : report.verdict === "inconclusive" ? "inconclusive" : "released";
  if (outcome === "released" && flags.record) {
    const runId = newRunId(now());
    for (const s of manifest.services.filter((x) => report.services.some((r) => r.name === x.name))) {
      const release = { stack: manifest.stack, service: s.name, imageTag: s.imageTag, taskDefinitionArn: `${s.image}:${s.imageTag}` };
      const version = await registry.put({ ...release, validatedAt: now().toISOString(), runId, who: whoAmI(ctx.io.env) });
      actions.push({
        kind: "record-last-good",
        target: s.name,
        status: "ok",
        message: `last good ${release.taskDefinitionArn} (version ${version})`,
        at: now().toISOString(),
      });
    }
  }
  if (outcome === "failed" && flags.rollback) {
    const failed = report.services.filter((r) => r.verdict === "fail").map((r) => r.name);
    const targets = [];
    for (const service of failed) {
      const good = await registry.get(manifest.stack, service);
      const current = manifest.services.find((s) => s.name === service)?.imageTag;
      if (good && good.imageTag !== current) targets.push({ service, imageTag: good.imageTag, revision: good.taskDefinitionArn });
      else
        actions.push({
          kind: "rollback",
          target: service,
          status: "skipped",
          message: good ? `already on the last good release ${good.imageTag}` : "no last good release recorded",
          at: now().toISOString(),
        });
    }
    if (targets.length > 0) {
      const fast = await runtime.fastRollback(targets, now);
      actions.push(...fast);
      // The stack config and `pulumi up` are not run for a Docker stack yet: the containers are back, the stack is not.
      actions.push({
        kind: "stack-update",
        status: "failed",
        message: `the stack update is pending: set the image tags back (${targets.map((t) => `${t.service}=${t.imageTag}`).join(", ")}) in the stack config of ${manifest.stack} and run pulumi up; deployctl does not do it for runtime docker yet`,
        at: now().toISOString(),
      });
      outcome = fast.every((a) => a.status === "ok") ? "error" : "rollback-failed";
    }
  }
  writeReport(ctx.io, { ...report, actions }, flags.output, "validate");
  ctx.io.stderr(`deployctl: runtime docker: alerts and the run record are not available for runtime docker yet.\n`);
  return exitCodeFor({ command: "validate", outcome });
}
