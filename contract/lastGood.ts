import { z } from "zod";
import { PARAMETER_ROOT } from "./names";

/**
 * The last good release of a service: what `deployctl` rolls back to and what `gate` checks exists.
 * Stored as JSON in the SSM String parameter `lastGoodParameterName(stack, service)`
 * (`/delivery/<stack>/<service>/last-good`, contract/names.ts); each validated release is a new
 * version of the parameter, so GetParameterHistory is the release history. Unknown fields are
 * dropped when read: only these ever leave the parameter.
 */
export const lastGoodReleaseSchema = z.object({
  stack: z.string().min(1),
  service: z.string().min(1),
  imageTag: z.string().min(1),
  taskDefinitionArn: z.string().min(1),
  validatedAt: z.iso.datetime(),
  runId: z.string().min(1),
  who: z.string().optional(),
});

export type LastGoodRelease = z.infer<typeof lastGoodReleaseSchema>;

/**
 * What a stored value must hold to be usable, as documented: `imageTag`, `taskDefinitionArn`,
 * `validatedAt` and the run id. `stack` and `service` may be left out (the parameter's name says
 * them); extra fields are accepted and dropped; a `who` that is not a string is dropped too (it is
 * only shown, a rollback does not need it).
 */
const storedValueSchema = z.looseObject({
  stack: z.string().min(1).optional(),
  service: z.string().min(1).optional(),
  imageTag: z.string().min(1),
  taskDefinitionArn: z.string().min(1),
  validatedAt: z.iso.datetime(),
  runId: z.string().min(1),
  who: z.string().optional().catch(undefined),
});

/** The stack and service a last-good parameter's name (`/delivery/<stack>/<service>/last-good`) is for, or undefined for another name. */
export function lastGoodParameterOwner(name: string): { stack: string; service: string } | undefined {
  const match = new RegExp(`^${PARAMETER_ROOT}/([^/]+)/([^/]+)/last-good$`).exec(name);
  return match ? { stack: match[1] as string, service: match[2] as string } : undefined;
}

/**
 * The one reader of a parameter's value: the release it holds, or why it holds none (`not JSON`,
 * `imageTag: ...`). Given the parameter's name, a value without `stack` or `service` takes them from
 * the name, and a value naming another stack or service is refused (it was written for another one).
 */
export function parseLastGoodRelease(value: string | undefined, parameterName?: string): { release?: LastGoodRelease; problem?: string } {
  let json: unknown;
  try {
    json = JSON.parse(value ?? "");
  } catch {
    return { problem: "not JSON" };
  }
  const result = storedValueSchema.safeParse(json);
  if (!result.success) {
    return { problem: result.error.issues.map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`).join("; ") };
  }
  const stored = result.data;
  const owner = parameterName === undefined ? undefined : lastGoodParameterOwner(parameterName);
  const problems: string[] = [];
  for (const key of ["stack", "service"] as const) {
    const fromValue = stored[key];
    const fromName = owner?.[key];
    if (fromValue === undefined && fromName === undefined) {
      problems.push(
        `${key}: missing, and ${parameterName === undefined ? "no parameter name" : `the parameter name ${parameterName}`} does not say it`,
      );
    } else if (fromValue !== undefined && fromName !== undefined && fromValue !== fromName) {
      problems.push(`${key}: the value says "${fromValue}" but the parameter ${parameterName} is for "${fromName}"`);
    }
  }
  if (problems.length > 0) return { problem: problems.join("; ") };
  const release: LastGoodRelease = {
    stack: (stored.stack ?? owner?.stack) as string,
    service: (stored.service ?? owner?.service) as string,
    imageTag: stored.imageTag,
    taskDefinitionArn: stored.taskDefinitionArn,
    validatedAt: stored.validatedAt,
    runId: stored.runId,
  };
  if (stored.who !== undefined) release.who = stored.who;
  return { release };
}
