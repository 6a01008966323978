import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, freshEntry } from "../../bin/compiled";
import { testManifest } from "../validator/support/manifest";
import { copyProject } from "../promote/project";

const ROOT = join(__dirname, "..", "..");
const RECORDER = join(ROOT, "scripts", "record-modules.cjs");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Every module the process loaded, relative to the project (`node_modules/...`, `validators/...`). */
  modules: string[];
}

/** Runs `node bin/deployctl.js ...args` (from the sources unless `compiled`) and records what it loaded. */
function deployctl(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; entry?: string } = {}): Run {
  const out = join(mkdtempSync(join(tmpdir(), "startup-modules-")), "modules.json");
  const script = options.entry ?? join(ROOT, "bin", "deployctl.js");
  const argv = options.entry
    ? ["-e", `require(${JSON.stringify(script)}).main(process.argv).then((c) => (process.exitCode = c))`, "--", "deployctl"]
    : [script];
  const child = spawnSync(process.execPath, ["--require", RECORDER, ...argv, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, DEPLOYCTL_FROM_SOURCE: "1", DEPLOYCTL_MODULES_OUT: out, ...options.env },
    encoding: "utf8",
    timeout: 60_000,
  });
  const modules = (JSON.parse(readFileSync(out, "utf8")) as string[]).map((m) => relative(ROOT, m));
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, modules };
}

const HEAVY = ["node_modules/@pulumi/", "node_modules/@aws-sdk/", "node_modules/zod/", "node_modules/yaml/", "infra/", "policy/"];
const heavy = (modules: string[]) => modules.filter((m) => HEAVY.some((h) => m.startsWith(h)));

const HELP_RUNS: string[][] = [
  ["--version"],
  ["--help"],
  ["synth", "--help"],
  ["analyze", "--help"],
  ["config", "set-tag", "--help"],
  ["config", "set-env", "--help"],
  ["pipeline", "status", "--help"],
  ["validate", "--help"],
  ["gate", "--help"],
  ["deploy", "--help"],
  ["rollback", "--help"],
  ["history", "--help"],
  ["promote", "--help"],
];

describe("deployctl start-up: a command loads only what it uses", () => {
  it.each(HELP_RUNS.map((args) => [args.join(" "), args] as const))(
    "`deployctl %s` loads only option definitions: no Pulumi, AWS SDK, zod, yaml, infra or policy",
    (_, args) => {
      const run = deployctl(args);

      expect(run.status).toBe(0);
      expect(heavy(run.modules)).toEqual([]);
      expect(run.modules.length).toBeLessThan(80);
    },
  );

  it("`deployctl validate` judges a release without loading any @pulumi/ module", () => {
    const cwd = mkdtempSync(join(tmpdir(), "startup-validate-"));
    writeFileSync(join(cwd, "deployment.json"), JSON.stringify(testManifest()));

    const run = deployctl(
      ["validate", "--manifest", "deployment.json", "--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1", "--no-smoke"],
      {
        cwd,
        env: { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      },
    );

    // AWS is unreachable (port 9): exit 4 after validate's implementation ran (so the recorder saw it load).
    expect(run.status).toBe(4);
    expect(run.stderr).toContain("AWS unreachable");
    expect(run.modules).toContain("validators/validate/run.ts");
    expect(run.modules.filter((m) => m.includes("node_modules/@pulumi/"))).toEqual([]);
  });
});

describe("deployctl promote loads the Pulumi program only for its drift view", () => {
  it("reads both stacks' config, the last good releases and the lock without loading any @pulumi/ module", () => {
    const dir = copyProject("startup-promote-");
    const staging = { ...testManifest(), stack: "staging" };
    writeFileSync(join(dir, "from.json"), JSON.stringify(staging));
    writeFileSync(join(dir, "to.json"), JSON.stringify({ ...staging, stack: "prod" }));

    const run = deployctl(
      ["promote", "--from", "staging", "--to", "prod", "--from-manifest", "from.json", "--to-manifest", "to.json", "--yes"].concat([
        "--dir",
        dir,
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--max-attempts",
        "1",
      ]),
      {
        cwd: dir,
        env: { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      },
    );

    // AWS is unreachable (port 9): the lock or the last good releases fail (exit 4) before the drift view renders.
    expect([run.status, run.stderr]).toEqual([4, expect.stringContaining("127.0.0.1:9")]);
    expect(run.modules).toEqual(expect.arrayContaining(["validators/workflows/promote.ts", "validators/promote/plan.ts"]));
    expect(run.modules.filter((m) => m.includes("node_modules/@pulumi/"))).toEqual([]);
  });
});

describe("deployctl promote between Kubernetes stacks loads the Pulumi program only for its drift view", () => {
  it("reads the source's ConfigMap and takes the target's Lease without loading any @pulumi/ module", () => {
    const dir = copyProject("startup-promote-k8s-");
    const manifest = (stack: string) => ({
      schemaVersion: 1,
      runtime: "kubernetes",
      project: "delivery",
      stack,
      kubernetes: { namespace: `delivery-${stack}`, context: "down" },
      prometheus: { url: "http://127.0.0.1:9", traffic: "istio" },
      thresholds: testManifest().thresholds,
      services: [],
    });
    writeFileSync(join(dir, "from.json"), JSON.stringify(manifest("staging")));
    writeFileSync(join(dir, "to.json"), JSON.stringify(manifest("prod")));
    const kubeconfig = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "down", cluster: { server: "http://127.0.0.1:9", "insecure-skip-tls-verify": true } }],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [{ name: "down", context: { cluster: "down", user: "u" } }],
      "current-context": "down",
    };
    writeFileSync(join(dir, "kubeconfig"), JSON.stringify(kubeconfig));

    const run = deployctl(
      ["promote", "--from", "staging", "--to", "prod", "--from-manifest", "from.json", "--to-manifest", "to.json", "--yes", "--dir", dir],
      { cwd: dir, env: { KUBECONFIG: join(dir, "kubeconfig") } },
    );

    // The API is unreachable (port 9): the Lease fails (exit 4) before the drift view renders.
    expect([run.status, run.stderr]).toEqual([4, expect.stringContaining("Kubernetes API at http://127.0.0.1:9")]);
    expect(run.modules).toEqual(expect.arrayContaining(["validators/workflows/promote.ts", "validators/release/configMapRegistry.ts"]));
    expect(run.modules.filter((m) => m.includes("node_modules/@pulumi/"))).toEqual([]);
  });
});

describe("the compiled build (bin/compiled.js)", () => {
  let outDir: string;
  let entry: string | undefined;
  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), "startup-build-"));
    // build/ sits in the project, next to node_modules; a build elsewhere needs a way to it.
    symlinkSync(join(ROOT, "node_modules"), join(outDir, "node_modules"), "dir");
    build(ROOT, outDir);
    entry = freshEntry(ROOT, outDir);
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it("is fresh right after it is built", () => {
    expect(entry).toBe(join(outDir, "validators", "cli", "main.js"));
  });

  it.each([["--version"], ["--help"], ["validate", "--help"], ["synth", "--help"]])(
    "prints what the sources print for `deployctl %s`, loading no TypeScript source",
    (...args) => {
      const compiled = deployctl(args, { entry });
      const source = deployctl(args);

      expect(compiled.status).toBe(0);
      expect(compiled.stdout).toBe(source.stdout);
      expect(compiled.modules.filter((m) => m.endsWith(".ts"))).toEqual([]);
    },
  );

  it("renders a stack as the sources do (files read next to the sources, such as the canary hook, are found)", () => {
    const [fromBuild, fromSource] = [mkdtempSync(join(tmpdir(), "synth-b-")), mkdtempSync(join(tmpdir(), "synth-s-"))];

    const compiled = deployctl(["synth", "--stack", "prod", "--out", fromBuild], { entry });
    const source = deployctl(["synth", "--stack", "prod", "--out", fromSource]);

    expect([compiled.status, source.status]).toEqual([0, 0]);
    expect(compiled.modules.some((m) => m.startsWith("node_modules/@pulumi/"))).toBe(true);
    expect(readFileSync(join(fromBuild, "prod.json"), "utf8")).toBe(readFileSync(join(fromSource, "prod.json"), "utf8"));
  });

  it("prints the package version", () => {
    expect(deployctl(["--version"], { entry }).stdout.trim()).toBe(VERSION);
  });
});

describe("freshEntry: a stale build never runs", () => {
  let root: string;
  const source = () => join(root, "validators", "cli", "main.ts");
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "startup-fresh-"));
    mkdirSync(join(root, "validators", "cli"), { recursive: true });
    for (const file of ["package.json", "tsconfig.json"]) copyFileSync(join(ROOT, file), join(root, file));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const buildWith = (text: string) => {
    writeFileSync(source(), text);
    build(root);
  };

  it("is undefined without a build", () => {
    expect(freshEntry(root, join(root, "nowhere"))).toBeUndefined();
  });

  it("is undefined once a source's content changes", () => {
    buildWith("export const a = 1;\n");
    writeFileSync(source(), "export const a = 2;\n");

    expect(freshEntry(root)).toBeUndefined();
  });

  it("stays fresh when a source is touched but its content is the same", () => {
    buildWith("export const a = 1;\n");
    utimesSync(source(), new Date(), new Date(Date.now() + 60_000));

    expect(freshEntry(root)).toBe(join(root, "build", "validators", "cli", "main.js"));
  });

  it("is undefined once a source is deleted", () => {
    buildWith("export const a = 1;\n");
    writeFileSync(join(root, "validators", "extra.ts"), "export {};\n");
    build(root);
    rmSync(join(root, "validators", "extra.ts"));

    expect(freshEntry(root)).toBeUndefined();
  });

  it("refuses to build a source that imports a file the build would not hold", () => {
    expect(() => buildWith('import { x } from "../../scripts/x";\nexport const a = x;\n')).toThrow(
      "validators/cli/main.ts imports ../../scripts/x (scripts/x), outside validators, contract, infra, policy",
    );
  });

  it("is undefined when package.json changes (the version --version prints)", () => {
    buildWith("export const a = 1;\n");
    const pkg = readFileSync(join(root, "package.json"), "utf8");
    writeFileSync(join(root, "package.json"), pkg.replace(/"version": "[^"]+"/, '"version": "9.9.9"'));

    expect(freshEntry(root)).toBeUndefined();
    writeFileSync(join(root, "package.json"), pkg);
  });
});
