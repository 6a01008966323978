import { describe, expect, it } from "vitest";
import type { DeploymentManifest } from "../../contract/manifest";
import { Progress } from "../../validators/core/progress";
import { type GateFn, planDeployRun } from "../../validators/workflows/deploy/index";
import { FakeStacks, manifest, service } from "../release/support";

const passingGate: GateFn = async (request) => ({
  verdict: "pass",
  services: request.services.map((name) => ({ name, verdict: "pass", checks: [{ name: "image", status: "pass", message: "found" }] })),
});

/** A Kubernetes stack whose `api` has a `migration` in its stack config (a Job in the stack update). */
function kubernetesWorld(): { manifest: DeploymentManifest; stacks: FakeStacks; lines: string[] } {
  const ecs = manifest([service("api", { imageTag: "sha-old0000" }), service("web", { imageTag: "sha-old0000" })]);
  const kube = { ...ecs, runtime: "kubernetes", kubernetes: { namespace: "delivery-staging" } } as unknown as DeploymentManifest;
  const stacks = new FakeStacks([
    { name: "api", image: { repository: "delivery/api", tag: "sha-old0000" }, migration: { command: ["npm", "run", "migrate"] } },
    { name: "web", image: { repository: "delivery/web", tag: "sha-old0000" } },
  ] as FakeStacks["services"]);
  return { manifest: kube, stacks, lines: [] };
}

describe("planDeployRun on Kubernetes", () => {
  it("lists the migration Job from the stack config and changes nothing", async () => {
    const w = kubernetesWorld();

    const plan = await planDeployRun(
      w.manifest,
      { tag: "sha-new1111", waitSeconds: 120 },
      { stacks: w.stacks, gate: passingGate, progress: new Progress((l) => w.lines.push(l)) },
    );

    expect(plan.outcome).toBe("would-deploy");
    expect(plan.services.map((s) => [s.service, s.migration, s.steps])).toEqual([
      [
        "api",
        "a Job in the stack update (the Deployment waits for it)",
        [
          "migrate: the stack update runs the migration Job first",
          "set delivery:services[0].image.tag = sha-new1111, then a stack update",
          "validate (wait up to 120s for the rollout)",
        ],
      ],
      [
        "web",
        "none",
        ["set delivery:services[1].image.tag = sha-new1111, then a stack update", "validate (wait up to 120s for the rollout)"],
      ],
    ]);
    expect(w.stacks.changes()).toEqual([]);
  });
});
