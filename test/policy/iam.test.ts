import { describe, expect, it } from "vitest";
import { iamNoAdminAccess, iamNoServiceWildcardAction, iamNoWildcardAction, iamPassRoleScoped } from "../../policy/iam";
import { checkResource } from "./helpers";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const doc = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const scoped = doc(
  {
    Sid: "Logs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/x:*",
  },
  { Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
  { Sid: "Pass", Effect: "Allow", Action: "iam:PassRole", Resource: ["arn:aws:iam::123456789012:role/api-task"] },
  { Sid: "DenyAll", Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
);

describe("iam-no-wildcard-action", () => {
  it("passes a policy with specific actions (and a Deny on *)", () => {
    expect(checkResource(iamNoWildcardAction, ROLE_POLICY, { role: "r", policy: scoped })).toEqual({ violations: [] });
  });

  it.each([
    [
      "Action *",
      { Sid: "All", Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" },
      'policy statement 1 ("All") allows Action "*"; list specific actions.',
    ],
    [
      "Action *:*",
      { Effect: "Allow", Action: ["s3:GetObject", "*:*"], Resource: "*" },
      'policy statement 1 allows Action "*:*"; list specific actions.',
    ],
    [
      "NotAction",
      { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
      'policy statement 1 allows NotAction ["iam:*"], which grants every other action; list specific actions.',
    ],
  ])("reports %s", (_label, statement, message) => {
    expect(checkResource(iamNoWildcardAction, ROLE_POLICY, { role: "r", policy: doc(statement) }).violations).toEqual([message]);
  });

  it("reads a role's inline policies", () => {
    const props = {
      assumeRolePolicy: doc({ Effect: "Allow", Action: "sts:AssumeRole" }),
      inlinePolicies: [{ name: "x", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }],
    };
    expect(checkResource(iamNoWildcardAction, "aws:iam/role:Role", props).violations).toEqual([
      'inlinePolicies[0].policy statement 1 allows Action "*"; list specific actions.',
    ]);
  });

  it("reads resource policies (a KMS key policy)", () => {
    const props = { policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "*", Resource: "*" }) };
    expect(checkResource(iamNoWildcardAction, "aws:kms/key:Key", props).violations).toEqual([
      'policy statement 1 allows Action "*"; list specific actions.',
    ]);
  });

  it.each([
    ["not JSON", "{", "policy is not valid JSON; expected an IAM policy document."],
    ["without statements", JSON.stringify({ Version: "2012-10-17" }), "policy has no Statement; expected an IAM policy document."],
  ])("reports a policy %s", (_label, policy, message) => {
    expect(checkResource(iamNoWildcardAction, ROLE_POLICY, { role: "r", policy }).violations).toEqual([message]);
  });
});

describe("iam-no-service-wildcard-action", () => {
  it("passes specific actions", () => {
    expect(checkResource(iamNoServiceWildcardAction, ROLE_POLICY, { role: "r", policy: scoped })).toEqual({ violations: [] });
  });

  it("reports a service wildcard", () => {
    const policy = doc({ Sid: "S3", Effect: "Allow", Action: ["s3:*", "ecs:UpdateService"], Resource: "*" });
    expect(checkResource(iamNoServiceWildcardAction, "aws:iam/policy:Policy", { policy }).violations).toEqual([
      'policy statement 1 ("S3") allows "s3:*"; list specific actions.',
    ]);
  });
});

describe("iam-passrole-scoped", () => {
  it("passes iam:PassRole on named roles", () => {
    expect(checkResource(iamPassRoleScoped, ROLE_POLICY, { role: "r", policy: scoped })).toEqual({ violations: [] });
  });

  it.each([
    [
      "on *",
      { Effect: "Allow", Action: "iam:PassRole", Resource: "*" },
      'policy statement 1 allows iam:PassRole on "*"; name the roles it may pass.',
    ],
    [
      "on every role of the account",
      { Effect: "Allow", Action: ["iam:Pass*"], Resource: "arn:aws:iam::123456789012:role/*" },
      'policy statement 1 allows iam:PassRole on "arn:aws:iam::123456789012:role/*"; name the roles it may pass.',
    ],
    [
      "with NotResource",
      { Effect: "Allow", Action: "iam:PassRole", NotResource: "arn:aws:iam::123456789012:role/admin" },
      'policy statement 1 allows iam:PassRole on NotResource ["arn:aws:iam::123456789012:role/admin"], which is every other role; name the roles it may pass.',
    ],
  ])("reports iam:PassRole %s", (_label, statement, message) => {
    expect(checkResource(iamPassRoleScoped, ROLE_POLICY, { role: "r", policy: doc(statement) }).violations).toEqual([message]);
  });
});

describe("iam-no-admin-access", () => {
  it("passes a scoped policy", () => {
    expect(checkResource(iamNoAdminAccess, ROLE_POLICY, { role: "r", policy: scoped })).toEqual({ violations: [] });
  });

  it("passes a managed policy attachment that is not admin", () => {
    const props = { role: "r", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" };
    expect(checkResource(iamNoAdminAccess, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", props)).toEqual({ violations: [] });
  });

  it("reports an inline admin statement", () => {
    const policy = doc({ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" });
    expect(checkResource(iamNoAdminAccess, ROLE_POLICY, { role: "r", policy }).violations).toEqual([
      'policy statement 1 ("Admin") allows every action on every resource (administrator access).',
    ]);
  });

  it("reports AdministratorAccess attached to a role", () => {
    const props = { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" };
    expect(checkResource(iamNoAdminAccess, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", props).violations).toEqual([
      'policyArn is "arn:aws:iam::aws:policy/AdministratorAccess"; administrator access must not be attached.',
    ]);
  });

  it("reports AdministratorAccess in a role's managed policies", () => {
    const props = { assumeRolePolicy: "{}", managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] };
    expect(checkResource(iamNoAdminAccess, "aws:iam/role:Role", props).violations).toEqual([
      'managedPolicyArns includes "arn:aws:iam::aws:policy/AdministratorAccess"; administrator access must not be attached.',
    ]);
  });
});
