import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import Ajv2020 from "ajv/dist/2020";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../validators/cli/main";
import { reportJsonSchema } from "../../validators/render";
import { captureIO } from "../support/io";
import { ecsService, type MockedAws } from "../validator/support/mocks";
import { testManifest } from "../validator/support/manifest";
import { arrangeDeployment, arrangeMetrics, arrangeTasks, canaryService, inProgress } from "./support";

/**
 * `deployctl validate --compare baseline` through main(): every AWS client class is stubbed
 * (ECS's deployment APIs are not in moto), the other checks are skipped to isolate the canary one.
 */
const api = canaryService("api");
const NEW_TG = "targetgroup/api-tg-alt/fedcba9876543210";
const OLD_TG = "targetgroup/api-tg/0123456789abcdef";
const ecs = mockClient(ECSClient);
const cloudwatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const ssm: AwsClientStub<SSMClient> = mockClient(SSMClient);
const aws = { ecs, cloudwatch } as unknown as MockedAws;
let dir: string;

beforeEach(() => {
  for (const stub of [ecs, cloudwatch, sns, ssm]) stub.reset();
  dir = mkdtempSync(join(tmpdir(), "compare-cli-"));
  writeFileSync(join(dir, "deployment.json"), JSON.stringify(testManifest([api])));
  ecs.on(DescribeServicesCommand).resolves({ services: [ecsService(api, { rolloutState: "IN_PROGRESS" })] });
  arrangeDeployment(aws, api, inProgress(api, 25, { startedAt: new Date(Date.now() - 20 * 60_000) }));
  arrangeTasks(aws);
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
});
afterAll(() => {
  for (const stub of [ecs, cloudwatch, sns, ssm]) stub.restore();
});

const SKIP = ["--skip", "rollout", "tasks", "errorRate", "latency", "logs"];
async function deployctl(...extra: string[]) {
  const io = captureIO({ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" }, dir);
  const code = await main(
    [
      "node",
      "deployctl",
      "validate",
      "--manifest",
      "deployment.json",
      "--no-smoke",
      "--no-record",
      "--compare",
      "baseline",
      ...SKIP,
      ...extra,
    ],
    io,
  );
  return { code, stdout: io.out(), stderr: io.err() };
}

describe("deployctl validate --compare baseline", () => {
  it("exits 0 on a healthy canary and prints both sides in a report that matches the schema", async () => {
    arrangeMetrics(
      aws,
      { [NEW_TG]: { requests: 5_000, errors5xx: 2, p99Seconds: 0.41 }, [OLD_TG]: { requests: 15_000, errors5xx: 9, p99Seconds: 0.4 } },
      new Date(Date.now() - 120_000),
    );
    const { code, stdout } = await deployctl("--output", "json");
    const report = JSON.parse(stdout);
    const ajv = new Ajv2020({ allErrors: true });
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    ajv.validate(reportJsonSchema("validate"), report);
    expect([code, ajv.errors ?? []]).toEqual([0, []]);
    const canary = report.services[0].checks.at(-1);
    expect([
      canary.name,
      canary.status,
      canary.observed.sharePercent,
      canary.observed.canary.targetGroup,
      canary.observed.baseline.targetGroup,
    ]).toEqual(["canary", "pass", 25, NEW_TG, OLD_TG]);
  });

  it("exits 1 on a worse canary, the text output showing the new revision and the baseline", async () => {
    arrangeMetrics(
      aws,
      { [NEW_TG]: { requests: 5_000, errors5xx: 150, p99Seconds: 0.41 }, [OLD_TG]: { requests: 15_000, errors5xx: 9, p99Seconds: 0.4 } },
      new Date(Date.now() - 120_000),
    );
    const { code, stdout } = await deployctl();
    expect(code).toBe(1);
    expect(stdout).toContain(
      "  canary     fail     new revision (targetgroup/api-tg-alt/fedcba9876543210, 25% of traffic): 150 5xx of 5000 requests (3%), p99 410 ms, 0 crashes\n",
    );
    expect(stdout).toContain(
      "                      baseline (targetgroup/api-tg/0123456789abcdef): 9 5xx of 15000 requests (0.06%), p99 400 ms\n",
    );
  });

  it("exits 3 on a low-traffic canary: inconclusive, never pass", async () => {
    arrangeMetrics(
      aws,
      { [NEW_TG]: { requests: 20, errors5xx: 0, p99Seconds: 0.41 }, [OLD_TG]: { requests: 400, errors5xx: 0, p99Seconds: 0.4 } },
      new Date(Date.now() - 120_000),
    );
    const { code } = await deployctl();
    expect(code).toBe(3);
  });

  it("rejects another comparison, naming what is allowed", async () => {
    const io = captureIO({}, dir);
    const code = await main(["node", "deployctl", "validate", "--manifest", "deployment.json", "--compare", "previous"], io);
    expect([code, io.err()]).toEqual([
      2,
      "deployctl: option '--compare <what>' argument 'previous' is invalid. Allowed choices are baseline.\n(run with --help for usage)\n",
    ]);
  });
});
