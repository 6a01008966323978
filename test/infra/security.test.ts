import { beforeAll, describe, expect, it } from "vitest";
import { renderStack, type RenderedResource, type RenderedStack, resourcesOf, STACKS, T } from "../support/pulumi";

const rendered = new Map<string, RenderedStack>();
beforeAll(async () => {
  for (const stack of STACKS) rendered.set(stack, await renderStack(stack));
});
const get = (stack: string) => rendered.get(stack) as RenderedStack;

interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
}

/** Every policy document among the resources' inputs: any JSON string input with a Statement list. */
function policyDocuments(stack: RenderedStack): { resource: string; key: string; statements: Statement[] }[] {
  const docs: { resource: string; key: string; statements: Statement[] }[] = [];
  for (const r of stack.resources) {
    for (const [key, value] of Object.entries(r.inputs)) {
      if (typeof value !== "string" || !value.includes('"Statement"')) continue;
      const parsed = JSON.parse(value) as { Statement?: Statement[] };
      if (Array.isArray(parsed.Statement)) docs.push({ resource: `${r.type} ${r.name}`, key, statements: parsed.Statement });
    }
  }
  return docs;
}

const isWildcard = (action: string) => action === "*" || /^[A-Za-z0-9-]+:\*$/.test(action);
const actionsOf = (s: Statement) => [s.Action ?? [], s.NotAction ?? []].flat();

/** Types that take `tags` in @pulumi/aws, as this program uses them. */
const TAGGABLE = [
  T.alarm,
  T.alb,
  T.bucket,
  T.ecsService,
  T.egressRule,
  T.ingressRule,
  T.key,
  T.listener,
  T.listenerRule,
  T.logGroup,
  T.parameter,
  T.repository,
  T.role,
  T.scalingTarget,
  T.securityGroup,
  T.subnet,
  T.table,
  T.targetGroup,
  T.taskDefinition,
  T.topic,
  T.vpc,
  "aws:ec2/eip:Eip",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/routeTable:RouteTable",
  "aws:ecs/cluster:Cluster",
];

describe.each(STACKS)("%s", (stack) => {
  it("has no policy statement whose action is * or service:*", () => {
    const offending = policyDocuments(get(stack)).flatMap((d) =>
      d.statements.flatMap((s) =>
        actionsOf(s)
          .filter(isWildcard)
          .map((a) => `${d.resource} ${d.key}: ${s.Effect} ${a}`),
      ),
    );
    expect(offending).toEqual([]);
  });

  it("parses every policy document: roles (trust), role policies, key, topic and bucket policies", () => {
    // The environment's own, plus the pipeline's: a trust policy and a role policy per CodeBuild
    // project (5 on local, 7 elsewhere) and for the pipeline role, and the artifact bucket's policy.
    // prod's canaries add a trust policy and a role policy for each of ProgressiveDelivery's 3 roles.
    const pipeline = (projects: number) => 2 * projects + 3;
    // dev, staging and prod run api's migration: its log policy on api's execution role.
    // Every stack: the task-stop events' log resource policy; staging and prod (Slack): the Chatbot role's trust policy.
    const expected = {
      local: 9 + 1 + pipeline(5),
      dev: 11 + 1 + pipeline(7),
      staging: 11 + 2 + pipeline(7),
      prod: 12 + 2 + 6 + pipeline(7),
    }[stack];
    expect(policyDocuments(get(stack)).length).toBe(expected);
  });

  it("encrypts every topic (both alert topics, and prod's approvals) with the environment's customer managed key", () => {
    const keyArn = `arn:aws:kms:us-east-1:123456789012:key/${resourcesOf(get(stack), T.key)[0].id}`;
    const topics = resourcesOf(get(stack), T.topic);
    expect(topics.map((t) => t.name).sort()).toEqual([
      `delivery-${stack}-critical`,
      ...(stack === "prod" ? ["delivery-prod-pipeline-approvals"] : []),
      `delivery-${stack}-warning`,
    ]);
    expect(topics.map((t) => t.inputs.kmsMasterKeyId)).toEqual(topics.map(() => keyArn));
  });

  it("rotates the environment key", () => {
    expect(resourcesOf(get(stack), T.key)[0].inputs.enableKeyRotation).toBe(true);
  });

  it("tags every taggable resource with the stack's tags, and service resources with their service", () => {
    const base = { environment: stack, "managed-by": "pulumi", project: "delivery" };
    const untagged = get(stack)
      .resources.filter((r) => TAGGABLE.includes(r.type))
      .filter((r) => {
        const tags = (r.inputs.tags ?? {}) as Record<string, string>;
        const service = /-(api|web)(-|$)/.exec(r.name)?.[1];
        const wanted = service ? { ...base, service } : base;
        return !Object.entries(wanted).every(([k, v]) => tags[k] === v);
      })
      .map((r: RenderedResource) => `${r.type} ${r.name}`);
    expect(untagged).toEqual([]);
  });

  it("lets traffic reach a service only from the load balancer's security group, on the service's port", () => {
    const albSg = resourcesOf(get(stack), T.securityGroup).find((s) => s.name === `delivery-${stack}-alb`)?.id;
    const serviceIngress = resourcesOf(get(stack), T.ingressRule).filter((r) => r.name.endsWith("-from-alb"));
    expect(serviceIngress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4])).toEqual([
      [albSg, 8080, 8080, undefined],
      [albSg, 3000, 3000, undefined],
    ]);
  });

  it("opens port 80 to the world, and 443 only with a certificate (prod's)", () => {
    const world = resourcesOf(get(stack), T.ingressRule).filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0");
    expect(world.map((r) => [r.inputs.fromPort, r.inputs.toPort])).toEqual(
      stack === "prod"
        ? [
            [443, 443],
            [80, 80],
          ]
        : [[80, 80]],
    );
  });

  it("drops invalid header fields at the load balancer", () => {
    expect(resourcesOf(get(stack), T.alb)[0].inputs.dropInvalidHeaderFields).toBe(true);
  });

  it("describes security groups and their rules only in the characters EC2 accepts", () => {
    // EC2 rejects any other character (an apostrophe, for one) in a group's or a rule's description.
    const allowed = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{0,255}$/;
    const described = [T.securityGroup, T.ingressRule, T.egressRule].flatMap((type) => resourcesOf(get(stack), type));
    expect(described.length).toBeGreaterThan(0);
    const offending = described
      .filter((r) => !allowed.test(String(r.inputs.description ?? "")))
      .map((r) => `${r.name}: ${String(r.inputs.description)}`);
    expect(offending).toEqual([]);
  });

  it("gives every role a trust policy without Resource (IAM rejects it: 'Has prohibited field Resource')", () => {
    const roles = resourcesOf(get(stack), T.role);
    expect(roles.length).toBeGreaterThan(0);
    const offending = roles.flatMap((r) =>
      (JSON.parse(r.inputs.assumeRolePolicy as string) as { Statement: Record<string, unknown>[] }).Statement.filter(
        (s) => "Resource" in s || "NotResource" in s,
      ).map(() => r.name),
    );
    expect(offending).toEqual([]);
  });
});

describe("buckets", () => {
  it.each(["dev", "prod"])("%s blocks every kind of public access on every bucket", (stack) => {
    const blocks = resourcesOf(get(stack), "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    expect(blocks.length).toBe(resourcesOf(get(stack), T.bucket).length);
    for (const b of blocks) {
      expect([b.inputs.blockPublicAcls, b.inputs.blockPublicPolicy, b.inputs.ignorePublicAcls, b.inputs.restrictPublicBuckets]).toEqual([
        true,
        true,
        true,
        true,
      ]);
    }
  });

  it("encrypts the record and artifact buckets with the environment key and keeps versions", () => {
    const prod = get("prod");
    const key = `arn:aws:kms:us-east-1:123456789012:key/${resourcesOf(prod, T.key)[0].id}`;
    const sse = resourcesOf(prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find((r) =>
      r.name.endsWith("-records"),
    );
    expect(sse?.inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key }, bucketKeyEnabled: true },
    ]);
    const artifacts = resourcesOf(prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find(
      (r) => r.name.endsWith("-pipeline-artifacts"),
    );
    expect(artifacts?.inputs.rules).toEqual(sse?.inputs.rules);
    expect(resourcesOf(prod, "aws:s3/bucketVersioning:BucketVersioning").map((v) => [v.name, v.inputs.versioningConfiguration])).toEqual([
      ["delivery-prod-records", { status: "Enabled" }],
      ["delivery-prod-pipeline-artifacts", { status: "Enabled" }],
    ]);
  });

  it("lets the prod load balancer write its access logs, under alb/AWSLogs/<account>/", () => {
    const policy = resourcesOf(get("prod"), T.bucketPolicy).find((p) => p.name === "delivery-prod-access-logs");
    const doc = JSON.parse(policy?.inputs.policy as string) as { Statement: { Sid?: string; Principal?: unknown; Resource: unknown }[] };
    const delivery = doc.Statement.find((s) => s.Sid === "AlbLogDelivery");
    expect([delivery?.Principal, delivery?.Resource]).toEqual([
      { AWS: "arn:aws:iam::127311923021:root", Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
      expect.stringMatching(/^arn:aws:s3:::delivery-prod-access-logs-[0-9a-f]{7}\/alb\/AWSLogs\/123456789012\/\*$/),
    ]);
  });
});
