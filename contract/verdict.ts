import { z } from "zod";

/**
 * What deployctl publishes for the ECS lifecycle hook (infra/hook/canaryHook.js reads it) in the
 * String parameter `canaryVerdictParameterName(stack, service)` (contract/names.ts), overwritten at
 * each step: its verdict on the new revision at a traffic step, or that a validated release is being
 * restored. deployctl validates every value against `publishedValueSchema` before writing it, and the
 * hook's types (infra/hook/canaryHook.d.ts) are these; test/contract/verdict.test.ts checks that every
 * field the hook reads is one of them.
 */
export const publishedVerdictSchema = z
  .object({
    /** The new service revision judged ("" when ECS has not named it yet). */
    revision: z.string(),
    /** The revision it was compared with. */
    baselineRevision: z.string().optional(),
    /** The traffic step (percent) the verdict is about. */
    percent: z.number().min(0).max(100),
    verdict: z.enum(["pass", "fail", "inconclusive"]),
    /** Minutes of observation at this step behind the verdict. */
    observedMinutes: z.number().nonnegative(),
    /** One line: why. */
    reason: z.string(),
    at: z.iso.datetime(),
    runId: z.string().min(1),
  })
  .strict();

export const publishedRestoreSchema = z
  .object({
    /** A validated release is deployed again: the hook lets it through until validUntil. */
    restore: z.object({ imageTag: z.string().min(1), validUntil: z.iso.datetime(), reason: z.string() }).strict(),
    at: z.iso.datetime(),
    runId: z.string().min(1),
  })
  .strict();

/** Every value the verdict parameter may hold. */
export const publishedValueSchema = z.union([publishedVerdictSchema, publishedRestoreSchema]);

export type PublishedVerdict = z.infer<typeof publishedVerdictSchema>;
export type PublishedRestore = z.infer<typeof publishedRestoreSchema>;
export type PublishedValue = z.infer<typeof publishedValueSchema>;
