import { ResourceNotFoundException } from "@aws-sdk/client-cloudwatch-logs";
import { ServiceNotFoundException } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { classifyAwsError, toOperationalError } from "../../../validators/providers/aws/call";

/** Node's own network errors, as the SDK's HTTP handler passes them on. */
function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

const metadata = { $metadata: { httpStatusCode: 400, attempts: 1 } };

describe("classifyAwsError: what kind of failure an AWS call had", () => {
  it.each([
    ["ECONNREFUSED", networkError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9")],
    ["ENOTFOUND", networkError("ENOTFOUND", "getaddrinfo ENOTFOUND ecs.eu-west-1.amazonaws.com")],
    ["ECONNRESET", networkError("ECONNRESET", "read ECONNRESET")],
    ["EAI_AGAIN", networkError("EAI_AGAIN", "getaddrinfo EAI_AGAIN ssm.eu-west-1.amazonaws.com")],
    ["a socket hang up", new Error("socket hang up")],
    ["the SDK's TimeoutError", Object.assign(new Error("Connection timed out after 1000 ms"), { name: "TimeoutError" })],
  ])("%s is AWS unreachable", (_what, err) => {
    expect(classifyAwsError(err)).toBe("AWS unreachable");
  });

  it.each([
    ["ServiceNotFoundException", new ServiceNotFoundException({ message: "Service not found.", ...metadata })],
    ["ResourceNotFoundException", new ResourceNotFoundException({ message: "The specified log group does not exist.", ...metadata })],
  ])("%s is an AWS error: AWS answered, however much its name looks like ENOTFOUND", (_what, err) => {
    expect(classifyAwsError(err)).toBe("AWS error");
  });

  it("throttling and access denied keep their kinds", () => {
    expect(classifyAwsError(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }))).toBe("throttled beyond retries");
    expect(classifyAwsError(Object.assign(new Error("not allowed"), { name: "AccessDeniedException" }))).toBe("access denied");
  });
});

describe("toOperationalError", () => {
  it("names the operation, the kind and AWS's own words", () => {
    const err = new ServiceNotFoundException({ message: "Service not found.", $metadata: { httpStatusCode: 400, attempts: 3 } });

    expect(toOperationalError("ECS UpdateService", err).message).toBe(
      "ECS UpdateService failed after 3 attempts (AWS error): ServiceNotFoundException: Service not found.",
    );
  });
});
