import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EcsManifest } from "../../contract/manifest";
import { DeliveryMocks } from "../../infra/synth/mocks";
import { promiseOf, registrationsDone, serviceEntry } from "../support/pulumi";

/** Sets the stack config as `pulumi up` would (JSON text per key) and the mocks, then loads the program afresh. */
async function runProgram(config: Record<string, unknown>): Promise<Record<string, pulumi.Output<unknown>>> {
  const text = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  pulumi.runtime.setAllConfig(text);
  await pulumi.runtime.setMocks(new DeliveryMocks("us-east-1"), "delivery", "dev", false);
  return (await import("../../infra/index.js")) as unknown as Record<string, pulumi.Output<unknown>>;
}

beforeEach(() => {
  vi.resetModules();
});

afterEach(async () => {
  // The program's last registrations must reach this run's mock monitor, not the next test's.
  await registrationsDone();
});

describe("the Pulumi program (infra/index.ts)", () => {
  it("reads the stack config and exports the deployment manifest", async () => {
    const program = await runProgram({
      "aws:region": "us-east-1",
      "delivery:tier": "dev",
      "delivery:services": [serviceEntry("api", { path: "/api/*" }), serviceEntry("web", { dependsOn: ["api"] })],
      "delivery:pipeline": { enabled: false },
    });
    const deployment = (await promiseOf(program.deployment)) as EcsManifest;
    expect([deployment.stack, deployment.cluster, deployment.services.map((s) => s.name)]).toEqual(["dev", "delivery-dev", ["api", "web"]]);
  });

  it("also exports the ALB's DNS name and the dashboard URL", async () => {
    const program = await runProgram({
      "aws:region": "us-east-1",
      "delivery:tier": "dev",
      "delivery:services": [serviceEntry("api")],
      "delivery:pipeline": { enabled: false },
    });
    expect([await promiseOf(program.albDnsName), await promiseOf(program.dashboardUrl)]).toEqual([
      expect.stringMatching(/^delivery-dev-\d+\.us-east-1\.elb\.amazonaws\.com$/),
      "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=delivery-dev",
    ]);
  });

  it("stops bad config with a RunError (no stack trace) listing every problem", async () => {
    const failed = runProgram({
      "aws:region": "us-east-1",
      "delivery:tier": "qa",
      "delivery:servces": [],
      "delivery:pipeline": { enabled: false },
    });
    await expect(failed).rejects.toSatisfy((err: unknown) => pulumi.RunError.isInstance(err));
    await expect(failed).rejects.toThrow(
      [
        "Pulumi.dev.yaml: 3 problems in the stack config:",
        "  - Pulumi.dev.yaml: delivery:servces is not a known key; did you mean 'delivery:services'? Known keys: delivery:tier, delivery:services, delivery:alarms, delivery:rolling, delivery:notifications, delivery:network, delivery:loadBalancer, delivery:logRetentionDays, delivery:tags, delivery:pipeline, delivery:runtime, delivery:docker, delivery:kubernetes, delivery:promotion, delivery:envTemplate.",
        '  - Pulumi.dev.yaml: delivery:tier is "qa"; expected one of local, dev, staging, prod.',
        "  - Pulumi.dev.yaml: delivery:services is missing; list at least one service (name, image, port).",
      ].join("\n"),
    );
  });
});
