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

/** `would-promote`: a dry run that would have promoted (nothing written, copied or locked). */
export type PromotionOutcome = "promoted" | "would-promote" | "nothing-to-change" | "refused" | "cancelled";

export interface PromotionResult extends PromotionView {
  outcome: PromotionOutcome;
  /** The tag edits written into the stack file (empty unless promoted; with dryRun, the edits it would write). */
  changes: TagChange[];
  /** `--dry-run`: planned only; nothing was written, copied or locked. */
  dryRun?: true;
}
