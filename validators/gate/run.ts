import { skippedCheck } from "../checks/result";
import { BadInputError } from "../core/errors";
import {
  type CheckResult,
  GATE_CHECK_NAMES,
  type GateCheckName,
  type GateReport,
  type ServiceReport,
  runReport,
  serviceReport,
} from "../../contract/report";
import { describeServices } from "../providers/aws/ecs";
import { selectServices } from "../validate/settings";
import { firingAlarms, judgeAlarms } from "./alarms";
import { checkImages } from "./image";
import { checkLastGood } from "./lastGood";
import { judgeGateRollout } from "./rollout";
import { type GateDeps, type GateOptions, lastGoodParameterName } from "./types";

/**
 * Before a deploy: does the new tag exist in ECR, is any alarm of the stack firing, is a rollout
 * still in progress, is there a last good release to roll back to? The same report shape as
 * validate's, with the check names image, alarms, rollout and lastGood. All AWS calls run at once.
 * Throws OperationalError (naming the AWS operation) when AWS cannot be asked.
 */
export async function gate(options: GateOptions, deps: GateDeps): Promise<GateReport> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const { manifest } = options;
  const concurrency = options.concurrency ?? 10;
  const problems: string[] = [];
  const services = selectServices(manifest, options.services, problems);
  const skip = new Set(options.skip ?? []);
  for (const name of skip) {
    if (!(GATE_CHECK_NAMES as readonly string[]).includes(name))
      problems.push(`skip names an unknown check "${name}"; the gate's checks are ${GATE_CHECK_NAMES.join(", ")}.`);
  }
  if (options.tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(options.tag)) {
    problems.push(
      `--tag is "${options.tag}"; an image tag is 1 to 128 letters, digits, underscores, periods or dashes, not starting with a period or dash.`,
    );
  }
  if (problems.length > 0) throw new BadInputError(problems.join("\n"));

  const prefix = `${manifest.project}-${manifest.stack}-`;
  const parameters = new Map(services.map((s) => [s.name, lastGoodParameterName(manifest.stack, s.name)]));
  options.onProgress?.(`Gate for ${services.map((s) => s.name).join(", ") || "no services"} of stack ${manifest.stack}`);
  const [described, images, firing, lastGood] = await Promise.all([
    skip.has("rollout")
      ? undefined
      : describeServices(
          deps.clients.ecs,
          manifest.cluster,
          services.map((s) => s.ecsService),
          concurrency,
        ),
    skip.has("image") || options.tag === undefined ? undefined : checkImages(services, options.tag, deps.clients, concurrency),
    skip.has("alarms")
      ? undefined
      : firingAlarms(
          deps.clients.cloudwatch,
          prefix,
          manifest.services.map((s) => s.name),
        ),
    skip.has("lastGood") ? undefined : checkLastGood(deps.clients.ssm, parameters, concurrency),
  ]);

  const reports: ServiceReport<GateCheckName>[] = services.map((s) => {
    const byName: Record<GateCheckName, () => CheckResult<GateCheckName> | undefined> = {
      image: () =>
        options.tag === undefined
          ? skippedCheck("image", "Skipped: no --tag given, so there is no new image to look for.")
          : images?.get(s.name),
      alarms: () => (firing ? judgeAlarms(prefix, firing) : undefined),
      rollout: () => (described ? judgeGateRollout(s.ecsService, described.found.get(s.ecsService)) : undefined),
      lastGood: () => lastGood?.get(s.name),
    };
    const checks = GATE_CHECK_NAMES.map((name) =>
      skip.has(name)
        ? skippedCheck<GateCheckName>(name, `Skipped on request (--skip ${name}).`)
        : (byName[name]() ?? skippedCheck<GateCheckName>(name, "Not run.")),
    );
    return serviceReport(s.name, checks);
  });
  return runReport(manifest.stack, reports, startedAt, now());
}
