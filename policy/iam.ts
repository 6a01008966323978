import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceRule } from "./lib/define";
import { allowStatements, POLICY_DOCUMENT_TYPES, type Statement } from "./lib/iamDocument";
import { actionMatches, strings } from "./lib/values";

/**
 * IAM: least privilege in every policy document the stack writes (role and managed policies, and the
 * resource policies of buckets, topics, keys and repositories). Deny statements are never a problem.
 */

const FULL_WILDCARDS = ["*", "*:*"];
const ATTACHMENT_TYPES = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
];

function isAdministratorAccess(arn: unknown): boolean {
  return typeof arn === "string" && /:policy\/AdministratorAccess$/.test(arn);
}

const where = (key: string, s: Statement) => `${key} ${s.label}`;

export const iamNoWildcardAction = resourceRule({
  name: "iam-no-wildcard-action",
  description: 'No policy statement allows every action: Action "*" or "*:*", or an Allow with NotAction (checkov CKV_AWS_63).',
  remediation:
    "List the actions the principal needs (for example s3:GetObject, s3:PutObject) instead of a wildcard; write Deny statements for exceptions instead of Allow with NotAction.",
  severity: "critical",
  types: POLICY_DOCUMENT_TYPES,
  validate(props, ctx) {
    const { statements, problems } = allowStatements(ctx.type, props);
    problems.forEach((p) => ctx.report(p));
    for (const { key, statement } of statements) {
      const wild = statement.actions.filter((a) => FULL_WILDCARDS.includes(a));
      if (wild.length > 0)
        ctx.report(`${where(key, statement)} allows Action ${wild.map((a) => JSON.stringify(a)).join(", ")}; list specific actions.`);
      if (statement.notActions.length > 0)
        ctx.report(
          `${where(key, statement)} allows NotAction ${JSON.stringify(statement.notActions)}, which grants every other action; list specific actions.`,
        );
    }
  },
});

export const iamNoServiceWildcardAction = resourceRule({
  name: "iam-no-service-wildcard-action",
  description: 'No policy statement allows every action of a service ("s3:*", "iam:*") (Security Hub IAM.21).',
  remediation: "Replace the service wildcard with the actions needed (ecs:UpdateService, ecs:DescribeServices...).",
  severity: "high",
  types: POLICY_DOCUMENT_TYPES,
  validate(props, ctx) {
    for (const { key, statement } of allowStatements(ctx.type, props).statements) {
      const wild = statement.actions.filter((a) => /^[a-z0-9-]+:\*$/i.test(a) && !FULL_WILDCARDS.includes(a));
      if (wild.length > 0)
        ctx.report(`${where(key, statement)} allows ${wild.map((a) => JSON.stringify(a)).join(", ")}; list specific actions.`);
    }
  },
});

/** A resource that stands for every role: `*`, `arn:aws:iam::<account>:role/*`, `arn:aws:iam::*:*`. */
function isAnyRole(resource: string): boolean {
  return resource === "*" || /:role\/\*$/.test(resource) || /^arn:[^:]*:iam::[^:]*:\*$/.test(resource);
}

export const iamPassRoleScoped = resourceRule({
  name: "iam-passrole-scoped",
  description:
    "iam:PassRole is granted on named roles only, never on * or every role of the account (it would let the principal hand any role, admin included, to a service).",
  remediation:
    'Set the statement\'s Resource to the ARNs of the roles to pass (the services\' task and execution roles) and add Condition { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }.',
  severity: "critical",
  types: POLICY_DOCUMENT_TYPES,
  validate(props, ctx) {
    for (const { key, statement } of allowStatements(ctx.type, props, ["identity"]).statements) {
      if (!statement.actions.some((a) => actionMatches(a, "iam:PassRole"))) continue;
      const wide = statement.resources.filter(isAnyRole);
      if (wide.length > 0)
        ctx.report(
          `${where(key, statement)} allows iam:PassRole on ${wide.map((r) => JSON.stringify(r)).join(", ")}; name the roles it may pass.`,
        );
      if (statement.notResources.length > 0)
        ctx.report(
          `${where(key, statement)} allows iam:PassRole on NotResource ${JSON.stringify(statement.notResources)}, which is every other role; name the roles it may pass.`,
        );
    }
  },
});

export const iamNoAdminAccess = resourceRule({
  name: "iam-no-admin-access",
  description:
    'No role, user or group gets administrator access: no policy statement allowing Action "*" on Resource "*", and no AdministratorAccess managed policy attached (Security Hub IAM.1, checkov CKV_AWS_1, CKV_AWS_62).',
  remediation:
    "Grant the actions and resources the principal needs in a scoped policy; remove the admin statement or the AdministratorAccess attachment.",
  severity: "critical",
  types: [...POLICY_DOCUMENT_TYPES, ...ATTACHMENT_TYPES],
  validate(props, ctx) {
    if (ATTACHMENT_TYPES.includes(ctx.type)) {
      if (isAdministratorAccess(props.policyArn))
        ctx.report(`policyArn is ${JSON.stringify(props.policyArn)}; administrator access must not be attached.`);
      return;
    }
    const managed = strings(props.managedPolicyArns).filter(isAdministratorAccess);
    if (managed.length > 0)
      ctx.report(`managedPolicyArns includes ${JSON.stringify(managed[0])}; administrator access must not be attached.`);
    for (const { key, statement } of allowStatements(ctx.type, props, ["identity"]).statements) {
      const everyAction = statement.actions.some((a) => FULL_WILDCARDS.includes(a));
      if (everyAction && statement.resources.includes("*"))
        ctx.report(`${where(key, statement)} allows every action on every resource (administrator access).`);
    }
  },
});

export const iamPolicies: ResourceValidationPolicy[] = [
  iamNoWildcardAction,
  iamNoServiceWildcardAction,
  iamPassRoleScoped,
  iamNoAdminAccess,
];
