import { randomBytes } from "node:crypto";
import { hostname, userInfo } from "node:os";

/**
 * Who runs deployctl, for run records and the stack lock: DELIVERY_ACTOR when set, else the CI
 * identity (GitHub Actions, GitLab CI, CodeBuild, Jenkins), else user@host.
 */
export function whoAmI(env: NodeJS.ProcessEnv, host: () => string = hostname, user: () => string = currentUser): string {
  if (env.DELIVERY_ACTOR) return env.DELIVERY_ACTOR;
  if (env.GITHUB_ACTIONS === "true") {
    const run = env.GITHUB_RUN_ID ? ` run ${env.GITHUB_RUN_ID}` : "";
    return `github:${env.GITHUB_ACTOR ?? "unknown"}@${env.GITHUB_REPOSITORY ?? "unknown"}${run}`;
  }
  if (env.GITLAB_CI === "true") {
    return `gitlab:${env.GITLAB_USER_LOGIN ?? "unknown"}@${env.CI_PROJECT_PATH ?? "unknown"} job ${env.CI_JOB_ID ?? "?"}`;
  }
  if (env.CODEBUILD_BUILD_ID) return `codebuild:${env.CODEBUILD_BUILD_ID}`;
  if (env.JENKINS_URL && env.BUILD_TAG) return `jenkins:${env.BUILD_TAG}`;
  return `${env.USER ?? env.USERNAME ?? user()}@${host()}`;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

/**
 * A run id that sorts by time: `20240501T101500Z-3f9a1c2b` (UTC start time, then 8 random hex digits).
 */
export function newRunId(now: Date, random: () => string = () => randomBytes(4).toString("hex")): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  return `${stamp}-${random()}`;
}
