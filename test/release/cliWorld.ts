/**
 * A stack on moto for the deploy / rollback / history CLI tests: an ECS cluster with one service
 * per name (task definition revision 1 = the old release, 2 = the new one, the service running 1),
 * the SNS topics, the history bucket and the lock table; plus a captured CliIO and the manifest
 * written to a file for `--manifest`.
 */
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AwsClients, createAwsClients } from "../../validators/providers/aws/clients";
import { LOCK_TABLE_KEY } from "../../validators/lock";
import type { EcsManifest } from "../../contract/manifest";
import { MOTO_CREDENTIALS } from "../support/moto";
import { manifest, service } from "./support";

export interface CliWorld {
  clients: AwsClients;
  manifest: EcsManifest;
  manifestFile: string;
  /** Task definition ARNs per service: [old (revision 1), new (revision 2)]. */
  taskDefinitions: Record<string, [string, string]>;
}

export async function cliWorld(endpoint: string, dir: string, names: string[], history = true): Promise<CliWorld> {
  const clients = createAwsClients({ region: "eu-west-1", endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
  await clients.ecs.send(new CreateClusterCommand({ clusterName: "staging" }));
  const taskDefinitions: Record<string, [string, string]> = {};
  for (const name of names) {
    const arns: string[] = [];
    for (const tag of ["sha-old0000", "sha-new1111"]) {
      const out = await clients.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: `staging-${name}`,
          containerDefinitions: [{ name, image: `delivery/${name}:${tag}`, cpu: 256, memory: 512 }],
        }),
      );
      arns.push(out.taskDefinition?.taskDefinitionArn ?? "");
    }
    taskDefinitions[name] = [arns[0] ?? "", arns[1] ?? ""];
    await clients.ecs.send(
      new CreateServiceCommand({ cluster: "staging", serviceName: `staging-${name}`, taskDefinition: arns[0], desiredCount: 1 }),
    );
  }
  const warning = (await clients.sns.send(new CreateTopicCommand({ Name: "staging-warning" }))).TopicArn ?? "";
  const critical = (await clients.sns.send(new CreateTopicCommand({ Name: "staging-critical" }))).TopicArn ?? "";
  if (history) {
    await clients.s3.send(
      new CreateBucketCommand({ Bucket: "delivery-history", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }),
    );
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: "delivery-locks",
        KeySchema: [{ AttributeName: LOCK_TABLE_KEY, KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: LOCK_TABLE_KEY, AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  }
  const m = manifest(
    names.map((name, i) =>
      service(name, {
        imageTag: "sha-old0000",
        taskDefinitionArn: taskDefinitions[name]?.[0] ?? "",
        dependsOn: i > 0 ? [names[i - 1] ?? ""] : [],
      }),
    ),
    {
      alerts: { warningTopicArn: warning, criticalTopicArn: critical },
      ...(history ? { history: { bucket: "delivery-history", prefix: "staging", lockTable: "delivery-locks" } } : {}),
    },
  );
  const manifestFile = join(dir, "deployment.json");
  writeFileSync(manifestFile, JSON.stringify(m));
  return { clients, manifest: m, manifestFile, taskDefinitions };
}

export { captureIO } from "../support/io";
