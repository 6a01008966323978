import { describe, expect, it } from "vitest";
import {
  albAccessLogsProd,
  albDeletionProtectionProd,
  albDropInvalidHeaders,
  albHttpsProd,
  albListenerTls,
  isTls12OrNewer,
} from "../../policy/alb";
import { checkResource, checkStack, res } from "./helpers";

const LB = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";
const LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/delivery-prod/0123456789abcdef";
const lb = (overrides: Record<string, unknown> = {}) => ({
  loadBalancerType: "application",
  dropInvalidHeaderFields: true,
  enableDeletionProtection: true,
  accessLogs: { bucket: "delivery-prod-access-logs-1a2b3c4", prefix: "alb", enabled: true },
  ...overrides,
});
const https = {
  loadBalancerArn: LB_ARN,
  port: 443,
  protocol: "HTTPS",
  sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
  defaultActions: [{ type: "forward" }],
};
const redirect = {
  loadBalancerArn: LB_ARN,
  port: 80,
  protocol: "HTTP",
  defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443" } }],
};

describe("alb-drop-invalid-headers", () => {
  it("passes an ALB that drops invalid headers", () => {
    expect(checkResource(albDropInvalidHeaders, LB, lb())).toEqual({ violations: [] });
  });

  it("ignores network load balancers", () => {
    expect(checkResource(albDropInvalidHeaders, LB, lb({ loadBalancerType: "network", dropInvalidHeaderFields: undefined }))).toEqual({
      violations: [],
    });
  });

  it("reports an ALB that keeps invalid headers", () => {
    expect(
      checkResource(albDropInvalidHeaders, "aws:alb/loadBalancer:LoadBalancer", lb({ dropInvalidHeaderFields: false })).violations,
    ).toEqual(["dropInvalidHeaderFields is false; it must be true."]);
  });
});

describe("alb-access-logs-prod", () => {
  it("passes access logs to a bucket in prod", () => {
    expect(checkResource(albAccessLogsProd, LB, lb(), { tier: "prod" })).toEqual({ violations: [] });
  });

  it("reports missing access logs in prod", () => {
    expect(checkResource(albAccessLogsProd, LB, lb({ accessLogs: undefined }), { tier: "prod" }).violations).toEqual([
      "accessLogs is enabled not set, bucket not set; prod load balancers must log to a bucket.",
    ]);
  });

  it("does not apply to dev", () => {
    expect(checkResource(albAccessLogsProd, LB, lb({ accessLogs: undefined }), { tier: "dev" }).notApplicable).toBe(
      "applies to the prod tier(s); this stack is dev",
    );
  });
});

describe("alb-deletion-protection-prod", () => {
  it("passes a protected ALB in prod", () => {
    expect(checkResource(albDeletionProtectionProd, LB, lb(), { tier: "prod" })).toEqual({ violations: [] });
  });

  it("reports an unprotected ALB in prod", () => {
    expect(checkResource(albDeletionProtectionProd, LB, lb({ enableDeletionProtection: false }), { tier: "prod" }).violations).toEqual([
      "enableDeletionProtection is false; prod load balancers must be protected from deletion.",
    ]);
  });
});

describe("alb-listener-tls12", () => {
  it.each([
    ["ELBSecurityPolicy-TLS13-1-2-2021-06", true],
    ["ELBSecurityPolicy-TLS13-1-3-2021-06", true],
    ["ELBSecurityPolicy-TLS-1-2-Ext-2018-06", true],
    ["ELBSecurityPolicy-FS-1-2-Res-2020-10", true],
    ["ELBSecurityPolicy-2016-08", false],
    ["ELBSecurityPolicy-TLS-1-1-2017-01", false],
    ["ELBSecurityPolicy-TLS13-1-0-2021-06", false],
  ])("classifies %s as TLS 1.2+ %s", (policy, expected) => {
    expect(isTls12OrNewer(policy)).toBe(expected);
  });

  it("passes an HTTPS listener on a TLS 1.2+ policy", () => {
    expect(checkResource(albListenerTls, LISTENER, https)).toEqual({ violations: [] });
  });

  it("passes an HTTP listener (no TLS to check)", () => {
    expect(checkResource(albListenerTls, LISTENER, redirect)).toEqual({ violations: [] });
  });

  it.each([
    ["ELBSecurityPolicy-2016-08", 'sslPolicy is "ELBSecurityPolicy-2016-08"; HTTPS listeners must use a TLS 1.2 or newer security policy.'],
    [undefined, "sslPolicy is not set; HTTPS listeners must use a TLS 1.2 or newer security policy."],
  ])("reports sslPolicy %s", (policy, message) => {
    expect(checkResource(albListenerTls, LISTENER, { ...https, sslPolicy: policy }).violations).toEqual([message]);
  });
});

describe("alb-https-prod", () => {
  const balancer = res(LB, "alb", { ...lb(), id: LB_ARN });

  it("passes HTTPS with an HTTP redirect in prod", () => {
    expect(checkStack(albHttpsProd, [balancer, res(LISTENER, "https", https), res(LISTENER, "http", redirect)], { tier: "prod" })).toEqual({
      violations: [],
    });
  });

  it("reports an ALB with only a forwarding HTTP listener in prod", () => {
    const http = res(LISTENER, "http", { ...redirect, defaultActions: [{ type: "forward" }] });
    expect(checkStack(albHttpsProd, [balancer, http], { tier: "prod" }).violations).toEqual([
      "alb: load balancer alb has no HTTPS listener; prod must serve HTTPS.",
      "http: listener http serves plain HTTP (port 80) instead of redirecting to HTTPS.",
    ]);
  });

  it("matches listeners to their own load balancer by ARN", () => {
    const other = res(LB, "internal", { ...lb(), id: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/internal/1" });
    expect(checkStack(albHttpsProd, [balancer, other, res(LISTENER, "https", https)], { tier: "prod" }).violations).toEqual([
      "internal: load balancer internal has no HTTPS listener; prod must serve HTTPS.",
    ]);
  });

  it("does not apply to staging", () => {
    expect(checkStack(albHttpsProd, [balancer], { tier: "staging" }).notApplicable).toBe(
      "applies to the prod tier(s); this stack is staging",
    );
  });
});
