import { describe, expect, it } from "vitest";
import { inverseNormal, wilsonInterval, zForConfidence } from "../../validators/checks/wilson";

describe("zForConfidence", () => {
  it.each([
    [0.9, 1.644854],
    [0.95, 1.959964],
    [0.99, 2.575829],
    [0.999, 3.290527],
  ])("gives the two-sided z for %s", (confidence, z) => {
    expect(zForConfidence(confidence)).toBeCloseTo(z, 5);
  });

  it.each([0, 1, 1.5, -0.1, Number.NaN])("refuses confidence %s", (confidence) => {
    expect(() => zForConfidence(confidence)).toThrow(
      `confidence is ${confidence}; it must be between 0 and 1 (exclusive), for example 0.99`,
    );
  });

  it("is symmetric around the median", () => {
    expect(inverseNormal(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormal(0.01)).toBeCloseTo(-inverseNormal(0.99), 9);
  });
});

describe("wilsonInterval", () => {
  it.each([
    // successes, n, confidence, lower, upper (reference: Python statistics.NormalDist and the closed form)
    [1, 3, 0.99, 0.040427, 0.855784],
    [20, 20, 0.99, 0.750895, 1],
    [0, 1000, 0.99, 0, 0.006591],
    [10, 1000, 0.99, 0.00453, 0.021929],
    [10, 1000, 0.95, 0.005441, 0.018309],
  ])("%s of %s at %s is [%s, %s]", (successes, n, confidence, lower, upper) => {
    const interval = wilsonInterval(successes, n, confidence);
    expect(interval.lower).toBeCloseTo(lower, 6);
    expect(interval.upper).toBeCloseTo(upper, 6);
  });

  it("is the whole [0, 1] range without observations", () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1 });
  });

  it("narrows as the sample grows at the same proportion", () => {
    const small = wilsonInterval(1, 10);
    const large = wilsonInterval(100, 1000);
    expect(large.upper - large.lower).toBeLessThan((small.upper - small.lower) / 5);
  });
});
