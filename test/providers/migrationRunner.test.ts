import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateClusterCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { EcsMigration } from "../../contract/manifest";
import { OperationalError } from "../../validators/core/errors";
import { createAwsClients } from "../../validators/providers/aws/clients";
import { EcsMigrationRunner } from "../../validators/providers/aws/migrationRunner";
import type { MigrationRequest } from "../../validators/providers/migration";
import { MOTO_CREDENTIALS, useMoto } from "../support/moto";

const REGION = "eu-west-1";
const CLUSTER = "delivery-staging";
const REPO = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/staging/delivery/api";

function migration(overrides: Partial<EcsMigration> = {}): EcsMigration {
  return {
    taskDefinitionFamily: "delivery-staging-api-migration",
    taskDefinitionArn: `arn:aws:ecs:${REGION}:123456789012:task-definition/delivery-staging-api-migration:1`,
    containerName: "migration",
    repositoryUrl: REPO,
    subnets: ["subnet-1"],
    securityGroups: ["sg-1"],
    logGroup: "/ecs/delivery/staging/api-migration",
    logStreamPrefix: "migration",
    timeoutSeconds: 60,
    command: ["npm", "run", "migrate"],
    ...overrides,
  };
}

function request(m: EcsMigration, overrides: Partial<MigrationRequest> = {}): MigrationRequest {
  return {
    stack: "staging",
    cluster: CLUSTER,
    service: "api",
    migration: m,
    command: m.command,
    imageTag: "sha-new1111",
    startedBy: "deployctl/run-7",
    ...overrides,
  };
}

/** A manual clock: sleep moves it on, `onSleep` runs first (to change the world while the runner waits). */
function clock(onSleep?: (n: number) => Promise<void>) {
  let t = Date.parse("2026-12-05T05:00:00Z");
  let sleeps = 0;
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      sleeps += 1;
      await onSleep?.(sleeps);
      t += ms;
    },
    sleeps: () => sleeps,
  };
}

describe("EcsMigrationRunner against moto", () => {
  const moto = useMoto();
  let clients: ReturnType<typeof createAwsClients>;
  let subnet: string;
  let securityGroup: string;

  /** EC2 through its query API (no EC2 client in the project): moto routes by the credential scope. */
  async function ec2(params: Record<string, string>): Promise<string> {
    const res = await fetch(moto.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `AWS4-HMAC-SHA256 Credential=testing/20261205/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=x`,
      },
      body: new URLSearchParams({ Version: "2016-11-15", ...params }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`EC2 ${params.Action}: ${res.status} ${text}`);
    return text;
  }
  const field = (xml: string, name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1] ?? "";

  beforeEach(async () => {
    await fetch(`${moto.endpoint}/moto-api/state-manager/unset-transition`, {
      method: "POST",
      body: JSON.stringify({ model_name: "ecs::task" }),
    });
    clients = createAwsClients({
      region: REGION,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
      maxAttempts: 1,
      requestTimeoutMs: 5000,
    });
    // moto 5.2.1 crashes on an awsvpc RunTask unless the VPC has DNS host names (its ENI has no private DNS name otherwise).
    const vpc = field(await ec2({ Action: "CreateVpc", CidrBlock: "10.0.0.0/16" }), "vpcId");
    await ec2({ Action: "ModifyVpcAttribute", VpcId: vpc, "EnableDnsHostnames.Value": "true" });
    subnet = field(await ec2({ Action: "CreateSubnet", VpcId: vpc, CidrBlock: "10.0.1.0/24" }), "subnetId");
    securityGroup = field(await ec2({ Action: "CreateSecurityGroup", VpcId: vpc, GroupName: "api", GroupDescription: "api" }), "groupId");
    await clients.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  });

  /** The migration task definition as the stack registers it, at `tag`. */
  async function registered(tag: string): Promise<EcsMigration> {
    const td = await clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "delivery-staging-api-migration",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        executionRoleArn: "arn:aws:iam::123456789012:role/api-execution",
        taskRoleArn: "arn:aws:iam::123456789012:role/api-task",
        // moto places tasks by container-level cpu and memory.
        containerDefinitions: [
          { name: "migration", image: `${REPO}:${tag}`, cpu: 256, memory: 512, essential: true, command: ["npm", "run", "migrate"] },
        ],
      }),
    );
    return migration({ taskDefinitionArn: td.taskDefinition?.taskDefinitionArn ?? "", subnets: [subnet], securityGroups: [securityGroup] });
  }

  it("registers a revision with the image to deploy, runs it in the service's network with the command as an override, and passes on exit 0", async () => {
    const m = await registered("sha-old0000");
    const c = clock();
    const runner = new EcsMigrationRunner(clients, { now: c.now, sleep: c.sleep, pollSeconds: 5 });

    const run = await runner.run(request(m));

    expect([run.status, run.exitCode, run.taskDefinitionArn, run.logTail]).toEqual([
      "succeeded",
      0,
      `arn:aws:ecs:${REGION}:123456789012:task-definition/delivery-staging-api-migration:2`,
      [],
    ]);
    const revision = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: run.taskDefinitionArn }));
    expect([
      revision.taskDefinition?.containerDefinitions?.[0]?.image,
      revision.taskDefinition?.executionRoleArn,
      revision.taskDefinition?.taskRoleArn,
      revision.taskDefinition?.networkMode,
    ]).toEqual([
      `${REPO}:sha-new1111`,
      "arn:aws:iam::123456789012:role/api-execution",
      "arn:aws:iam::123456789012:role/api-task",
      "awsvpc",
    ]);
    const [task] = (await clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [run.taskArn ?? ""] }))).tasks ?? [];
    expect([
      task?.launchType,
      task?.startedBy,
      task?.overrides?.containerOverrides,
      task?.attachments?.[0]?.details?.find((d) => d.name === "subnetId")?.value,
    ]).toEqual(["FARGATE", "deployctl/run-7", [{ name: "migration", command: ["npm", "run", "migrate"] }], subnet]);
  });

  it("runs the registered task definition as it is when it already has the image to deploy", async () => {
    const m = await registered("sha-new1111");
    const c = clock();

    const run = await new EcsMigrationRunner(clients, { now: c.now, sleep: c.sleep }).run(request(m));

    expect([run.status, run.taskDefinitionArn]).toEqual(["succeeded", m.taskDefinitionArn]);
  });

  it("stops a task still running at the timeout, and keeps the tail of its log", async () => {
    await moto.server.freezeEcsTasks();
    const m = { ...(await registered("sha-old0000")), timeoutSeconds: 30 };
    const logs = new CloudWatchLogsClient({ region: REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
    // While the runner waits, the task writes its log (stream <prefix>/<container>/<task id>, as awslogs names it).
    const c = clock(async (n) => {
      if (n !== 1) return;
      const [arn] = (await clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER }))).taskArns ?? [];
      const stream = `migration/migration/${arn?.split("/").pop()}`;
      await logs.send(new CreateLogGroupCommand({ logGroupName: m.logGroup }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: m.logGroup, logStreamName: stream }));
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: m.logGroup,
          logStreamName: stream,
          logEvents: ["migrating 0042_add_column", "waiting for lock on table orders"].map((message, i) => ({
            message,
            timestamp: Date.now() + i,
          })),
        }),
      );
    });

    const run = await new EcsMigrationRunner(clients, { now: c.now, sleep: c.sleep, pollSeconds: 10 }).run(request(m));

    expect([run.status, run.reason, run.stoppedReason, run.logTail, run.seconds]).toEqual([
      "timed-out",
      "still running after 30s (timeoutSeconds), so it was stopped",
      "deployctl: the migration ran longer than its timeout of 30s",
      ["migrating 0042_add_column", "waiting for lock on table orders"],
      30,
    ]);
    const [task] = (await clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [run.taskArn ?? ""] }))).tasks ?? [];
    expect([task?.lastStatus, task?.stoppedReason]).toEqual(["STOPPED", "deployctl: the migration ran longer than its timeout of 30s"]);
  });
});

describe("EcsMigrationRunner: the stop states moto cannot produce", () => {
  // Mock these instances only (mocking the classes would reach the moto tests' clients too).
  const ecsClient = new ECSClient({ region: REGION });
  const logsClient = new CloudWatchLogsClient({ region: REGION });
  const ecs = mockClient(ecsClient);
  const logs = mockClient(logsClient);
  const TASK = `arn:aws:ecs:${REGION}:123456789012:task/${CLUSTER}/abc123`;
  const runner = () => {
    const c = clock();
    return new EcsMigrationRunner({ ecs: ecsClient, logs: logsClient }, { now: c.now, sleep: c.sleep });
  };
  beforeEach(() => {
    ecs.reset();
    logs.reset();
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }], failures: [] });
    logs.on(GetLogEventsCommand).resolves({ events: [{ message: "ERROR relation orders does not exist" }] });
  });
  const stopped = (task: Record<string, unknown>) =>
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: "STOPPED", ...task }] });

  it("fails on a non-zero exit code, with ECS's stopped reason and the log tail", async () => {
    stopped({ stoppedReason: "Essential container in task exited", containers: [{ name: "migration", exitCode: 1 }] });

    const run = await runner().run(request(migration(), { imageTag: undefined }));

    expect(run).toEqual({
      status: "failed",
      taskArn: TASK,
      taskDefinitionArn: migration().taskDefinitionArn,
      stoppedReason: "Essential container in task exited",
      exitCode: 1,
      reason: "exited with code 1",
      logTail: ["ERROR relation orders does not exist"],
      seconds: 0,
    });
    expect(logs.commandCalls(GetLogEventsCommand)[0]?.args[0].input).toEqual({
      logGroupName: "/ecs/delivery/staging/api-migration",
      logStreamName: "migration/migration/abc123",
      startFromHead: false,
      limit: 50,
    });
  });

  it("fails when the task stopped with no container of the migration's name", async () => {
    stopped({ stoppedReason: "Task failed to start", containers: [] });

    const run = await runner().run(request(migration(), { imageTag: undefined }));

    expect([run.status, run.reason, run.exitCode]).toEqual(["failed", "the task stopped with no container migration", undefined]);
  });

  it("fails when the container never started, naming ECS's reason", async () => {
    stopped({
      stoppedReason: "CannotPullContainerError",
      containers: [{ name: "migration", reason: "CannotPullContainerError: pull access denied" }],
    });
    logs
      .on(GetLogEventsCommand)
      .rejects(Object.assign(new Error("The specified log stream does not exist."), { name: "ResourceNotFoundException" }));

    const run = await runner().run(request(migration(), { imageTag: undefined }));

    expect([run.status, run.reason, run.logTail, run.logNote]).toEqual([
      "failed",
      "container migration never exited (it did not start: CannotPullContainerError: pull access denied)",
      [],
      "no log stream migration/migration/abc123 in /ecs/delivery/staging/api-migration",
    ]);
  });

  it("fails when ECS does not start the task, naming its failures", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ arn: "arn:subnet-1", reason: "RESOURCE:ENI" }] });

    const run = await runner().run(request(migration(), { imageTag: undefined }));

    expect([run.status, run.reason, run.taskArn]).toEqual(["failed", "ECS did not start the task: arn:subnet-1: RESOURCE:ENI", undefined]);
  });

  it("stops the task at the timeout when it never stops", async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: "RUNNING", containers: [{ name: "migration" }] }] });
    ecs.on(StopTaskCommand).resolves({});

    const run = await runner().run(request(migration({ timeoutSeconds: 60 }), { imageTag: undefined }));

    expect([run.status, run.seconds, ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input)]).toEqual([
      "timed-out",
      60,
      [{ cluster: CLUSTER, task: TASK, reason: "deployctl: the migration ran longer than its timeout of 60s" }],
    ]);
  });

  it("throws an operational error naming the call when AWS refuses it", async () => {
    ecs.on(RunTaskCommand).rejects(Object.assign(new Error("not authorized to perform ecs:RunTask"), { name: "AccessDeniedException" }));

    const error = await runner()
      .run(request(migration(), { imageTag: undefined }))
      .catch((e: unknown) => e);

    expect([error instanceof OperationalError, (error as Error).message]).toEqual([
      true,
      "ECS RunTask failed (access denied): AccessDeniedException: not authorized to perform ecs:RunTask",
    ]);
  });
});
