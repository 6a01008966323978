import { GetParametersCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { type LastGoodRelease, parseLastGoodRelease } from "../../contract/lastGood";
import { checkResult } from "../checks/result";
import type { CheckResult, GateCheckName } from "../../contract/report";
import { awsCall } from "../providers/aws/call";
import { chunk, mapLimit } from "../core/pool";

/** GetParameters takes at most 10 names per call. */
const GET_PARAMETERS_BATCH = 10;

/** The fields of a last-good record the gate shows (never the whole value: only known, non-secret fields). */
const SHOWN_FIELDS = ["imageTag", "taskDefinitionArn", "validatedAt", "runId"] as const;

/**
 * The lastGood check: each service has a last good release to roll back to, in SSM at
 * `/delivery/<stack>/<service>/last-good`. Missing warns (a first deploy has none yet).
 */
export async function checkLastGood(
  ssm: SSMClient,
  parameters: ReadonlyMap<string, string>,
  concurrency = 10,
): Promise<Map<string, CheckResult<GateCheckName>>> {
  const names = [...parameters.values()];
  const values = new Map<string, string | undefined>();
  await mapLimit(chunk(names, GET_PARAMETERS_BATCH), concurrency, async (batch) => {
    const response = await awsCall("SSM GetParameters", () => ssm.send(new GetParametersCommand({ Names: batch })));
    for (const p of response.Parameters ?? []) if (p.Name) values.set(p.Name, p.Value);
  });
  const results = new Map<string, CheckResult<GateCheckName>>();
  for (const [service, parameter] of parameters) {
    const threshold = { parameter };
    const value = values.get(parameter);
    if (value === undefined) {
      results.set(
        service,
        checkResult(
          "lastGood",
          "warn",
          `No last good release at ${parameter}: nothing to roll back to (expected on a first deploy).`,
          { parameter, found: false },
          threshold,
        ),
      );
      continue;
    }
    const { release, problem } = parseLastGoodRelease(value, parameter);
    if (!release) {
      results.set(
        service,
        checkResult(
          "lastGood",
          "warn",
          `${parameter} is not a JSON release record (${problem}): a rollback could not use it.`,
          { parameter, found: true },
          threshold,
        ),
      );
      continue;
    }
    const what = `image ${release.imageTag}, validated ${release.validatedAt}`;
    results.set(
      service,
      checkResult("lastGood", "pass", `Last good release: ${what}.`, { parameter, found: true, ...shown(release) }, threshold),
    );
  }
  return results;
}

/** Only the known, non-secret fields of the release, in a fixed order. */
function shown(release: LastGoodRelease): Pick<LastGoodRelease, (typeof SHOWN_FIELDS)[number]> {
  return Object.fromEntries(SHOWN_FIELDS.map((f) => [f, release[f]])) as Pick<LastGoodRelease, (typeof SHOWN_FIELDS)[number]>;
}
