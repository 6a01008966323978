import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  type DesiredStatus,
  type ECSClient,
  ListTasksCommand,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import { awsCall } from "./call";
import { chunk, mapLimit } from "../../core/pool";

/** DescribeServices takes at most 10 services per call; DescribeTasks at most 100 tasks. */
export const DESCRIBE_SERVICES_BATCH = 10;
export const DESCRIBE_TASKS_BATCH = 100;

export interface DescribedServices {
  /** By ECS service name; absent when ECS reported the service missing. */
  found: Map<string, Service>;
  /** ECS service name -> the failure reason ECS gave (MISSING...). */
  missing: Map<string, string>;
}

/** DescribeServices for `names` in batches of 10, `concurrency` batches at a time. */
export async function describeServices(
  ecs: ECSClient,
  cluster: string,
  names: readonly string[],
  concurrency = 5,
): Promise<DescribedServices> {
  const result: DescribedServices = { found: new Map(), missing: new Map() };
  const unique = [...new Set(names)];
  const batches = chunk(unique, DESCRIBE_SERVICES_BATCH);
  const responses = await mapLimit(batches, concurrency, (batch) =>
    awsCall("ECS DescribeServices", () => ecs.send(new DescribeServicesCommand({ cluster, services: batch }))),
  );
  for (const response of responses) {
    for (const service of response.services ?? []) {
      if (service.serviceName) result.found.set(service.serviceName, service);
    }
    for (const failure of response.failures ?? []) {
      const name = failure.arn?.slice(failure.arn.lastIndexOf("/") + 1);
      if (name) result.missing.set(name, failure.reason ?? "MISSING");
    }
  }
  return result;
}

/**
 * Every task of the cluster, running and recently stopped, described: ListTasks once per desired
 * status (paginated, 100 per page) and DescribeTasks in batches of 100. Grouping by `group` then
 * gives each service its tasks, which is cheaper than listing per service and what ECS reports.
 */
export async function clusterTasks(ecs: ECSClient, cluster: string, concurrency = 5): Promise<Task[]> {
  const statuses: DesiredStatus[] = ["RUNNING", "STOPPED"];
  const listed = await Promise.all(statuses.map((status) => listTaskArns(ecs, cluster, status)));
  const arns = [...new Set(listed.flat())];
  const batches = chunk(arns, DESCRIBE_TASKS_BATCH);
  const described = await mapLimit(batches, concurrency, (batch) =>
    awsCall("ECS DescribeTasks", () => ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }))),
  );
  return described.flatMap((r) => r.tasks ?? []);
}

async function listTaskArns(ecs: ECSClient, cluster: string, desiredStatus: DesiredStatus): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall("ECS ListTasks", () =>
      ecs.send(new ListTasksCommand({ cluster, desiredStatus, maxResults: 100, nextToken })),
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** Tasks by their `group` (`service:<name>` for a service's tasks). */
export function tasksByGroup(tasks: readonly Task[]): Map<string, Task[]> {
  const groups = new Map<string, Task[]>();
  for (const task of tasks) {
    const group = task.group ?? "";
    const list = groups.get(group);
    if (list) list.push(task);
    else groups.set(group, [task]);
  }
  return groups;
}
