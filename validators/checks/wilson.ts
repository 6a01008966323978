/**
 * The Wilson score interval of a binomial proportion: how sure can we be of an error rate
 * measured on `n` requests? Unlike the naive interval it behaves well for small n and for
 * proportions near 0 or 1, which is exactly the low-traffic case after a deploy.
 */
export interface Interval {
  lower: number;
  upper: number;
}

/** The two-sided z score for a confidence level in (0, 1): 0.99 -> 2.5758. */
export function zForConfidence(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence is ${confidence}; it must be between 0 and 1 (exclusive), for example 0.99`);
  }
  return inverseNormal(1 - (1 - confidence) / 2);
}

/** Wilson score interval of `successes` out of `n` at the given two-sided confidence. n = 0 gives [0, 1]. */
export function wilsonInterval(successes: number, n: number, confidence = 0.99): Interval {
  if (n <= 0) return { lower: 0, upper: 1 };
  const z = zForConfidence(confidence);
  const p = Math.min(Math.max(successes / n, 0), 1);
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const margin = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return {
    lower: successes <= 0 ? 0 : Math.max(0, centre - margin),
    upper: successes >= n ? 1 : Math.min(1, centre + margin),
  };
}

/**
 * The standard normal quantile (inverse CDF), by Peter Acklam's rational approximation
 * (relative error below 1.2e-9 over (0, 1)).
 */
export function inverseNormal(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`inverseNormal needs 0 < p < 1; got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  return x;
}
