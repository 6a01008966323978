import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { SQSClient } from "@aws-sdk/client-sqs";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AlertDispatcher, buildAlertChannels } from "../../validators/alerts";
import { type AwsClients, clientConfig, createAwsClients } from "../../validators/providers/aws/clients";
import { FileStackLock } from "../../validators/lock";
import type { EcsManifest } from "../../contract/manifest";
import { LocalRecordStore, SecretRegistry } from "../../validators/records";
import { SsmReleaseRegistry } from "../../validators/release";
import { Progress } from "../../validators/rollback";
import { afterValidation } from "../../validators/workflows/validateAndRollback";
import { openRuntime } from "../../validators/providers/open";
import { HttpStub } from "../release/httpStub";
import { clock, FakeStacks, manifest, report, service } from "../release/support";
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from "../support/moto";
import { topicWithQueue } from "../support/snsQueue";

const SLACK_PATH = "/services/T0/B0/SLACKSECRET";
const ROUTING_KEY = "PD-ROUTING-KEY-0001";
let moto: MotoServer;
let clients: AwsClients;
let sqs: SQSClient;
let stub: HttpStub;
let dir: string;

beforeAll(async () => {
  [moto, stub] = await Promise.all([startMoto(), new HttpStub().start()]);
  clients = createAwsClients({ region: "eu-west-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
  sqs = new SQSClient(clientConfig({ region: "eu-west-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 }));
});
afterAll(async () => {
  sqs?.destroy();
  await Promise.all([moto?.stop(), stub?.stop()]);
});
beforeEach(async () => {
  await moto.reset();
  stub.reset();
  dir = mkdtempSync(join(tmpdir(), "rollback-moto-"));
  return () => rmSync(dir, { recursive: true, force: true });
});

/** A cluster and service running revision 2 (the new release), revision 1 being the last good one. */
async function arrange(): Promise<{
  m: EcsManifest;
  oldArn: string;
  newArn: string;
  readAlerts: (topic: "warning" | "critical") => Promise<string[]>;
}> {
  await clients.ecs.send(new CreateClusterCommand({ clusterName: "staging" }));
  const register = (tag: string) =>
    clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "staging-api",
        containerDefinitions: [{ name: "api", image: `delivery/api:${tag}`, cpu: 256, memory: 512 }],
      }),
    );
  const oldArn = (await register("sha-old0000")).taskDefinition?.taskDefinitionArn ?? "";
  const newArn = (await register("sha-new0000")).taskDefinition?.taskDefinitionArn ?? "";
  await clients.ecs.send(
    new CreateServiceCommand({ cluster: "staging", serviceName: "staging-api", taskDefinition: newArn, desiredCount: 1 }),
  );
  const topics = {
    warning: await topicWithQueue({ sns: clients.sns, sqs }, "staging-warning"),
    critical: await topicWithQueue({ sns: clients.sns, sqs }, "staging-critical"),
  };
  const m = manifest([service("api", { imageTag: "sha-new0000", taskDefinitionArn: newArn })], {
    alerts: { warningTopicArn: topics.warning.arn, criticalTopicArn: topics.critical.arn },
  });
  const readAlerts = async (level: "warning" | "critical") => (await topics[level].read()).map((msg) => msg.Subject ?? "");
  return { m, oldArn, newArn, readAlerts };
}

async function run(m: EcsManifest, outcome: ReturnType<typeof report>, validateAgain: ReturnType<typeof report>, runId = "run-1") {
  const t = clock();
  const secrets = new SecretRegistry();
  const env = {
    DELIVERY_SLACK_WEBHOOK_URL: `${stub.url}${SLACK_PATH}`,
    DELIVERY_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
    DELIVERY_PAGERDUTY_EVENTS_URL: `${stub.url}/v2/enqueue`,
  };
  const channels = await buildAlertChannels({ manifest: m, clients, env, secrets });
  const store = new LocalRecordStore(join(dir, "records"), secrets);
  return afterValidation(
    { manifest: m, outcome, rollback: true, record: true, waitSeconds: 0 },
    {
      runtime: (manifest) => openRuntime(manifest, clients),
      stacks: FakeStacks.withTags({ api: "sha-new0000" }),
      registry: new SsmReleaseRegistry(clients.ssm),
      alerts: new AlertDispatcher(channels, store, undefined, t.now),
      validate: async () => validateAgain,
      loadManifest: async () => m,
      progress: new Progress(() => undefined, t.now),
      now: t.now,
      sleep: t.sleep,
      store,
      lock: new FileStackLock(join(dir, "locks"), t.now),
      who: "ci@runner",
      runId,
    },
  );
}

describe("rollback against moto, with Slack and PagerDuty on a local server", () => {
  it("rolls the ECS service back to the last good task definition even though Slack fails", async () => {
    const { m, oldArn, readAlerts } = await arrange();
    await new SsmReleaseRegistry(clients.ssm).put({
      stack: "staging",
      service: "api",
      imageTag: "sha-old0000",
      taskDefinitionArn: oldArn,
      validatedAt: "2024-04-30T09:00:00.000Z",
      runId: "run-0",
    });
    stub.failOn(SLACK_PATH, 500);

    const result = await run(m, report({ api: "fail" }), report({ api: "pass" }));

    const described = await clients.ecs.send(new DescribeServicesCommand({ cluster: "staging", services: ["staging-api"] }));
    expect(described.services?.[0]?.taskDefinition).toBe(oldArn);
    expect(result.record.outcome).toBe("rolled-back");
    expect(await readAlerts("warning")).toEqual(["[WARNING] staging/api: fail"]);
    expect(stub.bodies(SLACK_PATH)).toHaveLength(1);
    expect(result.record.actions.filter((a) => a.kind === "alert").map((a) => [a.target, a.status])).toEqual([
      ["sns", "ok"],
      ["slack", "failed"],
      ["pagerduty", "skipped"],
    ]);
  });

  it("alerts critical on every channel but a failing PagerDuty when there is nothing to roll back to", async () => {
    const { m, newArn, readAlerts } = await arrange();
    stub.failOn("/v2/enqueue", 503);

    const result = await run(m, report({ api: "fail" }), report({ api: "pass" }));

    expect(result.record.exitCode).toBe(1);
    expect(
      (await clients.ecs.send(new DescribeServicesCommand({ cluster: "staging", services: ["staging-api"] }))).services?.[0]
        ?.taskDefinition,
    ).toBe(newArn);
    expect(await readAlerts("critical")).toEqual(["[CRITICAL] staging/api: fail"]);
    expect(stub.bodies(SLACK_PATH)).toHaveLength(1);
    expect(result.record.actions.filter((a) => a.kind === "alert").map((a) => [a.target, a.status, a.message])).toEqual([
      ["sns", "ok", expect.stringMatching(/^published critical alert for staging\/api to arn:aws:sns:eu-west-1:\d+:staging-critical/)],
      ["slack", "ok", "posted critical alert for staging/api to Slack"],
      ["pagerduty", "failed", "pagerduty answered HTTP 503: failure on purpose (503)"],
    ]);
  });

  it("triggers a PagerDuty incident, then resolves it when the service validates again", async () => {
    const { m } = await arrange();
    await run(m, report({ api: "fail" }), report({ api: "pass" }), "run-1");

    await run(m, report({ api: "pass" }), report({ api: "pass" }), "run-2");

    expect(
      stub.bodies("/v2/enqueue").map((b) => [(b as { event_action: string }).event_action, (b as { dedup_key: string }).dedup_key]),
    ).toEqual([
      ["trigger", "staging/api"],
      ["resolve", "staging/api"],
    ]);
  });

  it("records the pass as a new last good version in SSM", async () => {
    const { m, newArn } = await arrange();

    await run(m, report({ api: "pass" }), report({ api: "pass" }));

    expect(await new SsmReleaseRegistry(clients.ssm).get("staging", "api")).toMatchObject({
      imageTag: "sha-new0000",
      taskDefinitionArn: newArn,
      runId: "run-1",
    });
  });

  it("never writes the webhook URL or the routing key into a record or the alert state", async () => {
    const { m } = await arrange();
    stub.failOn(SLACK_PATH, 500);

    await run(m, report({ api: "fail" }), report({ api: "pass" }));

    const files = readdirSync(join(dir, "records"), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      const text = readFileSync(join(f.parentPath, f.name), "utf8");
      expect(text).not.toContain("SLACKSECRET");
      expect(text).not.toContain(ROUTING_KEY);
    }
  });
});
