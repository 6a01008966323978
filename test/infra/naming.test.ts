import { describe, expect, it } from "vitest";
import {
  alarmName,
  dashboardUrl,
  fitName,
  loadBalancerName,
  partitionOf,
  pathPrefix,
  repositoryName,
  serviceUrl,
  splitCidr,
  targetGroupName,
} from "../../infra/components/lib/naming";

describe("names", () => {
  it("names alarms <project>-<stack>-<service>-<alarm>", () => {
    expect(alarmName("delivery", "prod", "api", "error-rate-critical")).toBe("delivery-prod-api-error-rate-critical");
  });

  it("keeps a name that fits", () => {
    expect(fitName("delivery-staging-api-8080", 32)).toBe("delivery-staging-api-8080");
  });

  it("shortens a long name to the limit with a hash of the whole name, without a trailing dash", () => {
    const name = fitName("delivery-production-eu-payments-gateway-8080", 32);
    expect(name).toBe("delivery-production-eu-p-7bc43ee");
    expect(name).toHaveLength(32);
  });

  it("keeps two long names that share their head distinct", () => {
    const a = targetGroupName("delivery", "production-eu", "payments-gateway", 8080);
    const b = targetGroupName("delivery", "production-eu", "payments-gateway", 9090);
    expect(a).not.toBe(b);
    expect([a.length, b.length]).toEqual([32, 32]);
  });

  it("puts the port in the target group name so a port change gets a new group", () => {
    expect(targetGroupName("delivery", "dev", "api", 8080)).toBe("delivery-dev-api-8080");
  });

  it("names the load balancer after the environment", () => {
    expect(loadBalancerName("delivery", "staging")).toBe("delivery-staging");
  });

  it("prefixes ECR repositories with the stack so stacks in one account never collide", () => {
    expect(repositoryName("staging", "delivery/api")).toBe("staging/delivery/api");
  });

  it("builds the CloudWatch console URL of a dashboard", () => {
    expect(dashboardUrl("eu-west-1", "delivery-prod")).toBe(
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=delivery-prod",
    );
  });
});

describe("partitionOf", () => {
  it.each([
    ["us-east-1", "aws"],
    ["eu-central-1", "aws"],
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
  ])("%s is in partition %s", (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});

describe("service URLs", () => {
  it.each([
    ["/api/*", "/api"],
    ["/api/v1/*", "/api/v1"],
    ["/*", ""],
    ["/static*", "/static"],
  ])("path rule %s routes the prefix %j", (path, prefix) => {
    expect(pathPrefix(path)).toBe(prefix);
  });

  it("has no prefix without a path rule", () => {
    expect(pathPrefix(undefined)).toBe("");
  });

  it("is the ALB DNS name plus the path prefix, over HTTP without a certificate", () => {
    expect(serviceUrl({ https: false, albDnsName: "lb-1.elb.amazonaws.com", path: "/api/*" })).toBe("http://lb-1.elb.amazonaws.com/api");
  });

  it("uses https and the host rule's host when there is one", () => {
    expect(serviceUrl({ https: true, albDnsName: "lb-1.elb.amazonaws.com", host: "api.example.com" })).toBe("https://api.example.com");
  });

  it("falls back to the ALB DNS name for a wildcard host rule", () => {
    expect(serviceUrl({ https: false, albDnsName: "lb-1.elb.amazonaws.com", host: "*.example.com" })).toBe("http://lb-1.elb.amazonaws.com");
  });
});

describe("splitCidr", () => {
  it("splits a /16 into four /18 in order", () => {
    expect(splitCidr("10.0.0.0/16", 4)).toEqual(["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"]);
  });

  it("splits a /24 into four /26", () => {
    expect(splitCidr("192.168.10.0/24", 4)).toEqual(["192.168.10.0/26", "192.168.10.64/26", "192.168.10.128/26", "192.168.10.192/26"]);
  });

  it("starts from the network address when the CIDR has host bits set", () => {
    expect(splitCidr("10.1.2.3/16", 2)).toEqual(["10.1.0.0/17", "10.1.128.0/17"]);
  });

  it("refuses a count that is not a power of two", () => {
    expect(() => splitCidr("10.0.0.0/16", 3)).toThrow("subnet count must be a power of two, got 3");
  });
});
