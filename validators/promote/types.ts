import type { DriftReport } from "./drift";
import type { ServicePlan } from "./plan";
import type { StabilisationRule } from "./stabilisation";
import type { TagChange } from "../stackfile/tags";

/** What promote found: per service, and the drift between the stacks. */
export interface PromotionView {
  from: string;
  to: string;
  /** The target's stack file, e.g. `Pulumi.prod.yaml`. */
  stackFile: string;
  maxAgeDays: number;
  /** The stabilisation window applied (and its override's reason). */
  stabilisation?: StabilisationRule;
  services: ServicePlan[];
  drift: DriftReport;
}

export type PromotionOutcome = "promoted" | "nothing-to-change" | "refused" | "cancelled";

export interface PromotionResult extends PromotionView {
  outcome: PromotionOutcome;
  /** The tag edits written into the stack file (empty unless promoted). */
  changes: TagChange[];
}
