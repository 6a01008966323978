import { type CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  type ContainerDefinition,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  type LaunchType,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import type { MigrationRequest, MigrationRun, MigrationRunner } from "../migration";
import { awsCall, awsErrorName } from "./call";

export interface EcsMigrationRunnerOptions {
  /** How the task is launched. @default "FARGATE" */
  launchType?: LaunchType;
  /** Seconds between DescribeTasks polls. @default 5 */
  pollSeconds?: number;
  /** Log lines kept from the end of a failed run's log stream. @default 50 */
  tailLines?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs a service's migration as a one-off ECS task: a revision of the migration's task definition
 * family with the image to deploy (registered only when the image differs), RunTask in the service's
 * subnets and security group with the command as a container override, DescribeTasks until it stops
 * or `timeoutSeconds` pass (then StopTask), and the tail of its CloudWatch Logs stream when it failed.
 * Every call is bounded by the clients' request timeout; the wait by the migration's timeout.
 */
export class EcsMigrationRunner implements MigrationRunner {
  private readonly launchType: LaunchType;
  private readonly pollMs: number;
  private readonly tailLines: number;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly clients: { ecs: ECSClient; logs: CloudWatchLogsClient },
    options: EcsMigrationRunnerOptions = {},
  ) {
    this.launchType = options.launchType ?? "FARGATE";
    this.pollMs = (options.pollSeconds ?? 5) * 1000;
    this.tailLines = options.tailLines ?? 50;
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async run(request: MigrationRequest): Promise<MigrationRun> {
    const started = this.now().getTime();
    const seconds = () => Math.round((this.now().getTime() - started) / 1000);
    const { migration, cluster } = request;
    const taskDefinitionArn = await this.taskDefinitionFor(request);
    const ran = await awsCall("ECS RunTask", () =>
      this.clients.ecs.send(
        new RunTaskCommand({
          cluster,
          taskDefinition: taskDefinitionArn,
          launchType: this.launchType,
          count: 1,
          startedBy: request.startedBy.slice(0, 36),
          networkConfiguration: {
            awsvpcConfiguration: { subnets: migration.subnets, securityGroups: migration.securityGroups, assignPublicIp: "DISABLED" },
          },
          overrides: { containerOverrides: [{ name: migration.containerName, command: request.command }] },
        }),
      ),
    );
    const taskArn = ran.tasks?.[0]?.taskArn;
    if (!taskArn) {
      const failures = (ran.failures ?? []).map((f) => [f.arn, f.reason, f.detail].filter(Boolean).join(": ")).join("; ");
      return {
        status: "failed",
        taskDefinitionArn,
        reason: `ECS did not start the task${failures ? `: ${failures}` : ""}`,
        logTail: [],
        logNote: "no task, so no log",
        seconds: seconds(),
      };
    }
    request.onProgress?.(`migration task ${taskArn} started`);

    const deadline = started + migration.timeoutSeconds * 1000;
    let task = await this.describe(cluster, taskArn);
    while (task?.lastStatus !== "STOPPED" && this.now().getTime() < deadline) {
      await this.sleep(Math.max(0, Math.min(this.pollMs, deadline - this.now().getTime())));
      task = await this.describe(cluster, taskArn);
    }
    if (task?.lastStatus !== "STOPPED") {
      const reason = `deployctl: the migration ran longer than its timeout of ${migration.timeoutSeconds}s`;
      await awsCall("ECS StopTask", () => this.clients.ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason })));
      const stopped = await this.describe(cluster, taskArn);
      const log = await this.tail(migration, taskArn);
      return {
        status: "timed-out",
        taskArn,
        taskDefinitionArn,
        stoppedReason: stopped?.stoppedReason ?? reason,
        reason: `still running after ${migration.timeoutSeconds}s (timeoutSeconds), so it was stopped`,
        ...log,
        seconds: seconds(),
      };
    }
    return this.judgeStopped(task, { taskArn, taskDefinitionArn, migration: request.migration, seconds: seconds() });
  }

  private async judgeStopped(
    task: Task,
    ctx: { taskArn: string; taskDefinitionArn: string; migration: MigrationRequest["migration"]; seconds: number },
  ): Promise<MigrationRun> {
    const container = task.containers?.find((c) => c.name === ctx.migration.containerName);
    const base = {
      taskArn: ctx.taskArn,
      taskDefinitionArn: ctx.taskDefinitionArn,
      stoppedReason: task.stoppedReason,
      seconds: ctx.seconds,
    };
    if (container?.exitCode === 0) return { status: "succeeded", ...base, exitCode: 0, logTail: [] };
    const log = await this.tail(ctx.migration, ctx.taskArn);
    if (!container)
      return { status: "failed", ...base, reason: `the task stopped with no container ${ctx.migration.containerName}`, ...log };
    if (container.exitCode === undefined)
      return {
        status: "failed",
        ...base,
        reason: `container ${container.name} never exited (it did not start${container.reason ? `: ${container.reason}` : ""})`,
        ...log,
      };
    return { status: "failed", ...base, exitCode: container.exitCode, reason: `exited with code ${container.exitCode}`, ...log };
  }

  /** The task definition to run: the stack's, or a revision of its family with the service's repository at the tag to deploy. */
  private async taskDefinitionFor(request: MigrationRequest): Promise<string> {
    const { migration } = request;
    if (request.imageTag === undefined || migration.image !== undefined) return migration.taskDefinitionArn;
    const image = `${migration.repositoryUrl}:${request.imageTag}`;
    const described = await awsCall("ECS DescribeTaskDefinition", () =>
      this.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: migration.taskDefinitionArn })),
    );
    const td = described.taskDefinition;
    const containers: ContainerDefinition[] = td?.containerDefinitions ?? [];
    if (!td || !containers.some((c) => c.name === migration.containerName)) return migration.taskDefinitionArn;
    if (containers.find((c) => c.name === migration.containerName)?.image === image) return migration.taskDefinitionArn;
    const registered = await awsCall("ECS RegisterTaskDefinition", () =>
      this.clients.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: migration.taskDefinitionFamily,
          taskRoleArn: td.taskRoleArn,
          executionRoleArn: td.executionRoleArn,
          networkMode: td.networkMode,
          requiresCompatibilities: td.requiresCompatibilities,
          cpu: td.cpu,
          memory: td.memory,
          runtimePlatform: td.runtimePlatform,
          volumes: td.volumes,
          containerDefinitions: containers.map((c) => (c.name === migration.containerName ? { ...c, image } : c)),
        }),
      ),
    );
    return registered.taskDefinition?.taskDefinitionArn ?? migration.taskDefinitionArn;
  }

  private async describe(cluster: string, taskArn: string): Promise<Task | undefined> {
    const out = await awsCall("ECS DescribeTasks", () => this.clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] })));
    return out.tasks?.[0];
  }

  /** The last lines of the task's log stream; a missing or unreadable log is a note, never a failure of its own. */
  private async tail(migration: MigrationRequest["migration"], taskArn: string): Promise<{ logTail: string[]; logNote?: string }> {
    const taskId = taskArn.split("/").pop() ?? taskArn;
    const logStreamName = `${migration.logStreamPrefix}/${migration.containerName}/${taskId}`;
    try {
      const out = await this.clients.logs.send(
        new GetLogEventsCommand({ logGroupName: migration.logGroup, logStreamName, startFromHead: false, limit: this.tailLines }),
      );
      const lines = (out.events ?? []).map((e) => e.message ?? "");
      return lines.length > 0 ? { logTail: lines } : { logTail: [], logNote: `log stream ${migration.logGroup} ${logStreamName} is empty` };
    } catch (err) {
      if (awsErrorName(err) === "ResourceNotFoundException")
        return { logTail: [], logNote: `no log stream ${logStreamName} in ${migration.logGroup}` };
      return { logTail: [], logNote: `the log could not be read: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}
