import type { RollingBounds } from "../../../contract/tiers";

/** The target group's health check period (seconds); its healthy threshold is derived from minReadySeconds. */
export const HEALTH_CHECK_INTERVAL_SECONDS = 15;

/** ECS's deployment percentages for a rolling update with these bounds. */
export interface EcsRollingSettings {
  deploymentMaximumPercent: number;
  deploymentMinimumHealthyPercent: number;
}

/**
 * Maps `maxSurge` and `maxUnavailable` (tasks) onto ECS's percentages of the desired count. ECS rounds
 * the maximum down and the minimum up, so the maximum is rounded up here (at 3 tasks and a surge of 1,
 * 134 % lets a fourth task start where 133 % would not) and the minimum down. With autoscaling the
 * desired count moves: the percentages come from its lowest value (`minimumTasks`), so a rollout can
 * always make progress; at higher counts the same percentage lets a few more tasks surge.
 */
export function ecsRollingSettings(bounds: RollingBounds, minimumTasks: number): EcsRollingSettings {
  const tasks = Math.max(1, minimumTasks);
  return {
    deploymentMaximumPercent: Math.min(200, Math.ceil((100 * (tasks + bounds.maxSurge)) / tasks)),
    deploymentMinimumHealthyPercent: Math.max(0, Math.floor((100 * (tasks - bounds.maxUnavailable)) / tasks)),
  };
}

/**
 * The target group's healthy threshold: consecutive passing checks, HEALTH_CHECK_INTERVAL_SECONDS apart,
 * covering `minReadySeconds` before a new task takes traffic (at least 2, the load balancer's limits 2-10).
 */
export function healthyThreshold(minReadySeconds: number, intervalSeconds = HEALTH_CHECK_INTERVAL_SECONDS): number {
  return Math.min(10, Math.max(2, Math.ceil(minReadySeconds / intervalSeconds)));
}
