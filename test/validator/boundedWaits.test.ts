import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SSMClient } from "@aws-sdk/client-ssm";
import { main } from "../../validators/cli/main";
import { clientConfig } from "../../validators/providers/aws/clients";
import { ReleaseRegistryError, SsmReleaseRegistry } from "../../validators/release";
import { type HangingServer, startHangingServer } from "./support/hangingServer";
import { captureIO } from "./support/io";
import { testManifest } from "./support/manifest";

const TESTING = { accessKeyId: "testing", secretAccessKey: "testing" };
let server: HangingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const manifestFile = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "bounded-waits-"));
  const file = join(dir, "deployment.json");
  writeFileSync(file, JSON.stringify(testManifest()));
  return file;
};

const run = async (command: string, ...more: string[]) => {
  server = await startHangingServer();
  const io = captureIO({ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" });
  const started = Date.now();
  const code = await main(["node", "deployctl", command, "--manifest", manifestFile(), "--endpoint-url", server.url, ...more], io);
  return { code, stderr: io.err(), elapsedMs: Date.now() - started };
};

describe("an AWS endpoint that accepts connections and never answers", () => {
  it("ends validate with exit 4 within attempts x timeout, naming the operation", async () => {
    const { code, stderr, elapsedMs } = await run("validate", "--no-smoke", "--timeout", "500", "--max-attempts", "2");

    expect(code).toBe(4);
    expect(stderr).toContain(
      "deployctl: ECS DescribeServices timed out after 2 attempts (AWS unreachable): no answer within the request timeout\n",
    );
    // 2 attempts x 500 ms, one back-off, plus loading the command on a busy machine.
    expect(elapsedMs).toBeLessThan(10_000);
  }, 30_000);

  it("ends gate with exit 4 within attempts x timeout, naming the operation", async () => {
    const { code, stderr, elapsedMs } = await run("gate", "--timeout", "500", "--max-attempts", "2");

    expect(code).toBe(4);
    expect(stderr).toMatch(
      /deployctl: (cannot read SSM parameter \S+: )?(ECS|SSM|CloudWatch|CloudWatch Logs) [A-Za-z]+ timed out after 2 attempts \(AWS unreachable\): no answer within the request timeout\n/,
    );
    // 2 attempts x 500 ms, one back-off, plus loading the command on a busy machine.
    expect(elapsedMs).toBeLessThan(10_000);
  }, 30_000);

  it("names a last good read that timed out as every AWS call does (the gate's checks race; this one can be first)", async () => {
    server = await startHangingServer();
    const ssm = new SSMClient(
      clientConfig({ region: "eu-west-1", endpoint: server.url, maxAttempts: 2, requestTimeoutMs: 500, credentials: TESTING }),
    );

    const read = new SsmReleaseRegistry(ssm).get("staging", "api");

    await expect(read).rejects.toBeInstanceOf(ReleaseRegistryError);
    await expect(read).rejects.toThrow(
      "cannot read SSM parameter /delivery/staging/api/last-good: SSM GetParameter timed out after 2 attempts (AWS unreachable): no answer within the request timeout",
    );
  }, 30_000);
});
