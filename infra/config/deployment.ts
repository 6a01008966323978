import { type ConfigProblem, show } from "./errors";
import type { RawDeployment } from "./schema";
import type { Tier, TierDefaults } from "../../contract/tiers";
import type { DeploymentConfig, DeploymentStrategyName } from "./types";

/** The release policy's canary: 5% first, then 25%, 50% and 100%, each observed 10 minutes. */
export const DEFAULT_CANARY = { steps: [5, 25, 50, 100], stepMinutes: 10, bakeMinutes: 10 } as const;
export const DEFAULT_LINEAR = { stepPercent: 25, stepMinutes: 10, bakeMinutes: 10 } as const;
export const DEFAULT_BLUE_GREEN = { observeMinutes: 10, bakeMinutes: 30 } as const;
/** How much longer an inconclusive step is observed before the release is abandoned. */
export const DEFAULT_MAX_EXTENSION_MINUTES = 20;
/** ECS's smallest linear step (LinearConfiguration.stepPercent). */
export const ECS_MIN_LINEAR_STEP = 3;

const SECTIONS = ["canary", "linear", "blueGreen"] as const;

/**
 * A service's deployment with the tier's default strategy and the strategy's defaults applied.
 * Pushes a problem for a section that does not belong to the strategy (it would be ignored), for
 * canary steps ECS cannot shift, and for a progressive strategy on the local tier.
 */
export function resolveDeployment(
  raw: RawDeployment | undefined,
  root: string,
  tier: Tier,
  defaults: Pick<TierDefaults, "deploymentStrategy">,
  problems: ConfigProblem[],
): DeploymentConfig {
  const given = raw ?? {};
  const strategy: DeploymentStrategyName = given.strategy ?? defaults.deploymentStrategy;
  const source = given.strategy ? "" : ` (the ${tier} tier's default)`;
  for (const section of SECTIONS) {
    if (given[section] !== undefined && section !== strategy) {
      problems.push({
        code: "deployment",
        path: `${root}.${section}`,
        message: `is set, but the strategy is ${strategy}${source}; remove it or set strategy: ${section}.`,
      });
    }
  }
  if (strategy !== "rolling" && tier === "local") {
    problems.push({
      code: "deployment",
      path: `${root}.strategy`,
      message: `is ${show(strategy)}; the local tier deploys with rolling only (the emulator runs no ECS deployments or Lambda hooks).`,
    });
  }
  const maxExtensionMinutes = given.maxExtensionMinutes ?? DEFAULT_MAX_EXTENSION_MINUTES;
  switch (strategy) {
    case "rolling":
      return { strategy };
    case "canary": {
      const steps = given.canary?.steps ?? [...DEFAULT_CANARY.steps];
      checkCanarySteps(steps, `${root}.canary.steps`, problems);
      return {
        strategy,
        steps,
        stepMinutes: given.canary?.stepMinutes ?? DEFAULT_CANARY.stepMinutes,
        bakeMinutes: given.canary?.bakeMinutes ?? DEFAULT_CANARY.bakeMinutes,
        maxExtensionMinutes,
      };
    }
    case "linear": {
      const stepPercent = given.linear?.stepPercent ?? DEFAULT_LINEAR.stepPercent;
      return {
        strategy,
        steps: linearSteps(stepPercent),
        stepPercent,
        stepMinutes: given.linear?.stepMinutes ?? DEFAULT_LINEAR.stepMinutes,
        bakeMinutes: given.linear?.bakeMinutes ?? DEFAULT_LINEAR.bakeMinutes,
        maxExtensionMinutes,
      };
    }
    case "blueGreen":
      return {
        strategy,
        steps: [100],
        stepMinutes: given.blueGreen?.observeMinutes ?? DEFAULT_BLUE_GREEN.observeMinutes,
        bakeMinutes: given.blueGreen?.bakeMinutes ?? DEFAULT_BLUE_GREEN.bakeMinutes,
        maxExtensionMinutes,
      };
  }
}

/** The traffic ECS's linear strategy reaches step after step: 25 -> 25, 50, 75, 100; 30 -> 30, 60, 90, 100. */
export function linearSteps(stepPercent: number): number[] {
  const steps: number[] = [];
  for (let k = 1; k * stepPercent < 100 - 1e-9; k += 1) steps.push(Math.round(k * stepPercent * 10) / 10);
  return [...steps, 100];
}

/** Greatest common divisor of whole percentages (the linear step that reaches each of them). */
export function stepDivisor(steps: readonly number[]): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  return steps.reduce((acc, s) => gcd(acc, s), 0);
}

function checkCanarySteps(steps: readonly number[], path: string, problems: ConfigProblem[]): void {
  const increasing = steps.every((s, i) => i === 0 || s > (steps[i - 1] ?? 0));
  if (!increasing || steps.at(-1) !== 100) {
    problems.push({
      code: "deployment",
      path,
      message: `is ${show(steps)}; steps must increase strictly and end at 100, e.g. [5, 25, 50, 100].`,
    });
    return;
  }
  if (steps.length < 2) {
    problems.push({
      code: "deployment",
      path,
      message: `is ${show(steps)}; a canary needs at least one step below 100, e.g. [5, 25, 50, 100] (for a single switch use strategy: blueGreen).`,
    });
    return;
  }
  const divisor = stepDivisor(steps);
  if (steps.length > 2 && divisor < ECS_MIN_LINEAR_STEP) {
    problems.push({
      code: "deployment",
      path,
      message: `is ${show(steps)}; ECS reaches them in linear steps of their greatest common divisor (${divisor}%), below ECS's smallest step of ${ECS_MIN_LINEAR_STEP}%: choose steps whose greatest common divisor is at least ${ECS_MIN_LINEAR_STEP}, e.g. [5, 25, 50, 100].`,
    });
  }
}
