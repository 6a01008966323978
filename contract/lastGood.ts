import { z } from "zod";

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

/** The one reader of a parameter's value: the release it holds, or why it holds none (`not JSON`, `imageTag: ...`). */
export function parseLastGoodRelease(value: string | undefined): { release?: LastGoodRelease; problem?: string } {
  let json: unknown;
  try {
    json = JSON.parse(value ?? "");
  } catch {
    return { problem: "not JSON" };
  }
  const result = lastGoodReleaseSchema.safeParse(json);
  if (result.success) return { release: result.data };
  return { problem: result.error.issues.map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`).join("; ") };
}
