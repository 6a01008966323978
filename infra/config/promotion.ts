import { z } from "zod";
import { defaultPromotionMinAgeSeconds, parseDuration } from "../../contract/duration";
import type { Tier } from "../../contract/tiers";

/** `delivery:promotion` of the target stack: how long a release must have been last good in the source stack. */
export const promotionSchema = z.strictObject({
  /** A duration (`24h`, `30m`, `0s`) up to 30 days. @default 24h when this stack is prod, else 0s */
  minAge: z
    .string({ error: "expected a duration such as 24h, 30m or 0s" })
    .refine((v) => parseDuration(v) !== undefined && (parseDuration(v) ?? 0) % 1000 === 0, {
      error: "expected a duration such as 24h, 30m or 0s (units s, m, h, d)",
    })
    .refine((v) => (parseDuration(v) ?? 0) <= 30 * 86_400_000, { error: "must be at most 30d" })
    .optional(),
});

export interface PromotionConfig {
  /** The stabilisation window, in seconds. */
  minAgeSeconds: number;
}

export function resolvePromotion(raw: z.infer<typeof promotionSchema> | undefined, tier: Tier): PromotionConfig {
  return { minAgeSeconds: raw?.minAge !== undefined ? (parseDuration(raw.minAge) ?? 0) / 1000 : defaultPromotionMinAgeSeconds(tier) };
}
