import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  ServiceNotActiveException,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsClients, createAwsClients } from "../../../validators/providers/aws/clients";
import { EcsRuntime } from "../../../validators/providers/aws/ecsRuntime";
import { clock, manifest, service } from "../../release/support";
import { MOTO_CREDENTIALS, useMoto } from "../../support/moto";

const at = () => new Date("2024-05-01T10:00:00.000Z");

describe("the ECS runtime's restart, on moto", () => {
  const moto = useMoto();
  let clients: AwsClients;
  beforeAll(() => {
    clients = createAwsClients({ region: "eu-west-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(() => clients?.ecs.destroy());

  async function arrange(): Promise<string> {
    await clients.ecs.send(new CreateClusterCommand({ clusterName: "staging" }));
    const registered = await clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "staging-api",
        containerDefinitions: [{ name: "api", image: "delivery/api:sha-new0000", cpu: 256, memory: 512 }],
      }),
    );
    const arn = registered.taskDefinition?.taskDefinitionArn ?? "";
    await clients.ecs.send(
      new CreateServiceCommand({ cluster: "staging", serviceName: "staging-api", taskDefinition: arn, desiredCount: 1 }),
    );
    return arn;
  }

  it("forces a new deployment of the revision the service runs: UpdateService answers with the same task definition", async () => {
    const arn = await arrange();
    const m = manifest([service("api", { taskDefinitionArn: arn })]);

    const actions = await new EcsRuntime(m, clients).restart(["api"], at);

    expect(actions).toEqual([
      {
        kind: "force-new-deployment",
        target: "api",
        status: "ok",
        message: `UpdateService staging-api forceNewDeployment (${arn})`,
        at: "2024-05-01T10:00:00.000Z",
        details: { cluster: "staging", ecsService: "staging-api", taskDefinition: arn },
      },
    ]);
    const described = await clients.ecs.send(new DescribeServicesCommand({ cluster: "staging", services: ["staging-api"] }));
    expect(described.services?.[0]?.taskDefinition).toBe(arn);
  });

  it("reports a service ECS does not know as a failed action naming the operation, and goes on with the next", async () => {
    const arn = await arrange();
    const m = manifest([service("gone", { taskDefinitionArn: arn }), service("api", { taskDefinitionArn: arn })]);

    const actions = await new EcsRuntime(m, clients).restart(["gone", "api"], at);

    expect(actions.map((a) => [a.target, a.status])).toEqual([
      ["gone", "failed"],
      ["api", "ok"],
    ]);
    // ECS answered: an AWS error, not "AWS unreachable" (the name holds "eNotFound", not the errno ENOTFOUND).
    expect(actions[0]?.message).toBe("ECS UpdateService failed (AWS error): ServiceNotFoundException: Service not found.");
  });
});

describe("the ECS runtime's restart, the exact request (aws-sdk-client-mock)", () => {
  const ecs = new ECSClient({ region: "eu-west-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const mock = mockClient(ecs);
  const runtime = (names: string[]) =>
    new EcsRuntime(manifest(names.map((n) => service(n))), {
      ecs,
      cloudwatch: {} as AwsClients["cloudwatch"],
      logs: {} as AwsClients["logs"],
    });

  it("sends UpdateService with forceNewDeployment and no task definition, one service after the other in the order given", async () => {
    mock.reset();
    mock.on(UpdateServiceCommand).resolves({ service: { taskDefinition: "arn:td/staging-web:2" } });

    await runtime(["api", "web"]).restart(["web", "api"], clock().now);

    expect(mock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: "staging", service: "staging-web", forceNewDeployment: true },
      { cluster: "staging", service: "staging-api", forceNewDeployment: true },
    ]);
  });

  it("never throws: an ECS refusal is a failed action with ECS's reason", async () => {
    mock.reset();
    mock.on(UpdateServiceCommand).rejects(new ServiceNotActiveException({ message: "Service was not ACTIVE.", $metadata: {} }));

    const actions = await runtime(["api"]).restart(["api"], at);

    expect(actions).toEqual([
      {
        kind: "force-new-deployment",
        target: "api",
        status: "failed",
        message: "ECS UpdateService failed (AWS error): ServiceNotActiveException: Service was not ACTIVE.",
        at: "2024-05-01T10:00:00.000Z",
        details: { cluster: "staging", ecsService: "staging-api" },
      },
    ]);
  });
});
