import { describe, expect, it } from "vitest";
import { pulumiEnvironment } from "../../validators/pulumi/stacks";

describe("the Pulumi CLI's environment for stack operations", () => {
  it("runs as the deploy role's profile when the pipeline names one", () => {
    expect(pulumiEnvironment({ DELIVERY_STACK_UPDATE_PROFILE: "delivery-deploy" })).toEqual({ AWS_PROFILE: "delivery-deploy", AWS_SDK_LOAD_CONFIG: "1" });
  });

  it("adds nothing otherwise", () => {
    expect(pulumiEnvironment({})).toEqual({});
  });
});
