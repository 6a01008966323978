import type { DockerManifest } from "../../../contract/manifest";
import { BadInputError, OperationalError } from "../../core/errors";
import { openRuntime } from "../../providers/open";
import { validate } from "../../validate/run";
import type { CliContext } from "../context";
import { exitCodeFor, type ExitCodeValue } from "../exitCodes";
import { progressTo, writeReport } from "../options";
import type { ValidateFlags } from "./validate";

/**
 * `deployctl validate` on a Docker stack: the same checks, report and exit codes as on ECS, judged by
 * the Docker runtime (no AWS clients). What comes after the verdict on ECS (last good recorded,
 * alerts, run record, --rollback) is not available for runtime docker yet: --rollback is refused
 * before anything runs, and the rest is said on stderr.
 */
export async function runDockerValidate(flags: ValidateFlags, manifest: DockerManifest, ctx: CliContext): Promise<ExitCodeValue> {
  if (flags.rollback) {
    throw new BadInputError(
      `validate --rollback is not available for runtime docker yet (stack ${manifest.stack}); run validate without --rollback, or recreate the containers from the last good image.`,
    );
  }
  if (flags.compare) throw new BadInputError(`validate --compare is not available for runtime docker yet (stack ${manifest.stack}).`);
  let report;
  try {
    report = await validate(
      {
        manifest,
        services: flags.service,
        since: flags.since,
        windowSeconds: flags.window,
        waitSeconds: flags.wait,
        watchSeconds: flags.watch,
        smoke: flags.smoke,
        skip: flags.skip,
        confidence: flags.confidence,
        logPatterns: {
          ...(flags.errorPattern ? { error: flags.errorPattern } : {}),
          ...(flags.warnPattern ? { warn: flags.warnPattern } : {}),
          ...(flags.startupMarker ? { startupMarker: flags.startupMarker } : {}),
        },
        onProgress: progressTo(ctx.io),
      },
      { runtime: openRuntime(manifest, undefined, { env: ctx.io.env }) },
    );
  } catch (err) {
    if (err instanceof Error && !(err instanceof OperationalError) && /Docker /.test(err.message)) {
      throw new OperationalError(err.message, "docker", { cause: err });
    }
    throw err;
  }
  writeReport(ctx.io, report, flags.output, "validate");
  ctx.io.stderr(
    `deployctl: runtime docker: the last good release, alerts and the run record are not available for runtime docker yet; nothing was recorded.\n`,
  );
  const outcome = report.verdict === "fail" ? "failed" : report.verdict === "inconclusive" ? "inconclusive" : "released";
  return exitCodeFor({ command: "validate", outcome });
}
