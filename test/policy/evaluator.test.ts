import type { ResourceValidation, ResourceValidationPolicy } from "@pulumi/policy";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ecsServiceCircuitBreaker } from "../../policy/ecsService";
import { ecsTaskReadonlyRootFilesystem } from "../../policy/ecsTask";
import { logsRetentionProd } from "../../policy/logs";
import { s3Versioning } from "../../policy/s3";
import {
  evaluatePolicies,
  formatViolations,
  hasMandatoryViolation,
  type PolicyInputResource,
  PolicyEvaluationError,
} from "../../infra/synth/policy";

const urn = (type: string, name: string) => `urn:pulumi:prod::delivery::delivery:ecs:Service$${type}::${name}`;
const SERVICE_TYPE = "aws:ecs/service:Service";
const tags = { environment: "prod", "managed-by": "pulumi", service: "api" };
const ecsService = (inputs: Record<string, unknown> = {}): PolicyInputResource => ({
  type: SERVICE_TYPE,
  name: "delivery-prod-api",
  urn: urn(SERVICE_TYPE, "delivery-prod-api"),
  inputs: { name: "api", desiredCount: 3, tags, ...inputs },
  id: "arn:aws:ecs:us-east-1:123456789012:service/delivery-prod/api",
});
const logGroup: PolicyInputResource = {
  type: "aws:cloudwatch/logGroup:LogGroup",
  name: "delivery-prod-api-logs",
  urn: urn("aws:cloudwatch/logGroup:LogGroup", "delivery-prod-api-logs"),
  inputs: { retentionInDays: 30, tags },
};
const breakerViolation = {
  policy: "ecs-service-circuit-breaker",
  resource: { type: SERVICE_TYPE, name: "delivery-prod-api", urn: urn(SERVICE_TYPE, "delivery-prod-api") },
  message: "deploymentCircuitBreaker is enable not set, rollback not set; both must be true.",
  description: ecsServiceCircuitBreaker.description,
  remediation: "Set deploymentCircuitBreaker: { enable: true, rollback: true } on the service.",
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("evaluatePolicies", () => {
  it("reports a prod violation as mandatory", () => {
    expect(evaluatePolicies([ecsService()], { stack: "prod", tier: "prod" }, [ecsServiceCircuitBreaker])).toEqual([
      { ...breakerViolation, enforcementLevel: "mandatory" },
    ]);
  });

  it("reports the same violation as advisory outside prod", () => {
    expect(evaluatePolicies([ecsService()], { stack: "dev", tier: "dev" }, [ecsServiceCircuitBreaker])).toEqual([
      { ...breakerViolation, enforcementLevel: "advisory" },
    ]);
  });

  it("calls the pack's own policy objects with the inputs and id as props", () => {
    const spy = vi.spyOn(ecsServiceCircuitBreaker as { validateResource: ResourceValidation }, "validateResource");
    evaluatePolicies([ecsService()], { stack: "prod", tier: "prod" });
    expect(spy.mock.calls.map(([args]) => args.props)).toEqual([{ ...ecsService().inputs, id: ecsService().id }]);
  });

  it("skips a tier-specific rule outside its tier", () => {
    expect(evaluatePolicies([logGroup], { stack: "staging", tier: "staging" }, [logsRetentionProd])).toEqual([]);
  });

  it("applies a tier-specific rule by the context's tier, not the resource's tags", () => {
    const violations = evaluatePolicies([logGroup], { stack: "prod-eu", tier: "prod" }, [logsRetentionProd]);
    expect(violations.map((v) => v.message)).toEqual(["retentionInDays is 30; prod log groups keep logs at least 365 days."]);
  });

  it("gives the read-only rule the services from the context", () => {
    const task: PolicyInputResource = {
      type: "aws:ecs/taskDefinition:TaskDefinition",
      name: "delivery-prod-api-task",
      urn: urn("aws:ecs/taskDefinition:TaskDefinition", "delivery-prod-api-task"),
      inputs: { containerDefinitions: JSON.stringify([{ name: "api", readonlyRootFilesystem: false }]), tags },
    };
    const services = [{ name: "api", readonlyRootFilesystem: true }];
    expect(
      evaluatePolicies([task], { stack: "prod", tier: "prod", services }, [ecsTaskReadonlyRootFilesystem]).map((v) => v.message),
    ).toEqual(['container "api" has readonlyRootFilesystem false; the stack config asks for a read-only root filesystem (true).']);
  });

  it("runs stack rules and attributes their violations to the resource they name", () => {
    const bucket: PolicyInputResource = {
      type: "aws:s3/bucket:Bucket",
      name: "records",
      urn: urn("aws:s3/bucket:Bucket", "records"),
      inputs: { tags },
      id: "records-1",
    };
    expect(evaluatePolicies([bucket], { stack: "prod", tier: "prod" }, [s3Versioning]).map((v) => [v.resource?.name, v.message])).toEqual([
      ["records", 'bucket records has no versioning configuration; versioning must be "Enabled".'],
    ]);
  });

  it("refuses a tier it does not know", () => {
    expect(() => evaluatePolicies([], { stack: "qa", tier: "qa" })).toThrow(
      new PolicyEvaluationError('stack qa: tier is "qa"; expected one of local, dev, staging, prod.'),
    );
  });

  it("turns a rule that throws into an evaluation error naming the rule and the resource", () => {
    const broken: ResourceValidationPolicy = {
      name: "broken",
      description: "d",
      validateResource: () => {
        throw new Error("boom");
      },
    };
    expect(() => evaluatePolicies([logGroup], { stack: "prod", tier: "prod" }, [broken])).toThrow(
      "policy broken failed on aws:cloudwatch/logGroup:LogGroup delivery-prod-api-logs: boom",
    );
  });

  it("refuses an asynchronous rule", () => {
    const asyncRule: ResourceValidationPolicy = { name: "later", description: "d", validateResource: async () => undefined };
    expect(() => evaluatePolicies([logGroup], { stack: "prod", tier: "prod" }, [asyncRule])).toThrow(
      "policy later is asynchronous; the offline evaluator runs synchronous rules only.",
    );
  });
});

describe("hasMandatoryViolation", () => {
  it.each([
    ["prod", true],
    ["dev", false],
  ])("is %2$s for a violation in %1$s", (tier, expected) => {
    expect(hasMandatoryViolation(evaluatePolicies([ecsService()], { stack: tier, tier }, [ecsServiceCircuitBreaker]))).toBe(expected);
  });
});

describe("formatViolations", () => {
  it("groups violations by rule with the resource, the message and the fix", () => {
    const violations = evaluatePolicies([ecsService()], { stack: "prod", tier: "prod" }, [ecsServiceCircuitBreaker]);
    expect(formatViolations("prod", violations)).toBe(
      [
        "Policies for prod: 1 mandatory, 0 advisory violation(s)",
        `  [mandatory] ecs-service-circuit-breaker: ${ecsServiceCircuitBreaker.description}`,
        "    aws:ecs/service:Service delivery-prod-api: deploymentCircuitBreaker is enable not set, rollback not set; both must be true.",
        "    fix: Set deploymentCircuitBreaker: { enable: true, rollback: true } on the service.",
        "",
      ].join("\n"),
    );
  });

  it("says when there is nothing to report", () => {
    expect(formatViolations("dev", [])).toBe("Policies for dev: no violations\n");
  });
});
