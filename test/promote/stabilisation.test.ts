import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../validators/cli/main";
import { captureIO } from "../release/cliWorld";
import { report, runRecord } from "../release/support";
import { useMoto } from "../support/moto";
import { copyProject, readStack } from "./project";
import { NEW_TAG, type PromoteWorld, promoteWorld } from "./world";

// A temporary copy of the project (its stack files); staging's last good releases in moto's SSM,
// its run records in moto's S3; the clock is set so ages are exact.
let dir: string;
let world: PromoteWorld;
let prodBefore: string;
const NOW = "2024-05-09T10:00:00.000Z";

const moto = useMoto();
beforeEach(async () => {
  dir = copyProject("promote-window-");
  world = await promoteWorld(moto.endpoint, dir);
  prodBefore = readStack(dir, "prod");
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(NOW));
  return () => rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

const ENV = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", DELIVERY_ACTOR: "release-bot" };
async function promote(to: string, ...args: string[]) {
  const io = captureIO(ENV, dir);
  const code = await main(
    [
      "node",
      "deployctl",
      "promote",
      "--from",
      "staging",
      "--to",
      to,
      "--from-manifest",
      world.fromManifest,
      "--to-manifest",
      world.toManifest,
      "--endpoint-url",
      moto.endpoint,
      "--yes",
      ...args,
    ],
    io,
  );
  return { code, stdout: io.out(), stderr: io.err() };
}
const refused = (reason: string) => `Refused: 1 of 2 service(s) cannot be promoted; nothing was changed.\n  - api: ${reason}\n`;

describe("promote's stabilisation window", () => {
  it("refuses a release last good in staging for less than prod's default 24h, naming its age and what is missing", async () => {
    await world.release("api", NEW_TAG, "2024-05-09T06:30:00.000Z");
    await world.release("web", NEW_TAG, "2024-05-08T09:00:00.000Z");

    const { code, stdout } = await promote("prod");

    expect(code).toBe(1);
    expect(stdout).toContain(
      refused(
        'its last good release sha-new1111 has been last good in staging for 3h30m (since 2024-05-09T06:30:00.000Z), less than the stabilisation window 1d (the default for a prod stack): 20h30m missing; promote later, or override with --min-age 0s --reason "..."',
      ),
    );
    expect(readStack(dir, "prod")).toBe(prodBefore);
  });

  it("takes the window from the target's delivery:promotion.minAge", async () => {
    const file = join(dir, "Pulumi.prod.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("  delivery:tier: prod\n", "  delivery:tier: prod\n  delivery:promotion:\n    minAge: 2h\n"),
    );
    await world.release("api", NEW_TAG, "2024-05-09T08:30:00.000Z");
    await world.release("web", NEW_TAG, "2024-05-09T07:00:00.000Z");

    const { code, stdout } = await promote("prod");

    expect(code).toBe(1);
    expect(stdout).toContain(
      refused(
        'its last good release sha-new1111 has been last good in staging for 1h30m (since 2024-05-09T08:30:00.000Z), less than the stabilisation window 2h (delivery:promotion.minAge in Pulumi.prod.yaml): 30m missing; promote later, or override with --min-age 0s --reason "..."',
      ),
    );
  });

  it("refuses a release with an inconclusive validation recorded in staging since it became last good", async () => {
    await world.release("api", NEW_TAG, "2024-05-07T10:00:00.000Z");
    await world.release("web", NEW_TAG, "2024-05-07T10:00:00.000Z");
    await world.records.put(
      runRecord({
        runId: "20240508T100000Z-incon000",
        command: "validate",
        who: "ci",
        startedAt: "2024-05-08T10:00:00.000Z",
        outcome: "inconclusive",
        verdict: "inconclusive",
        validations: [{ ...report({ api: "inconclusive" }), finishedAt: "2024-05-08T10:05:00.000Z" }],
      }),
    );
    await world.records.put(
      runRecord({
        runId: "20240508T120000Z-passed00",
        command: "validate",
        who: "ci",
        startedAt: "2024-05-08T12:00:00.000Z",
        outcome: "released",
        verdict: "pass",
        validations: [{ ...report({ api: "pass" }), finishedAt: "2024-05-08T12:05:00.000Z" }],
      }),
    );

    const { code, stdout } = await promote("prod");

    expect(code).toBe(1);
    expect(stdout).toContain(
      refused(
        "an inconclusive validation of it is recorded in staging since it became last good: run 20240508T100000Z-incon000 (validate by ci at 2024-05-08T10:00:00.000Z); validate it again in staging until it passes",
      ),
    );
  });

  it("--min-age 0s --reason overrides the window, and the reason goes into the pull-request body", async () => {
    await world.release("api", NEW_TAG, "2024-05-09T09:00:00.000Z");
    await world.release("web", NEW_TAG, "2024-05-09T09:00:00.000Z");

    const { code, stdout } = await promote("prod", "--min-age", "0s", "--reason", "hotfix for INC-42", "--output", "markdown");

    expect(code).toBe(0);
    expect(stdout).toContain("**Stabilisation window overridden** (--min-age 0s): hotfix for INC-42");
    expect(readStack(dir, "prod")).toBe(prodBefore.replace(/tag: sha-3f9c2a1/g, `tag: ${NEW_TAG}`));
  });

  it("refuses --min-age without --reason (exit 2), changing nothing", async () => {
    await world.release("api");
    await world.release("web");

    const { code, stderr } = await promote("prod", "--min-age", "0s");

    expect([code, stderr]).toEqual([2, 'deployctl: --min-age is 0s; an override of the stabilisation window needs --reason "why".\n']);
    expect(readStack(dir, "prod")).toBe(prodBefore);
  });
});
