import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreatePipelineCommand, GetPipelineCommand, type CodePipelineClient, type StageDeclaration } from "@aws-sdk/client-codepipeline";
import { createAwsClients } from "../../validators/providers/aws/clients";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BadInputError, OperationalError } from "../../validators/core/errors";
import { main } from "../../validators/cli/main";
import { readPipelineDefinition, readPipelineStatus } from "../../validators/pipeline";
import { captureIO } from "../analysis/captureIO";
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from "../support/moto";
import { createPipelineRole, motoCodePipelineClient } from "./motoCodePipeline";

const build = (name: string, runOrder: number) => ({
  name,
  runOrder,
  actionTypeId: { category: "Build" as const, owner: "AWS" as const, provider: "CodeBuild", version: "1" },
  inputArtifacts: [{ name: "source" }],
  configuration: { ProjectName: name },
});

/** The shape the DeliveryPipeline component gives a stack's pipeline (without approval). */
const STAGES: StageDeclaration[] = [
  {
    name: "Source",
    actions: [
      {
        name: "Source",
        actionTypeId: { category: "Source", owner: "AWS", provider: "S3", version: "1" },
        configuration: { S3Bucket: "delivery-local-source", S3ObjectKey: "source.zip" },
        outputArtifacts: [{ name: "source" }],
      },
    ],
  },
  { name: "Build", actions: [build("Build-api", 1), build("Build-web", 1)] },
  { name: "Test", actions: [build("Test-unit", 1), build("Test-integration", 1), build("Test-security", 1)] },
  { name: "Deploy", actions: [build("Deploy", 1)] },
  { name: "Validate", actions: [build("Validate", 1)] },
];

describe("pipeline status against moto", () => {
  let moto: MotoServer;
  let client: CodePipelineClient;
  beforeAll(async () => {
    moto = await startMoto();
    client = motoCodePipelineClient(moto.endpoint);
  });
  afterAll(() => moto.stop());
  beforeEach(() => moto.reset());

  const createPipeline = async (name: string) => {
    const roleArn = await createPipelineRole(moto.endpoint, `${name}-role`);
    await client.send(
      new CreatePipelineCommand({ pipeline: { name, roleArn, artifactStore: { type: "S3", location: "artifacts" }, stages: STAGES } }),
    );
  };
  const target = (pipeline: string, from = `--stack ${pipeline.replace("delivery-", "")}`) => ({ pipeline, region: "us-east-1", from });

  it("reads the declared stages in order, with parallel actions in the same run order", async () => {
    await createPipeline("delivery-dev");

    const definition = await readPipelineDefinition({ codepipeline: client }, target("delivery-dev"));

    expect(definition).toEqual({
      version: 1,
      stages: [
        { name: "Source", actions: [{ name: "Source", category: "Source", runOrder: 1 }] },
        {
          name: "Build",
          actions: [
            { name: "Build-api", category: "Build", runOrder: 1 },
            { name: "Build-web", category: "Build", runOrder: 1 },
          ],
        },
        {
          name: "Test",
          actions: [
            { name: "Test-unit", category: "Build", runOrder: 1 },
            { name: "Test-integration", category: "Build", runOrder: 1 },
            { name: "Test-security", category: "Build", runOrder: 1 },
          ],
        },
        { name: "Deploy", actions: [{ name: "Deploy", category: "Build", runOrder: 1 }] },
        { name: "Validate", actions: [{ name: "Validate", category: "Build", runOrder: 1 }] },
      ],
    });
  });

  it("names the pipelines the region has when the one asked for does not exist", async () => {
    await createPipeline("delivery-dev");
    await createPipeline("delivery-staging");

    const err = await readPipelineStatus({ codepipeline: client }, { ...target("delivery-prod"), executions: 1 }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toBe(
      `pipeline "delivery-prod" (--stack prod) does not exist in us-east-1; check --stack, --pipeline and --region; pipelines there: delivery-dev, delivery-staging`,
    );
  });

  it("exits 2 from the CLI when the stack has no pipeline", async () => {
    const io = captureIO({
      env: { AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey },
    });

    const code = await main(
      ["node", "deployctl", "pipeline", "status", "--stack", "prod", "--region", "us-east-1", "--endpoint-url", moto.endpoint],
      io,
    );

    expect(code).toBe(2);
    expect(io.err()).toBe(
      `deployctl: pipeline "delivery-prod" (--stack prod) does not exist in us-east-1; check --stack, --pipeline and --region; the region has no pipelines\n`,
    );
  });

  it("reads moto's pipeline through deployctl's own clients (ISO times accepted), the region from Pulumi.dev.yaml", async () => {
    await createPipeline("delivery-dev");
    const dir = mkdtempSync(join(tmpdir(), "pipeline-moto-"));
    writeFileSync(join(dir, "Pulumi.dev.yaml"), "config:\n  aws:region: us-east-1\n");
    const io = captureIO({
      cwd: dir,
      env: { AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey },
    });

    const code = await main(["node", "deployctl", "pipeline", "status", "--stack", "dev", "--endpoint-url", moto.endpoint], io);

    // GetPipeline (with moto's ISO `created` / `updated`) is read; moto has no executions, so the
    // next call, ListPipelineExecutions, is the one that fails: exit 4 naming it, no TypeError.
    expect(code).toBe(4);
    expect(io.err()).toMatch(/^deployctl: CodePipeline ListPipelineExecutions failed for pipeline "delivery-dev" in us-east-1: /);
    expect(io.err()).not.toContain("Expected real number");
  });

  it("GetPipeline's metadata times come back as dates from deployctl's client", async () => {
    await createPipeline("delivery-dev");
    const { codepipeline } = createAwsClients({
      region: "us-east-1",
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
      maxAttempts: 1,
    });

    const out = await codepipeline.send(new GetPipelineCommand({ name: "delivery-dev" }));

    expect(out.metadata?.created).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - (out.metadata?.created?.getTime() ?? 0))).toBeLessThan(120_000);
    expect(out.metadata?.updated).toBeInstanceOf(Date);
  });

  it("reports a call CodePipeline answers with a server error as operational, naming the operation", async () => {
    await createPipeline("delivery-dev");

    // moto 5.2.1 has no pipeline executions: ListPipelineExecutions answers HTTP 500.
    const err = await readPipelineStatus({ codepipeline: client }, { ...target("delivery-dev"), executions: 1 }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).operation).toBe("ListPipelineExecutions");
    expect((err as Error).message).toMatch(/^CodePipeline ListPipelineExecutions failed for pipeline "delivery-dev" in us-east-1: /);
  });
});
