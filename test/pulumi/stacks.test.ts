import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { afterEach, describe, expect, it } from "vitest";
import { PulumiCliMissingError, pulumiCliMissingMessage } from "../../validators/providers/pulumi/errors";
import { automationStacks, pulumiEnvironment } from "../../validators/providers/pulumi/stacks";

describe("the Pulumi CLI's environment for stack operations", () => {
  it("runs as the deploy role's profile when the pipeline names one", () => {
    expect(pulumiEnvironment({ DELIVERY_STACK_UPDATE_PROFILE: "delivery-deploy" })).toEqual({
      AWS_PROFILE: "delivery-deploy",
      AWS_SDK_LOAD_CONFIG: "1",
    });
  });

  it("adds nothing otherwise", () => {
    expect(pulumiEnvironment({})).toEqual({});
  });
});

describe("setting image tags through the Automation API", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A stand-in `pulumi` that logs each command line it is given, one per line. */
  async function fakePulumi(): Promise<{ command: PulumiCommand; calls: () => string[]; workDir: string }> {
    const root = mkdtempSync(join(tmpdir(), "fake-pulumi-"));
    dirs.push(root);
    const log = join(root, "calls.log");
    mkdirSync(join(root, "bin"));
    const script = join(root, "bin", "pulumi");
    writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nif [ "$1" = version ]; then echo v3.200.0; fi\nexit 0\n`);
    chmodSync(script, 0o755);
    writeFileSync(log, "");
    const command = await PulumiCommand.get({ root, skipVersionCheck: true });
    return {
      command,
      calls: () =>
        readFileSync(log, "utf8")
          .split("\n")
          .filter((l) => l !== ""),
      workDir: root,
    };
  }

  it("stores a tag that looks like a number as a string (pulumi config set --path would write the number 1234)", async () => {
    const { command, calls, workDir } = await fakePulumi();
    const stacks = automationStacks(workDir, {}, { pulumiCommand: command });

    await stacks.setConfig("staging", [{ path: "delivery:services[0].image.tag", value: "1234" }]);

    expect(calls().filter((c) => c.startsWith("config set"))).toEqual([
      "config set --path --type string delivery:services[0].image.tag --stack staging --plaintext --non-interactive -- 1234",
    ]);
  });
});

describe("a machine without a Pulumi CLI", () => {
  /** Every stack operation, with what it needed the CLI for. */
  const ops = (stacks: ReturnType<typeof automationStacks>) =>
    [
      [() => stacks.getOutput("local", "deployment"), "read"],
      [() => stacks.getConfig("local", "delivery:services"), "read"],
      [() => stacks.setConfig("local", [{ path: "delivery:services[0].image.tag", value: "v1" }]), "update"],
      [() => stacks.up("local"), "update"],
      [() => stacks.ready?.("update") ?? Promise.resolve(), "update"],
    ] as const;

  it.each([
    [
      "the npm downloader failing offline",
      "#!/bin/sh\necho 'Downloading pulumi v3.265.0...' >&2\necho 'pulumi: fetch failed' >&2\nexit 1\n",
      "the `pulumi` first on the PATH is the npm package's downloader (node_modules/.bin/pulumi under npx and npm scripts), and it could not download Pulumi v3.265.0 (fetch failed)",
    ],
    [
      "a CLI that fails otherwise",
      "#!/bin/sh\necho 'error: something odd' >&2\nexit 3\n",
      "`pulumi version` failed (error: something odd)",
    ],
    ["no pulumi on the PATH", undefined, "no `pulumi` executable on the PATH"],
  ])(
    "%s: every stack operation throws PulumiCliMissingError with the ways out (getConfig too, never undefined)",
    async (_, script, problem) => {
      const bin = mkdtempSync(join(tmpdir(), "npm-pulumi-"));
      if (script) {
        writeFileSync(join(bin, "pulumi"), script);
        chmodSync(join(bin, "pulumi"), 0o755);
      }
      const stacks = automationStacks(mkdtempSync(join(tmpdir(), "no-pulumi-")), { PATH: bin });

      for (const [call, use] of ops(stacks)) {
        const err: unknown = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PulumiCliMissingError);
        expect((err as Error).message).toBe(pulumiCliMissingMessage(problem, use));
      }
      rmSync(bin, { recursive: true, force: true });
    },
  );
});
