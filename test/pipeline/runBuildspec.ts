import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allCommands, loadBuildspec, type BuildspecName } from "./buildspecs";

/**
 * Runs a buildspec's commands the way CodeBuild v0.2 does (one bash, phases in order, variables
 * kept, the first failing command ends the build), with stubs for the tools a test must not run:
 * npm, docker, aws and pulumi only log their arguments. `npx deployctl` runs the real CLI unless
 * the test gives canned analysis JSON; `npx deployctl validate` and `deploy` are stubs that print a
 * report and exit with the code the test gives.
 */

const DEPLOYCTL = join(__dirname, "..", "..", "bin", "deployctl.js");

export interface StubOptions {
  /** Printed by `npx deployctl analyze --output json` instead of running the analysis. */
  analysisJson?: unknown;
  /** `npx deployctl validate` prints a report and exits with this code. */
  validateExit?: number;
  /** `npx deployctl deploy` prints a report and exits with this code (default 0). */
  deployExit?: number;
  /** Printed by `pulumi stack output deployment --json`; absent: that command fails (no output yet). */
  deployment?: unknown;
  /** `docker build` exits 1. */
  dockerBuildFails?: boolean;
  /** Image tags `aws ecr describe-images` finds in the repository; any other is not found (exit 254, as the CLI does). */
  existingImageTags?: string[];
}

export interface RunResult {
  status: number;
  output: string;
  /** The exported variables' values when the run ended. */
  exported: Record<string, string>;
  /** Each stubbed tool call, `tool arg arg...`, in order. */
  calls: string[];
}

function writeStubs(dir: string, options: StubOptions): void {
  const stub = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/usr/bin/env bash\necho "${name} $*" >> "$STUB_LOG"\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  if (options.analysisJson !== undefined) writeFileSync(join(dir, "analysis.json"), JSON.stringify(options.analysisJson));
  if (options.deployment !== undefined) writeFileSync(join(dir, "deployment.json"), JSON.stringify(options.deployment));
  stub("npm", "exit 0");
  stub(
    "docker",
    `if [ "$1" = login ]; then echo "docker-login-stdin $(cat)" >> "$STUB_LOG"; fi\n${options.dockerBuildFails ? 'if [ "$1" = build ]; then exit 1; fi' : ""}\nexit 0`,
  );
  const existing = (options.existingImageTags ?? []).map((t) => `*"imageTag=${t}"*) exit 0;;`).join(" ");
  stub(
    "aws",
    [
      'if [ "$1 $2" = "ecr get-login-password" ]; then echo stub-password; fi',
      `if [ "$1 $2" = "ecr describe-images" ]; then case " $* " in ${existing} *) echo "ImageNotFoundException" >&2; exit 254;; esac; fi`,
      "exit 0",
    ].join("\n"),
  );
  stub(
    "npx",
    [
      'if [ "$1" = pulumi ]; then',
      `  if [ "$2 $3" = "stack output" ]; then ${options.deployment !== undefined ? `cat "${join(dir, "deployment.json")}"; exit 0` : 'echo "error: no output named deployment" >&2; exit 255'}; fi`,
      "  exit 0",
      "fi",
      'if [ "$1" = deployctl ] && [ "$2" = validate ]; then',
      `  echo "# Validation report"; exit ${options.validateExit ?? 0}`,
      "fi",
      'if [ "$1" = deployctl ] && [ "$2" = deploy ]; then',
      `  echo "# Deploy report"; exit ${options.deployExit ?? 0}`,
      "fi",
      options.analysisJson !== undefined
        ? `if [ "$1" = deployctl ] && [ "$2" = analyze ]; then case " $* " in *" json "*) cat "${join(dir, "analysis.json")}";; esac; exit 0; fi`
        : "",
      `if [ "$1" = deployctl ]; then shift; exec node "${DEPLOYCTL}" "$@"; fi`,
      'echo "unexpected npx $*" >&2; exit 127',
    ].join("\n"),
  );
}

export function runBuildspec(name: BuildspecName, cwd: string, env: Record<string, string>, options: StubOptions = {}): RunResult {
  const spec = loadBuildspec(name);
  const work = mkdtempSync(join(tmpdir(), `buildspec-${name}-`));
  const stubs = join(work, "bin");
  mkdirSync(stubs);
  writeStubs(stubs, options);
  const log = join(work, "calls.log");
  writeFileSync(log, "");
  const exported = spec.env?.["exported-variables"] ?? [];
  const defaults = Object.entries(spec.env?.variables ?? {}).map(([k, v]) => `export ${k}="\${${k}-${v}}"`);
  const steps = allCommands(spec).map(
    (c, i) => `${c}\n__rc=$?; if [ "$__rc" -ne 0 ]; then echo "BUILDSPEC COMMAND ${i} FAILED ($__rc)"; exit "$__rc"; fi`,
  );
  const report = `__report() { ${exported.map((v) => `echo "EXPORTED ${v}=\${${v}-}"`).join("; ") || ":"}; }\ntrap __report EXIT`;
  const script = [report, ...defaults, ...steps].join("\n");
  try {
    const res = spawnSync("bash", ["-c", script], {
      cwd,
      env: {
        PATH: `${stubs}:${process.env.PATH}`,
        HOME: work,
        STUB_LOG: log,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        ...env,
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    const output = `${res.stdout}${res.stderr}`;
    const values: Record<string, string> = {};
    for (const m of output.matchAll(/^EXPORTED ([A-Z_]+)=(.*)$/gm)) values[m[1]] = m[2];
    const calls = readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l !== "");
    return { status: res.status ?? -1, output, exported: values, calls };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
