import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clientConfig } from "../../validators/providers/aws/clients";
import { type LastGoodRelease, lastGoodParameterName, ReleaseRegistryError, SsmReleaseRegistry } from "../../validators/release";
import { MOTO_CREDENTIALS, type MotoServer, startMoto } from "../support/moto";

let moto: MotoServer;
let ssm: SSMClient;

beforeAll(async () => {
  moto = await startMoto();
  ssm = new SSMClient(clientConfig({ region: "eu-west-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 }));
});
afterAll(async () => {
  ssm?.destroy();
  await moto?.stop();
});
beforeEach(async () => moto.reset());

function release(tag: string, runId: string): LastGoodRelease {
  return {
    stack: "staging",
    service: "api",
    imageTag: tag,
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/api:${tag.length}`,
    validatedAt: "2024-05-01T10:00:00.000Z",
    runId,
    who: "ci@runner",
  };
}

describe("SsmReleaseRegistry against moto", () => {
  it("names the parameter /delivery/<stack>/<service>/last-good", () => {
    expect(lastGoodParameterName("staging", "api")).toBe("/delivery/staging/api/last-good");
  });

  it("returns undefined when the service has no last good release", async () => {
    expect(await new SsmReleaseRegistry(ssm).get("staging", "api")).toBeUndefined();
  });

  it("reads back the release it recorded", async () => {
    const registry = new SsmReleaseRegistry(ssm);
    await registry.put(release("sha-1111111", "run-1"));

    expect(await registry.get("staging", "api")).toEqual(release("sha-1111111", "run-1"));
  });

  it("keeps every recorded release as a parameter version, newest first", async () => {
    const registry = new SsmReleaseRegistry(ssm);
    const versions = [];
    for (const [tag, run] of [
      ["sha-1111111", "run-1"],
      ["sha-2222222", "run-2"],
      ["sha-3333333", "run-3"],
    ] as const) {
      versions.push(await registry.put(release(tag, run)));
    }

    const history = await registry.history("staging", "api");

    expect(versions).toEqual([1, 2, 3]);
    expect(history.map((v) => [v.version, v.release?.imageTag, v.release?.runId])).toEqual([
      [3, "sha-3333333", "run-3"],
      [2, "sha-2222222", "run-2"],
      [1, "sha-1111111", "run-1"],
    ]);
    expect(await registry.get("staging", "api")).toEqual(release("sha-3333333", "run-3"));
  });

  it("returns an empty history for a service never recorded", async () => {
    expect(await new SsmReleaseRegistry(ssm).history("staging", "web")).toEqual([]);
  });

  it("refuses a parameter that does not hold a release, naming it", async () => {
    await ssm.send(new PutParameterCommand({ Name: "/delivery/staging/api/last-good", Value: '{"imageTag":"x"}', Type: "String" }));

    const read = new SsmReleaseRegistry(ssm).get("staging", "api");

    await expect(read).rejects.toBeInstanceOf(ReleaseRegistryError);
    await expect(read).rejects.toThrow(/^SSM parameter \/delivery\/staging\/api\/last-good does not hold a release: taskDefinitionArn: /);
  });

  it("reads a value holding just the documented fields, taking stack and service from the parameter name", async () => {
    const documented = {
      imageTag: "sha-1",
      taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/api:7",
      validatedAt: "2025-06-01T12:00:00.000Z",
      runId: "run-1",
      note: "by hand",
    };
    await ssm.send(new PutParameterCommand({ Name: "/delivery/staging/web/last-good", Value: JSON.stringify(documented), Type: "String" }));

    const { note: _note, ...fields } = documented;
    expect(await new SsmReleaseRegistry(ssm).get("staging", "web")).toEqual({ stack: "staging", service: "web", ...fields });
  });
});
