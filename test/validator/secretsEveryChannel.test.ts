import { createServer, type Server } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../validators/cli/main";
import { clientConfig } from "../../validators/providers/aws/clients";
import { captureIO } from "./support/io";
import { testManifest } from "./support/manifest";
import { MotoWorld, useMotoWorld } from "./support/motoWorld";
import { MOTO_CREDENTIALS } from "../support/moto";
import { topicWithQueue } from "../support/snsQueue";

/**
 * Known secrets (the Slack webhook URL read from SSM with a trailing newline, its path and parts, the
 * PagerDuty routing key) in application log lines never reach any output channel of validate:
 * stdout (text, json, markdown), stderr, the run record, the alert state, the SNS message, the
 * Slack and PagerDuty bodies. Against moto (Logs, SSM, SNS -> SQS) and a local webhook server.
 */
let world: MotoWorld;
let endpoint: string;
useMotoWorld((moto, w) => {
  world = w;
  endpoint = moto.endpoint;
});

const PD_KEY = "PDKEY7f3a9c2e1b8d4f60";
const SLACK_PATH = "/services/T0SECRET1/B0SECRET2/xyzSECRETtoken42";

/** A webhook server recording every request body (Slack and PagerDuty both post here). */
let hooks: Server;
let bodies: string[];
let hooksUrl: string;
beforeEach(async () => {
  bodies = [];
  hooks = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      bodies.push(body);
      res.writeHead(req.url === SLACK_PATH ? 200 : 202, { "content-type": "application/json" }).end(req.url === SLACK_PATH ? "ok" : "{}");
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, "127.0.0.1", resolve));
  const address = hooks.address();
  hooksUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterEach(async () => new Promise<void>((resolve) => hooks.close(() => resolve())));

/** Every piece of a secret that would give it away: the whole, and each 8-character window of its distinctive parts. */
function secretPieces(): string[] {
  const parts = [PD_KEY, "T0SECRET1", "B0SECRET2", "xyzSECRETtoken42"];
  const windows = parts.flatMap((p) => Array.from({ length: p.length - 7 }, (_, i) => p.slice(i, i + 8)));
  return [...new Set([`${hooksUrl}${SLACK_PATH}`, SLACK_PATH, ...parts, ...windows])];
}

async function arrange(): Promise<{ manifestFile: string; readSns: () => Promise<string[]> }> {
  const sqs = new SQSClient(clientConfig({ region: "us-east-1", endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 }));
  const topics = {
    warning: await topicWithQueue({ sns: world.clients.sns, sqs }, "staging-warning"),
    critical: await topicWithQueue({ sns: world.clients.sns, sqs }, "staging-critical"),
  };
  // The stored values end with a newline, as `aws ssm put-parameter --value file://...` leaves them.
  await world.clients.ssm.send(
    new PutParameterCommand({ Name: "/delivery/staging/slack", Value: `${hooksUrl}${SLACK_PATH}\n`, Type: "SecureString" }),
  );
  await world.clients.ssm.send(new PutParameterCommand({ Name: "/delivery/staging/pd", Value: `${PD_KEY}\n`, Type: "SecureString" }));
  const api = await world.healthy("api");
  await world.logs(api, [
    `ERROR upstream refused routing key ${PD_KEY}`,
    `ERROR slack answered 500: bad request: ${SLACK_PATH}`,
    `ERROR retry with ${hooksUrl}${SLACK_PATH} and part xyzSECRETtoken42`,
  ]);
  const manifest = testManifest([api], {
    alerts: {
      warningTopicArn: topics.warning.arn,
      criticalTopicArn: topics.critical.arn,
      slackWebhookUrlParameter: "/delivery/staging/slack",
      pagerDutyRoutingKeyParameter: "/delivery/staging/pd",
    },
  });
  const manifestFile = join(mkdtempSync(join(tmpdir(), "secrets-")), "deployment.json");
  writeFileSync(manifestFile, JSON.stringify(manifest));
  const readSns = async () => [...(await topics.warning.bodies()), ...(await topics.critical.bodies())];
  return { manifestFile, readSns };
}

/** Every file under `dir`, as text. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [readFileSync(path, "utf8")];
  });
}

describe("known secrets in application log lines", () => {
  it.each(["text", "json", "markdown"])(
    "reach no output channel of validate (--output %s)",
    async (output) => {
      const { manifestFile, readSns } = await arrange();
      const io = captureIO({
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
        DELIVERY_PAGERDUTY_EVENTS_URL: `${hooksUrl}/v2/enqueue`,
      });

      const code = await main(
        [
          "node",
          "deployctl",
          "validate",
          "--manifest",
          manifestFile,
          "--endpoint-url",
          endpoint,
          "--no-smoke",
          "--skip",
          "latency",
          "--output",
          output,
        ],
        io,
      );

      expect(code).toBe(1);
      const sns = await readSns();
      const files = filesUnder(join(io.cwd, ".delivery"));
      // Every channel was used: the log check failed on those lines and alerted everywhere.
      expect(io.out()).toContain("***");
      expect(sns.length).toBeGreaterThan(0);
      // A first failure is a warning: Slack gets it (PagerDuty only pages critical alerts).
      expect(bodies.length).toBeGreaterThanOrEqual(1);
      expect(files.length).toBeGreaterThanOrEqual(2);
      const channels: Record<string, string> = {
        stdout: io.out(),
        stderr: io.err(),
        sns: sns.join("\n"),
        webhooks: bodies.join("\n"),
        files: files.join("\n"),
      };
      const leaks = Object.entries(channels).flatMap(([channel, text]) =>
        secretPieces()
          .filter((p) => text.includes(p))
          .map((p) => `${channel}: ${p}`),
      );
      expect(leaks).toEqual([]);
    },
    60_000,
  );
});
