import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, describe, expect, it } from "vitest";
import {
  alertParameterName,
  canaryVerdictParameterName,
  lastGoodParameterName,
  LOCK_TABLE_KEY,
  LOCK_TTL_ATTRIBUTE,
  recordPrefix,
  repositoryName,
  stackParameterArn,
  stackParameterPath,
} from "../../contract/names";
import { observeLastGood } from "../../validators/gate/lastGood";
import { DynamoStackLock } from "../../validators/lock";
import { SsmReleaseRegistry } from "../../validators/release";
import { jsonInput, renderStack, type RenderedStack, resourceNamed, resourcesOf, T } from "../support/pulumi";

/**
 * The names the program creates and deployctl uses. A deployed stack keeps working only while these
 * values stay as they are: the first table pins them, the others check that each side uses them.
 */
describe("the contract's names", () => {
  it.each([
    ["the stack's parameter path", stackParameterPath("prod"), "/delivery/prod/"],
    ["the last good release", lastGoodParameterName("prod", "api"), "/delivery/prod/api/last-good"],
    ["the canary verdict", canaryVerdictParameterName("prod", "api"), "/delivery/prod/api/canary-verdict"],
    ["the Slack webhook secret", alertParameterName("prod", "slack-webhook-url"), "/delivery/prod/alerts/slack-webhook-url"],
    ["the PagerDuty key secret", alertParameterName("prod", "pagerduty-routing-key"), "/delivery/prod/alerts/pagerduty-routing-key"],
    ["the lock table's key", LOCK_TABLE_KEY, "lockId"],
    ["the lock table's TTL attribute", LOCK_TTL_ATTRIBUTE, "expiresEpoch"],
    ["the run records' prefix", recordPrefix("prod"), "prod/"],
    ["an ECR repository", repositoryName("prod", "delivery/api"), "prod/delivery/api"],
    [
      "the ARN of every parameter of a stack",
      stackParameterArn({ partition: "aws", region: "us-east-1", accountId: "123456789012", stack: "prod" }),
      "arn:aws:ssm:us-east-1:123456789012:parameter/delivery/prod/*",
    ],
  ])("%s is %s", (_what, actual, expected) => {
    expect(actual).toBe(expected);
  });
});

describe("the program uses the contract's names", () => {
  let prod: RenderedStack;
  beforeAll(async () => {
    prod = await renderStack("prod");
  });

  it("keys the lock table and its TTL on the contract's attributes", () => {
    const table = resourcesOf(prod, T.table)[0];
    expect([table.inputs.hashKey, table.inputs.attributes, table.inputs.ttl]).toEqual([
      LOCK_TABLE_KEY,
      [{ name: LOCK_TABLE_KEY, type: "S" }],
      { attributeName: LOCK_TTL_ATTRIBUTE, enabled: true },
    ]);
  });

  it("lets the validate role read and write exactly the stack's parameter path", () => {
    const policy = jsonInput<{ Statement: { Sid: string; Resource: unknown }[] }>(
      resourceNamed(prod, T.rolePolicy, "delivery-prod-pipeline-validate-policy"),
      "policy",
    );
    expect(policy.Statement.find((s) => s.Sid === "Releases")?.Resource).toBe(
      stackParameterArn({ partition: "aws", region: "us-east-1", accountId: "123456789012", stack: "prod" }),
    );
  });

  it("tells deployctl where the stack's run records go", () => {
    expect(prod.outputs.deployment.history?.prefix).toBe(recordPrefix("prod"));
  });
});

describe("deployctl uses the contract's names", () => {
  it("writes the lock item under the contract's key and TTL attribute", async () => {
    const dynamodb = mockClient(DynamoDBClient);
    dynamodb.on(PutItemCommand).resolves({});
    const lock = new DynamoStackLock(new DynamoDBClient({ region: "us-east-1" }), "locks", () => new Date("2025-06-01T12:00:00Z"));

    await lock.tryAcquire({ stack: "prod", who: "ci", what: "deploy", leaseSeconds: 60 });

    const item = dynamodb.commandCalls(PutItemCommand)[0].args[0].input.Item ?? {};
    expect([item[LOCK_TABLE_KEY], item[LOCK_TTL_ATTRIBUTE]]).toEqual([
      { S: "prod" },
      { N: String(Date.parse("2025-06-01T12:01:00Z") / 1000) },
    ]);
    dynamodb.restore();
  });

  it("records a last good release where the gate looks for it", async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    ssm.on(GetParameterCommand).resolves({});
    const client = new SSMClient({ region: "us-east-1" });

    await new SsmReleaseRegistry(client).put({
      stack: "prod",
      service: "api",
      imageTag: "sha-1",
      taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/api:1",
      validatedAt: "2025-06-01T12:00:00.000Z",
      runId: "run-1",
    });
    await observeLastGood(new SsmReleaseRegistry(client), "prod", ["api"]);

    expect([
      ssm.commandCalls(PutParameterCommand)[0].args[0].input.Name,
      ssm.commandCalls(GetParameterCommand)[0].args[0].input.Name,
    ]).toEqual(["/delivery/prod/api/last-good", "/delivery/prod/api/last-good"]);
    ssm.restore();
  });
});
