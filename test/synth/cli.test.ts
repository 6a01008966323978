import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../validators/cli/main";
import type { SynthDocument } from "../../infra/synth/synth";
import { captureIO } from "../support/io";

const ROOT = join(__dirname, "..", "..");

/** A copy of the project's Pulumi files in a temporary directory, with edits to stack files. */
function project(edit: (stack: string, text: string) => string = (_s, t) => t): string {
  const dir = mkdtempSync(join(tmpdir(), "synth-project-"));
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  for (const stack of ["local", "dev", "staging", "prod"]) {
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), edit(stack, readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")));
  }
  return dir;
}

async function synth(cwd: string, ...args: string[]) {
  const io = captureIO({}, cwd);
  const code = await main(["node", "deployctl", "synth", ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe("deployctl synth", () => {
  it("renders every stack, prints one compact table per stack and a last line of totals, and writes out/synth/<stack>.json", async () => {
    const dir = project();

    const { code, stdout } = await synth(dir);

    expect(code).toBe(0);
    const docs = ["local", "dev", "staging", "prod"].map(
      (stack) => JSON.parse(readFileSync(join(dir, "out", "synth", `${stack}.json`), "utf8")) as SynthDocument,
    );
    for (const doc of docs.slice(1)) expect([doc.resources.length > 50, doc.policy.violations]).toEqual([true, []]);
    const resources = (stack: string) => docs.find((d) => d.stack === stack)?.resources.length;
    // local runs on Docker: a network and a container per service, the Docker manifest.
    expect(stdout).toBe(
      [
        "Stack local (tier local, runtime docker): 9 resources, policies: no violations",
        "  SERVICE  IMAGE                     TASKS        CPU / MEMORY   AUTOSCALING  ALARMS",
        "  api      delivery/api:sha-0000000  1 container  256 / 512 MiB  off          0",
        "  web      delivery/web:sha-0000000  1 container  256 / 512 MiB  off          0",
        `Stack dev (tier dev, us-east-1): ${resources("dev")} resources, policies: no violations`,
        "  SERVICE  IMAGE                     TASKS   CPU / MEMORY   AUTOSCALING  ALARMS",
        "  api      delivery/api:sha-3f9c2a1  1 task  256 / 512 MiB  off          10",
        "  web      delivery/web:sha-3f9c2a1  1 task  256 / 512 MiB  off          10",
        `Stack staging (tier staging, us-east-1): ${resources("staging")} resources, policies: no violations`,
        "  SERVICE  IMAGE                     TASKS    CPU / MEMORY   AUTOSCALING     ALARMS",
        "  api      delivery/api:sha-3f9c2a1  2 tasks  256 / 512 MiB  2-5 at 60% CPU  10",
        "  web      delivery/web:sha-3f9c2a1  2 tasks  256 / 512 MiB  2-5 at 60% CPU  10",
        `Stack prod (tier prod, us-east-1): ${resources("prod")} resources, policies: no violations`,
        "  SERVICE  IMAGE                     TASKS    CPU / MEMORY    AUTOSCALING      ALARMS",
        "  api      delivery/api:sha-3f9c2a1  3 tasks  512 / 1024 MiB  3-20 at 60% CPU  10",
        "  web      delivery/web:sha-3f9c2a1  3 tasks  512 / 1024 MiB  3-20 at 60% CPU  10",
        `4 stacks, ${docs.reduce((n, d) => n + d.resources.length, 0)} resources, 0 policy violations; wrote out/synth/<stack>.json`,
        "",
      ].join("\n"),
    );
    const local = docs[0];
    expect([local.summary.runtime, local.resources.filter((r) => r.type === "docker:index/container:Container").length]).toEqual([
      "docker",
      2,
    ]);
    expect((local.outputs.deployment as { runtime: string }).runtime).toBe("docker");
  });

  it("--verbose keeps the detail: resource counts per type, each alarm with its threshold, the policy verdict per stack", async () => {
    const dir = project();

    const { code, stdout } = await synth(dir, "--stack", "prod", "--verbose");

    expect(code).toBe(0);
    expect(stdout).toMatch(/^Stack prod \(tier prod, us-east-1\): \d+ resources\n {2}aws:/);
    expect(stdout).toMatch(/\n {2}aws:ecs\/service:Service +2\n/);
    expect(stdout).toContain("  service api: delivery/api:sha-3f9c2a1, 3 tasks of 512 CPU / 1024 MiB, autoscaling 3-20 at 60% CPU\n");
    expect(stdout).toContain("    alarms: cpu-high > 80% over 5m;");
    expect(stdout).toContain("; latency-p95 > 500 ms over 5m; latency-p99 > 1000 ms over 5m;");
    expect(stdout).toContain("Policies for prod: no violations\n");
    expect(stdout).not.toContain("policy violations; wrote");
  });

  it("renders the emulator example from its folder: the ECS program for the local tier, no violation", async () => {
    const dir = mkdtempSync(join(tmpdir(), "synth-emulator-"));
    for (const file of ["Pulumi.yaml", "Pulumi.local.yaml"]) copyFileSync(join(ROOT, "examples", "emulator", file), join(dir, file));

    const { code, stdout } = await synth(dir);

    expect(code).toBe(0);
    expect(stdout).toMatch(/Stack local \(tier local, us-east-1\): \d+ resources, policies: no violations\n/);
    expect(stdout).toContain("  api      delivery/api:sha-0000000  1 task  256 / 512 MiB  off");
    expect(stdout).toMatch(/\n1 stack, \d+ resources, 0 policy violations; wrote out\/synth\/<stack>\.json\n$/);
    const doc = JSON.parse(readFileSync(join(dir, "out", "synth", "local.json"), "utf8")) as SynthDocument;
    expect([doc.summary.runtime, doc.resources.filter((r) => r.type === "aws:ecs/service:Service").length]).toEqual([undefined, 2]);
  });

  it("exits 1 naming the rule when a stack breaks a mandatory policy (prod without HTTPS)", async () => {
    const dir = project((stack, text) => (stack === "prod" ? text.replace(/ {2}delivery:loadBalancer:\n(?: {4}.*\n)+/, "") : text));

    const { code, stdout, stderr } = await synth(dir, "--stack", "prod");

    expect(code).toBe(1);
    expect(stdout).toContain("[mandatory] alb-https-prod");
    expect(stderr).toContain("deployctl: stack prod has mandatory policy violations: alb-https-prod");
    const doc = JSON.parse(readFileSync(join(dir, "out", "synth", "prod.json"), "utf8")) as SynthDocument;
    expect(doc.policy.violations.map((v) => [v.policy, v.enforcementLevel])).toEqual([
      ["alb-https-prod", "mandatory"],
      ["alb-https-prod", "mandatory"],
    ]);
  });

  it("exits 2 with every config problem, naming the file and key, and no stack trace", async () => {
    const dir = project((stack, text) =>
      stack === "dev" ? text.replace("delivery:tier: dev", "delivery:tier: qa").replace("port: 8080", "port: 0") : text,
    );

    const { code, stderr } = await synth(dir, "--stack", "dev");

    expect(code).toBe(2);
    expect(stderr).toContain('Pulumi.dev.yaml: delivery:tier is "qa"; expected one of local, dev, staging, prod.');
    expect(stderr).toContain("Pulumi.dev.yaml: delivery:services[0].port is 0; must be a port from 1 to 65535.");
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, "out", "synth", "dev.json"))).toBe(false);
  });

  it("exits 2 for a stack that has no stack file", async () => {
    const { code, stderr } = await synth(project(), "--stack", "qa");
    expect(code).toBe(2);
    expect(stderr).toMatch(/--stack is "qa"; there is no Pulumi\.qa\.yaml in .* \(stacks: local, dev, staging, prod\)\./);
  });

  it("diffs against a base render: a new image tag replaces the task definition", async () => {
    const base = project();
    expect((await synth(base, "--stack", "staging")).code).toBe(0);
    const head = project((stack, text) => (stack === "staging" ? text.replace(/tag: sha-3f9c2a1/, "tag: sha-9999999") : text));

    const { code, stdout } = await synth(head, "--stack", "staging", "--diff", join(base, "out", "synth"));

    expect(code).toBe(0);
    // api's task definition and, since api has a migration, its migration task definition (same image).
    expect(stdout).toContain("### staging: 0 to add, 1 to update, 2 to replace, 0 to remove");
    expect(stdout).toContain("| +- replace (running) | `aws:ecs/taskDefinition:TaskDefinition` | `delivery-staging-api-task` | 1 |");
    expect(stdout).toContain(
      "| +- replace (running) | `aws:ecs/taskDefinition:TaskDefinition` | `delivery-staging-api-migration-task` | 1 |",
    );
    expect(stdout).toMatch(/`containerDefinitions\[0\]\.image`: `".*:sha-3f9c2a1"` → `".*:sha-9999999"`/);
    expect(readFileSync(join(head, "out", "synth", "diff-comment.md"), "utf8")).toBe(stdout);
    expect(readFileSync(join(head, "out", "synth", "diff.md"), "utf8")).toBe(stdout);
  });
});
