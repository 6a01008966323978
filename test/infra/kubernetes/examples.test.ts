import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubernetesManifestSchema } from "../../../contract/manifest";
import { listStacks, type SynthDocument, synthStack } from "../../../infra/synth/synth";
import { main } from "../../../validators/cli/main";
import { captureIO } from "../../support/io";
import { EXAMPLE_DIR, K } from "./support";

describe("examples/kubernetes", () => {
  it("declares staging and prod, both on Kubernetes", () => {
    expect(listStacks(EXAMPLE_DIR)).toEqual(["staging", "prod"]);
  });

  it.each([
    ["staging", "istio", K.virtualService, 0],
    ["prod", "ingress-nginx", K.ingress, 2],
  ])("renders %s offline with traffic %s: a valid manifest, its routes, no policy violation", async (stack, traffic, route, pdbs) => {
    const doc = await synthStack(EXAMPLE_DIR, stack);
    const manifest = kubernetesManifestSchema.parse(doc.outputs.deployment);
    const count = (type: string) => doc.resources.filter((r) => r.type === type).length;
    expect([
      manifest.runtime,
      manifest.prometheus.traffic,
      manifest.kubernetes.namespace,
      count(route),
      count(K.pdb),
      doc.policy.violations,
    ]).toEqual(["kubernetes", traffic, `delivery-${stack}`, 2, pdbs, []]);
  });

  it("is rendered by deployctl synth --dir examples/kubernetes, writing one document per stack", async () => {
    const out = mkdtempSync(join(tmpdir(), "kube-synth-"));
    const io = captureIO({}, join(EXAMPLE_DIR, "..", ".."));

    const code = await main(["node", "deployctl", "synth", "--dir", "examples/kubernetes", "--out", out], io);

    const prod = JSON.parse(readFileSync(join(out, "prod.json"), "utf8")) as SynthDocument;
    expect([
      code,
      /Stack staging \(tier staging, runtime kubernetes\): \d+ resources, policies: no violations\n/.test(io.out()),
      prod.stack,
      prod.resources.length,
    ]).toEqual([0, true, "prod", 31]);
  });

  it("summarises Kubernetes services as pods with their quantities, not ECS tasks", async () => {
    const io = captureIO({}, join(EXAMPLE_DIR, "..", ".."));

    await main(["node", "deployctl", "synth", "--dir", "examples/kubernetes", "--out", mkdtempSync(join(tmpdir(), "kube-synth-"))], io);

    expect(io.out()).toContain("Stack prod (tier prod, runtime kubernetes): 31 resources, policies: no violations\n");
    expect(io.out()).toMatch(/\n {2}api\s+registry\.example\.com\/delivery\/api:v2\.4\.1\s+3 pods\s+1 \/ 1Gi\s+3-20 at 70% CPU\s+\d+\n/);
    expect(io.out()).toMatch(
      /\n {2}web\s+registry\.example\.com\/delivery\/web:sha-3f9c2a1\s+2 pods\s+250m \/ 256Mi\s+2-5 at 70% CPU\s+\d+\n/,
    );
  });
});
