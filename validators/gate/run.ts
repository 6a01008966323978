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
import { selectServices } from "../validate/settings";
import { judgeAlarms } from "./alarms";
import { judgeImage } from "./image";
import { judgeLastGood, observeLastGood } from "./lastGood";
import { judgeGateRollout } from "./rollout";
import type { GateDeps, GateOptions } from "./types";

/**
 * Before a deploy: does the new tag's image exist, is any alert of the stack firing, is a rollout
 * still in progress, is there a last good release to roll back to? The same report shape as
 * validate's, with the check names image, alarms, rollout and lastGood. The runtime's observer
 * (ECS, Kubernetes, Docker) and the release registry are asked at once; this module only judges.
 * Throws OperationalError (naming the operation) when the runtime or registry cannot be asked.
 */
export async function gate(options: GateOptions, deps: GateDeps): Promise<GateReport> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const { manifest } = options;
  const problems: string[] = [];
  const services = selectServices<{ name: string }>(manifest, options.services, problems);
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

  const names = services.map((s) => s.name);
  const { observer, registry } = deps;
  options.onProgress?.(`Gate for ${names.join(", ") || "no services"} of stack ${manifest.stack}`);
  const [rollouts, images, alerts, lastGood] = await Promise.all([
    skip.has("rollout") ? undefined : observer.rollouts(names),
    skip.has("image") || options.tag === undefined ? undefined : observer.images(names, options.tag),
    skip.has("alarms") ? undefined : observer.alerts(),
    skip.has("lastGood") ? undefined : observeLastGood(registry, manifest.stack, names, options.concurrency ?? 10),
  ]);
  const alarmsCheck = alerts ? judgeAlarms(alerts) : undefined;

  const reports: ServiceReport<GateCheckName>[] = names.map((name) => {
    const byName: Record<GateCheckName, () => CheckResult<GateCheckName> | undefined> = {
      image: () => {
        if (options.tag === undefined) return skippedCheck("image", "Skipped: no --tag given, so there is no new image to look for.");
        const image = images?.get(name);
        return image ? judgeImage(options.tag, image) : undefined;
      },
      alarms: () => alarmsCheck,
      rollout: () => {
        const rollout = rollouts?.get(name);
        return rollout ? judgeGateRollout(rollout) : undefined;
      },
      lastGood: () => {
        const found = lastGood?.get(name);
        return found ? judgeLastGood(found) : undefined;
      },
    };
    const checks = GATE_CHECK_NAMES.map((check) =>
      skip.has(check)
        ? skippedCheck<GateCheckName>(check, `Skipped on request (--skip ${check}).`)
        : (byName[check]() ?? skippedCheck<GateCheckName>(check, "Not run.")),
    );
    return serviceReport(name, checks);
  });
  return runReport(manifest.stack, reports, startedAt, now());
}
