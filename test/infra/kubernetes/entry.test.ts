import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { KubernetesManifest } from "../../../contract/manifest";
import { DeliveryMocks } from "../../../infra/synth/mocks";
import { promiseOf, registrationsDone, serviceEntry } from "../../support/pulumi";

/** Sets the stack config as `pulumi up` would (JSON text per key) and the mocks, then loads the program afresh. */
async function runProgram(config: Record<string, unknown>): Promise<Record<string, pulumi.Output<unknown> | undefined>> {
  const text = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  pulumi.runtime.setAllConfig(text);
  await pulumi.runtime.setMocks(new DeliveryMocks("us-east-1"), "delivery", "staging", false);
  return (await import("../../../infra/index.js")) as unknown as Record<string, pulumi.Output<unknown> | undefined>;
}

beforeEach(() => {
  vi.resetModules();
});

afterEach(async () => {
  await registrationsDone();
});

describe("the Pulumi program with delivery:runtime kubernetes", () => {
  it("builds the Kubernetes environment and exports its manifest and namespace, and no ECS outputs", async () => {
    const program = await runProgram({
      "delivery:tier": "staging",
      "delivery:runtime": "kubernetes",
      "delivery:kubernetes": { prometheusUrl: "http://prometheus.monitoring:9090" },
      "delivery:services": [serviceEntry("api", { path: "/api/*" })],
    });
    const deployment = (await promiseOf(program.deployment as pulumi.Output<KubernetesManifest>)) as KubernetesManifest;
    expect([
      deployment.runtime,
      deployment.kubernetes.namespace,
      deployment.services.map((s) => s.deployment),
      await promiseOf(program.namespace as pulumi.Output<string>),
      program.albDnsName,
      program.clusterName,
    ]).toEqual(["kubernetes", "delivery-staging", ["api"], "delivery-staging", undefined, undefined]);
  });
});
