import { describe, expect, it } from "vitest";
import { aloneBehindLoadBalancer } from "../../validators/providers/aws/ecsRuntime";
import { testService } from "./support/manifest";

describe("aloneBehindLoadBalancer", () => {
  it("is true when no other service of the stack shares the load balancer", () => {
    const api = { ...testService("api"), loadBalancer: "app/one/1" };
    const web = { ...testService("web"), loadBalancer: "app/two/2" };

    expect(aloneBehindLoadBalancer([api, web], api)).toBe(true);
  });

  it("is false when another service sits behind the same load balancer", () => {
    const api = { ...testService("api"), loadBalancer: "app/shared/1" };
    const web = { ...testService("web"), loadBalancer: "app/shared/1" };

    expect(aloneBehindLoadBalancer([api, web], api)).toBe(false);
  });
});
