import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../validators/cli/main";
import type { MotoServer } from "../support/moto";
import { type FaultRule, type FlakyProxy, startFlakyProxy } from "./support/flakyProxy";
import { captureIO } from "./support/io";
import { testManifest } from "./support/manifest";
import { MotoWorld, useMotoWorld } from "./support/motoWorld";

let moto: MotoServer;
let proxy: FlakyProxy | undefined;
let file: string;

let world: MotoWorld;
useMotoWorld((m, w) => {
  moto = m;
  world = w;
});
beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), "validate-retry-"));
  file = join(dir, "deployment.json");
  writeFileSync(file, JSON.stringify(testManifest([await world.healthy("api")])));
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const throttle = { status: 400, type: "ThrottlingException", message: "Rate exceeded" };
const denied = { status: 400, type: "AccessDeniedException", message: "User is not authorized to perform: ecs:DescribeServices" };
const validateThrough = async (rule: FaultRule, ...more: string[]) => {
  proxy = await startFlakyProxy(moto.endpoint, rule);
  const io = captureIO({ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" });
  const code = await main(
    ["node", "deployctl", "validate", "--manifest", file, "--endpoint-url", proxy.endpoint, "--no-smoke", "--skip", "latency", ...more],
    io,
  );
  return { code, stderr: io.err() };
};

describe("AWS retries through the SDK's standard retry mode", () => {
  it("retries a throttled call and then judges the release", async () => {
    const { code } = await validateThrough((op, n) => (op === "DescribeServices" && n === 1 ? throttle : undefined));

    expect(code).toBe(0);
    expect(proxy?.seen.get("DescribeServices")).toBe(2);
  });

  it("ends with exit 4 naming the operation when throttling outlasts the attempts", async () => {
    const { code, stderr } = await validateThrough((op) => (op === "DescribeServices" ? throttle : undefined), "--max-attempts", "2");

    expect(code).toBe(4);
    expect(stderr).toContain(
      "deployctl: ECS DescribeServices failed after 2 attempts (throttled beyond retries): ThrottlingException: Rate exceeded\n",
    );
    expect(proxy?.seen.get("DescribeServices")).toBe(2);
  });

  it("does not retry access denied, and ends with exit 4", async () => {
    const { code, stderr } = await validateThrough((op) => (op === "DescribeServices" ? denied : undefined));

    expect(code).toBe(4);
    expect(stderr).toContain(
      "deployctl: ECS DescribeServices failed (access denied): AccessDeniedException: User is not authorized to perform: ecs:DescribeServices\n",
    );
    expect(proxy?.seen.get("DescribeServices")).toBe(1);
  });
});
