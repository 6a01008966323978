import type { ECSClient } from "@aws-sdk/client-ecs";
import { rolloutInProgress } from "./ecsObserve";
import { type DescribedServices, describeServices } from "./ecs";

export interface WaitArgs {
  ecs: ECSClient;
  cluster: string;
  described: DescribedServices;
  waitSeconds: number;
  pollSeconds: number;
  sleep: (ms: number) => Promise<void>;
  onProgress: (message: string) => void;
  concurrency: number;
  signal?: AbortSignal;
}

/**
 * While some services' PRIMARY deployment is IN_PROGRESS and the allowed wait is not used up,
 * sleeps a poll interval and describes those services again (only those). Returns the latest
 * descriptions and how long it waited, counted in poll intervals (so a fake clock works).
 */
export async function waitForRollouts(args: WaitArgs): Promise<{ described: DescribedServices; waitedSeconds: number }> {
  const found = new Map(args.described.found);
  const missing = new Map(args.described.missing);
  let waited = 0;
  while (waited < args.waitSeconds && !args.signal?.aborted) {
    const inProgress = [...found.entries()].filter(([, s]) => rolloutInProgress(s)).map(([name]) => name);
    if (inProgress.length === 0) break;
    const step = Math.min(args.pollSeconds, args.waitSeconds - waited);
    args.onProgress(`Rollout IN_PROGRESS for ${inProgress.join(", ")}; waiting (${waited} of ${args.waitSeconds} s)`);
    await args.sleep(step * 1000);
    waited += step;
    const again = await describeServices(args.ecs, args.cluster, inProgress, args.concurrency);
    for (const name of inProgress) {
      const service = again.found.get(name);
      if (service) found.set(name, service);
      else {
        found.delete(name);
        missing.set(name, again.missing.get(name) ?? "MISSING");
      }
    }
  }
  return { described: { found, missing }, waitedSeconds: waited };
}
