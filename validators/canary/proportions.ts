import { type Interval, wilsonInterval } from "../checks/wilson";

/**
 * Is the new revision's 5xx rate worse than the baseline's? The difference of two independent
 * proportions p1 - p2 with Newcombe's hybrid score interval ("method 10", Newcombe 1998), built
 * from each side's Wilson interval: like Wilson's it stays sensible with few events and rates near
 * 0, where the naive (Wald) interval of a difference collapses to a point.
 *
 *   L = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)
 *   U = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)
 *
 * with d = p1 - p2 and (l, u) each proportion's Wilson interval at the same confidence.
 */
export interface DifferenceInterval extends Interval {
  /** The observed difference p1 - p2. */
  estimate: number;
}

/** Newcombe's interval of successes1/n1 - successes2/n2; undefined when either side has no trials. */
export function differenceInterval(
  successes1: number,
  n1: number,
  successes2: number,
  n2: number,
  confidence = 0.99,
): DifferenceInterval | undefined {
  if (n1 <= 0 || n2 <= 0) return undefined;
  const p1 = successes1 / n1;
  const p2 = successes2 / n2;
  const w1 = wilsonInterval(successes1, n1, confidence);
  const w2 = wilsonInterval(successes2, n2, confidence);
  const estimate = p1 - p2;
  return {
    estimate,
    lower: estimate - Math.sqrt((p1 - w1.lower) ** 2 + (w2.upper - p2) ** 2),
    upper: estimate + Math.sqrt((w1.upper - p1) ** 2 + (p2 - w2.lower) ** 2),
  };
}
