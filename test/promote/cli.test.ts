import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  ECRClient,
  ImageNotFoundException,
  LayersNotFoundException,
  PutImageCommand,
} from "@aws-sdk/client-ecr";
import { mockClient } from "aws-sdk-client-mock";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type PromoteFlags, runPromoteCommand } from "../../validators/cli/commands/promote";
import { main } from "../../validators/cli/main";
import { defaultReleaseDeps } from "../../validators/cli/compose";
import { LOCK_TABLE_KEY } from "../../validators/lock";
import { captureIO } from "../release/cliWorld";
import { report, runRecord } from "../release/support";
import { useMoto } from "../support/moto";
import { copyProject, readStack } from "./project";
import { imageManifest, LOCK_TABLE, NEW_TAG, type PromoteWorld, promoteWorld } from "./world";

// io.cwd is a temporary copy of the project files (Pulumi.yaml and the four stack files); the
// shipped Pulumi.prod.yaml runs api and web on sha-3f9c2a1, and staging proved sha-new1111.
let dir: string;
let world: PromoteWorld;
let prodBefore: string;

const moto = useMoto();
beforeEach(async () => {
  dir = copyProject("promote-cli-");
  world = await promoteWorld(moto.endpoint, dir);
  prodBefore = readStack(dir, "prod");
  return () => rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

const ENV = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", DELIVERY_ACTOR: "release-bot" };
async function deployctl(...args: string[]) {
  const io = captureIO(ENV, dir);
  const code = await main(["node", "deployctl", "promote", "--from", "staging", "--to", "prod", ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
}
const AWS = () => ["--from-manifest", world.fromManifest, "--to-manifest", world.toManifest, "--endpoint-url", moto.endpoint];

async function prodTags(service: string): Promise<string[]> {
  const out = await world.clients.ecr.send(new DescribeImagesCommand({ repositoryName: `prod/delivery/${service}` }));
  return (out.imageDetails ?? []).flatMap((d) => d.imageTags ?? []);
}

describe("deployctl promote", () => {
  it("writes the proven tags into Pulumi.prod.yaml, every other line as it was, and exits 0", async () => {
    await world.release("api");
    await world.release("web");

    const { code, stdout } = await deployctl(...AWS(), "--yes");

    expect(code).toBe(0);
    expect(readStack(dir, "prod")).toBe(prodBefore.replace(/tag: sha-3f9c2a1/g, `tag: ${NEW_TAG}`));
    expect(stdout).toContain(
      "Promoted 2 service(s) from staging to prod: wrote Pulumi.prod.yaml. Commit it for review; deploying prod runs them.\n" +
        "  delivery:services[0].image.tag: sha-3f9c2a1 -> sha-new1111\n" +
        "  delivery:services[1].image.tag: sha-3f9c2a1 -> sha-new1111\n" +
        "  copied image sha-new1111 into prod/delivery/api\n" +
        "  copied image sha-new1111 into prod/delivery/web\n",
    );
  });

  it("copies the proven images into prod's repositories and releases the lock", async () => {
    await world.release("api");
    await world.release("web");

    await deployctl(...AWS(), "--yes");

    expect([await prodTags("api"), await prodTags("web")]).toEqual([[NEW_TAG], [NEW_TAG]]);
    expect(
      (await world.clients.dynamodb.send(new GetItemCommand({ TableName: LOCK_TABLE, Key: { [LOCK_TABLE_KEY]: { S: "prod" } } }))).Item,
    ).toBeUndefined();
  });

  it("narrows to --service: only that service's tag and image move", async () => {
    await world.release("api");
    await world.release("web");

    const { code } = await deployctl(...AWS(), "--yes", "--service", "web");

    expect(code).toBe(0);
    const [head, ...rest] = prodBefore.split("tag: sha-3f9c2a1");
    expect(readStack(dir, "prod")).toBe(`${head}tag: sha-3f9c2a1${rest.join(`tag: ${NEW_TAG}`)}`);
    expect([await prodTags("api"), await prodTags("web")]).toEqual([[], [NEW_TAG]]);
  });

  it("changes nothing and exits 0 when prod's config already has the proven tags", async () => {
    await world.release("api", "sha-3f9c2a1");
    await world.release("web", "sha-3f9c2a1");

    const { code, stdout } = await deployctl(...AWS(), "--yes");

    expect(code).toBe(0);
    expect(stdout).toContain("Nothing to promote: Pulumi.prod.yaml already has staging's last good tags.\n");
    expect(readStack(dir, "prod")).toBe(prodBefore);
  });

  describe("refuses the whole promotion, changing nothing, when a service", () => {
    const refused = (reason: string) => `Refused: 1 of 2 service(s) cannot be promoted; nothing was changed.\n  - api: ${reason}\n`;

    it.each<[string, (w: PromoteWorld) => Promise<void>, string]>([
      [
        "has no last good release",
        async () => undefined,
        "no last good release in stack staging (SSM parameter /delivery/staging/api/last-good is not set): deploy and validate it in staging first",
      ],
      [
        "failed its last run in staging",
        async (w) => {
          await w.release("api");
          await w.records.put(
            runRecord({
              runId: "20240502T100000Z-failed00",
              command: "validate",
              who: "ci",
              startedAt: "2024-05-02T10:00:00.000Z",
              outcome: "failed",
              verdict: "fail",
              validations: [report({ api: "fail" })],
            }),
          );
        },
        "its last run in staging failed: run 20240502T100000Z-failed00 (validate by ci at 2024-05-02T10:00:00.000Z): errorRate failed (errorRate is fail); promote after a run that passes",
      ],
      [
        "was rolled back by its last run in staging",
        async (w) => {
          await w.release("api");
          const rollback = { reason: "api: errorRate failed (12.5% of 400 requests)", services: ["api"], status: "ok" as const };
          await w.records.put(
            runRecord({
              runId: "20240502T100000Z-rolled00",
              who: "ci",
              startedAt: "2024-05-02T10:00:00.000Z",
              outcome: "rolled-back",
              verdict: "fail",
              rollback,
            }),
          );
        },
        "its last run in staging rolled it back: run 20240502T100000Z-rolled00 (deploy by ci at 2024-05-02T10:00:00.000Z): api: errorRate failed (12.5% of 400 requests); promote after a run that passes",
      ],
    ])("%s", async (_case, arrange, reason) => {
      await world.release("web");
      await arrange(world);

      const { code, stdout } = await deployctl(...AWS(), "--yes");

      expect(code).toBe(1);
      expect(stdout).toContain(refused(reason));
      expect(readStack(dir, "prod")).toBe(prodBefore);
      expect([await prodTags("api"), await prodTags("web")]).toEqual([[], []]);
    });

    it("was validated longer ago than --max-age (the clock is set)", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(new Date("2024-05-09T10:00:00.000Z"));
      await world.release("api", NEW_TAG, "2024-05-01T10:00:00.000Z");
      await world.release("web", NEW_TAG, "2024-05-08T10:00:00.000Z");

      const { code, stdout } = await deployctl(...AWS(), "--yes", "--max-age", "7");

      expect(code).toBe(1);
      expect(stdout).toContain(
        refused(
          "its last good release sha-new1111 was validated at 2024-05-01T10:00:00.000Z, 8.0 days ago, older than --max-age 7 days: validate it again in staging (deployctl validate --stack staging) or raise --max-age",
        ),
      );
      expect(readStack(dir, "prod")).toBe(prodBefore);
    });

    it("cannot have its image copied into prod's repository, and removes the copies already made", async () => {
      await world.release("api");
      await world.release("web");
      const ecr = mockClient(ECRClient);
      try {
        ecr.on(DescribeImagesCommand).callsFake(async (input: { repositoryName: string }) => {
          if (input.repositoryName.startsWith("prod/")) throw new ImageNotFoundException({ message: "not found", $metadata: {} });
          return { imageDetails: [{ imageDigest: "sha256:1111", imageTags: [NEW_TAG] }] };
        });
        ecr.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: imageManifest("api") }] });
        ecr
          .on(PutImageCommand, { repositoryName: "prod/delivery/web" })
          .rejects(new LayersNotFoundException({ message: "The layers are not in the repository", $metadata: {} }));
        ecr.on(BatchDeleteImageCommand).resolves({});

        const { code, stdout } = await deployctl(...AWS(), "--yes");

        expect(code).toBe(1);
        expect(stdout).toContain(
          "Refused: 1 of 2 service(s) cannot be promoted; nothing was changed.\n  - web: cannot copy image sha-new1111 from staging/delivery/web to prod/delivery/web: " +
            "LayersNotFoundException: The layers are not in the repository; copy it with a registry tool that copies layers (crane copy, or docker pull, tag and push) or set up ECR replication, then promote again\n",
        );
        expect(ecr.commandCalls(BatchDeleteImageCommand).map((c) => c.args[0].input)).toEqual([
          { repositoryName: "prod/delivery/api", imageIds: [{ imageTag: NEW_TAG }] },
        ]);
        expect(readStack(dir, "prod")).toBe(prodBefore);
      } finally {
        ecr.restore();
      }
    });
  });

  it("exits 5 with the holder when another run holds prod's lock, and changes nothing", async () => {
    await world.release("api");
    await world.release("web");
    await world.clients.dynamodb.send(
      new PutItemCommand({
        TableName: LOCK_TABLE,
        Item: {
          [LOCK_TABLE_KEY]: { S: "prod" },
          who: { S: "ana@laptop" },
          what: { S: "deploy sha-old0000" },
          since: { S: "2030-01-01T10:00:00.000Z" },
          expires: { S: "2999-01-01T00:00:00.000Z" },
          expiresEpoch: { N: "32472144000" },
          ownerToken: { S: "t" },
        },
      }),
    );

    const { code, stderr } = await deployctl(...AWS(), "--yes");

    expect(code).toBe(5);
    expect(stderr).toContain("deployctl: stack prod is locked by ana@laptop (deploy sha-old0000) since 2030-01-01T10:00:00.000Z\n");
    expect(readStack(dir, "prod")).toBe(prodBefore);
    expect(await prodTags("api")).toEqual([]);
  });

  it("exits 2 naming --yes when it cannot ask (stdin is not a terminal), and changes nothing", async () => {
    await world.release("api");
    await world.release("web");
    const tty = Object.getOwnPropertyDescriptor(process.stdin, "isTTY");
    Object.defineProperty(process.stdin, "isTTY", { value: false, configurable: true });
    try {
      const { code, stderr } = await deployctl(...AWS());

      expect(code).toBe(2);
      expect(stderr).toContain(
        "deployctl: promote changes Pulumi.prod.yaml: pass --yes to confirm (stdin is not a terminal, so deployctl cannot ask).\n",
      );
      expect(readStack(dir, "prod")).toBe(prodBefore);
      expect(await prodTags("api")).toEqual([]);
    } finally {
      if (tty) Object.defineProperty(process.stdin, "isTTY", tty);
      else delete (process.stdin as { isTTY?: boolean }).isTTY;
    }
  });

  describe("asks before writing (without --yes, on a terminal)", () => {
    const flags = (): PromoteFlags => ({
      from: "staging",
      to: "prod",
      yes: false,
      maxAge: 7,
      dir: ".",
      fromManifest: world.fromManifest,
      toManifest: world.toManifest,
      lockTimeout: 0,
      output: "text",
      endpointUrl: moto.endpoint,
      maxAttempts: 1,
      timeout: 5000,
    });
    async function answering(answer: boolean) {
      await world.release("api");
      await world.release("web");
      const questions: string[] = [];
      const io = captureIO(ENV, dir);
      const code = await runPromoteCommand(
        flags(),
        { io, setExitCode: () => {} },
        { ...defaultReleaseDeps, confirm: async (q) => (questions.push(q), answer) },
      );
      return { code, questions, stdout: io.out() };
    }

    it("writes nothing and exits 1 when the answer is no", async () => {
      const { code, questions, stdout } = await answering(false);

      expect(code).toBe(1);
      expect(questions).toEqual(["Write api sha-3f9c2a1 -> sha-new1111, web sha-3f9c2a1 -> sha-new1111 into Pulumi.prod.yaml?"]);
      expect(stdout).toContain("Cancelled: nothing was changed.\n");
      expect(readStack(dir, "prod")).toBe(prodBefore);
    });

    it("promotes when the answer is yes", async () => {
      const { code } = await answering(true);

      expect(code).toBe(0);
      expect(readStack(dir, "prod")).toBe(prodBefore.replace(/tag: sha-3f9c2a1/g, `tag: ${NEW_TAG}`));
    });
  });

  it("prints one JSON document with the services, the written changes and the drift", async () => {
    await world.release("api");
    await world.release("web");
    const digest = (await world.clients.ecr.send(new DescribeImagesCommand({ repositoryName: "staging/delivery/api" }))).imageDetails?.[0]
      ?.imageDigest;

    const { code, stdout } = await deployctl(...AWS(), "--yes", "--service", "api", "--output", "json");

    const doc = JSON.parse(stdout) as Record<string, unknown> & { services: unknown[]; drift: { items: unknown[]; explained: unknown[] } };
    expect(code).toBe(0);
    expect(Object.keys(doc)).toEqual([
      "schemaVersion",
      "from",
      "to",
      "stackFile",
      "outcome",
      "exitCode",
      "maxAgeDays",
      "stabilisation",
      "services",
      "changes",
      "drift",
    ]);
    expect({ ...doc, services: undefined, drift: undefined }).toEqual({
      schemaVersion: 1,
      from: "staging",
      to: "prod",
      stackFile: "Pulumi.prod.yaml",
      outcome: "promoted",
      exitCode: 0,
      maxAgeDays: 7,
      stabilisation: { minAgeSeconds: 86_400, source: "the default for a prod stack" },
      services: undefined,
      changes: [{ service: "api", path: "delivery:services[0].image.tag", from: "sha-3f9c2a1", to: NEW_TAG, changed: true }],
      drift: undefined,
    });
    expect(doc.services).toEqual([
      {
        name: "api",
        tagBefore: "sha-3f9c2a1",
        tagAfter: NEW_TAG,
        status: "promote",
        reasons: [],
        release: {
          imageTag: NEW_TAG,
          taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/delivery-staging-api:7",
          validatedAt: expect.any(String),
          runId: "20240501T100000Z-api0000",
          who: "ci",
        },
        image: { source: "staging/delivery/api", target: "prod/delivery/api", tag: NEW_TAG, digest, action: "copied" },
      },
    ]);
    expect(doc.drift.items).toContainEqual({
      kind: "differs",
      type: "aws:ecs/taskDefinition:TaskDefinition",
      name: "delivery-{stack}-api-task",
      inputs: [
        { path: "containerDefinitions[0].environment.LOG_LEVEL", from: "info", to: "warn" },
        { path: "containerDefinitions[0].readonlyRootFilesystem", from: false, to: true },
      ],
    });
  });

  it("prints markdown for the pull request body", async () => {
    await world.release("api");
    await world.release("web");

    const { stdout } = await deployctl(...AWS(), "--yes", "--output", "markdown");

    expect(stdout.split("\n").slice(0, 5)).toEqual([
      "### ✅ Promote `staging` to `prod`: **promoted** (exit 0)",
      "",
      "| Service | Before | After | Validated | By | Run | Status |",
      "|---|---|---|---|---|---|---|",
      expect.stringMatching(
        /^\| api \| `sha-3f9c2a1` \| `sha-new1111` \| .+ \| ci \| 20240501T100000Z-api0000 \| promote \(copied image into prod\/delivery\/api\) \|$/,
      ),
    ]);
  });

  it("exits 2 on an ECS source and a Kubernetes target, naming both runtimes, and changes nothing", async () => {
    const file = join(dir, "to-kubernetes.json");
    writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 1,
        runtime: "kubernetes",
        project: "delivery",
        stack: "prod",
        kubernetes: { namespace: "delivery-prod" },
        prometheus: { url: "http://prometheus:9090", traffic: "istio" },
        thresholds: {
          errorRateWarningPercent: 1,
          errorRateCriticalPercent: 5,
          minRequests: 50,
          p95LatencyMs: 500,
          p99LatencyMs: 1000,
          windowSeconds: 300,
        },
        services: [],
      }),
    );

    const { code, stderr } = await deployctl(
      "--from-manifest",
      world.fromManifest,
      "--to-manifest",
      file,
      "--endpoint-url",
      moto.endpoint,
      "--yes",
    );

    expect(code).toBe(2);
    expect(stderr).toBe(
      "deployctl: --from stack staging runs on ecs and --to stack prod on kubernetes; promote moves releases between stacks on the same runtime (ecs to ecs, kubernetes to kubernetes).\n",
    );
    expect(readStack(dir, "prod")).toBe(prodBefore);
  });

  it.each<[string[], (dir: string) => string]>([
    [["--to", "staging"], () => 'deployctl: --from and --to are both "staging"; promote moves releases from one stack to another.\n'],
    [["--service", "worker"], () => 'deployctl: --service is "worker"; Pulumi.prod.yaml lists api, web.\n'],
    [["--to", "qa"], (d) => `deployctl: --to is "qa"; there is no Pulumi.qa.yaml in ${d} (stacks: local, dev, staging, prod).\n`],
    [
      ["--max-age", "0"],
      () =>
        "deployctl: option '--max-age <duration>' argument '0' is invalid. --max-age is \"0\"; expected a duration such as 7d, 48h or 30d (a bare number is days), from 1d to 365d.\n",
    ],
  ])("exits 2 on bad input %j, naming the flag, the value and what is allowed", async (args, message) => {
    const { code, stderr } = await deployctl(...AWS(), "--yes", ...args);

    expect(code).toBe(2);
    expect(stderr).toContain(message(dir));
    expect(readStack(dir, "prod")).toBe(prodBefore);
  });

  describe("--dry-run", () => {
    const holdProdLock = () =>
      world.clients.dynamodb.send(
        new PutItemCommand({
          TableName: LOCK_TABLE,
          Item: {
            [LOCK_TABLE_KEY]: { S: "prod" },
            who: { S: "ana@laptop" },
            what: { S: "deploy sha-old0000" },
            since: { S: "2030-01-01T10:00:00.000Z" },
            expires: { S: "2999-01-01T00:00:00.000Z" },
            expiresEpoch: { N: "32472144000" },
            ownerToken: { S: "t" },
          },
        }),
      );

    it("shows the plan, the tag changes and the image copies between dry run lines, without asking, and changes nothing", async () => {
      await world.release("api");
      await world.release("web");
      const questions: string[] = [];
      const io = captureIO(ENV, dir);
      const flags: PromoteFlags = {
        from: "staging",
        to: "prod",
        yes: false,
        dryRun: true,
        maxAge: 7,
        dir: ".",
        fromManifest: world.fromManifest,
        toManifest: world.toManifest,
        lockTimeout: 0,
        output: "text",
        endpointUrl: moto.endpoint,
        maxAttempts: 1,
        timeout: 5000,
      };

      const code = await runPromoteCommand(
        flags,
        { io, setExitCode: () => {} },
        { ...defaultReleaseDeps, confirm: async (q) => (questions.push(q), true) },
      );

      expect(code).toBe(0);
      expect(questions).toEqual([]);
      const lines = io.out().trimEnd().split("\n");
      expect(lines[0]).toBe("dry run: promote plans and shows; it writes, copies and locks nothing");
      expect(lines[1]).toBe("Promote staging -> prod (Pulumi.prod.yaml; last good releases at most 7 days old)");
      expect(lines.slice(lines.indexOf("Would promote 2 service(s) from staging to prod; Pulumi.prod.yaml would change:"))).toEqual([
        "Would promote 2 service(s) from staging to prod; Pulumi.prod.yaml would change:",
        "- delivery:services[0].image.tag: sha-3f9c2a1 (api)",
        "+ delivery:services[0].image.tag: sha-new1111 (api)",
        "- delivery:services[1].image.tag: sha-3f9c2a1 (web)",
        "+ delivery:services[1].image.tag: sha-new1111 (web)",
        "  would copy image sha-new1111 from staging/delivery/api into prod/delivery/api",
        "  would copy image sha-new1111 from staging/delivery/web into prod/delivery/web",
        "dry run: nothing was written, no image was copied, no lock was taken",
      ]);
      expect(readStack(dir, "prod")).toBe(prodBefore);
      expect([await prodTags("api"), await prodTags("web")]).toEqual([[], []]);
      expect(
        (await world.clients.dynamodb.send(new GetItemCommand({ TableName: LOCK_TABLE, Key: { [LOCK_TABLE_KEY]: { S: "prod" } } }))).Item,
      ).toBeUndefined();
    });

    it("takes no lock: another run holding prod's does not stop it", async () => {
      await world.release("api");
      await world.release("web");
      await holdProdLock();

      const { code, stdout } = await deployctl(...AWS(), "--dry-run");

      expect(code).toBe(0);
      expect(stdout).toContain("Would promote 2 service(s)");
      expect(readStack(dir, "prod")).toBe(prodBefore);
    });

    it("prints JSON with dryRun: true, outcome would-promote and the changes it would write", async () => {
      await world.release("api");
      await world.release("web");

      const { code, stdout } = await deployctl(...AWS(), "--dry-run", "--output", "json", "--service", "web");

      expect(code).toBe(0);
      const doc = JSON.parse(stdout) as { dryRun: boolean; outcome: string; exitCode: number; changes: unknown[] };
      expect([doc.dryRun, doc.outcome, doc.exitCode, doc.changes]).toEqual([
        true,
        "would-promote",
        0,
        [{ service: "web", path: "delivery:services[1].image.tag", from: "sha-3f9c2a1", to: "sha-new1111", changed: true }],
      ]);
      expect(readStack(dir, "prod")).toBe(prodBefore);
      expect(await prodTags("web")).toEqual([]);
    });

    it("still refuses (exit 1) what the real run would refuse, and says it is a dry run in markdown", async () => {
      await world.release("web");

      const { code, stdout } = await deployctl(...AWS(), "--dry-run", "--output", "markdown");

      expect(code).toBe(1);
      expect(stdout.startsWith("_dry run: promote plans and shows; it writes, copies and locks nothing_\n")).toBe(true);
      expect(stdout).toContain("**refused** (exit 1)");
      expect(stdout.trimEnd().endsWith("_dry run: nothing was written, no image was copied, no lock was taken_")).toBe(true);
    });
  });
});
