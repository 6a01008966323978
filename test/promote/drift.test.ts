import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnvironmentConfig, readStackFile } from "../../infra/config";
import type { SynthDocument } from "../../infra/synth/synth";
import { computeDrift, configDrift, type DriftReport } from "../../validators/promote/drift";
import { copyProject, readStack, tierTwin, writeStack } from "./project";

// One render of each stack for the file: staging as shipped (api on sha-aaaa111), and a prod that
// differs from it by its tier and by three edits: api's image tag, an environment variable and a
// second alert email.
let dir: string;
let drift: DriftReport;

beforeAll(async () => {
  dir = copyProject("promote-drift-");
  writeStack(dir, "staging", readStack(dir, "staging").replace("tag: sha-3f9c2a1", "tag: sha-aaaa111"));
  tierTwin(dir, (text) =>
    text
      .replace("tag: sha-aaaa111", "tag: sha-bbbb222")
      .replace("        LOG_LEVEL: info\n", '        LOG_LEVEL: info\n        FEATURE_X: "on"\n')
      .replace("      - platform-prod@example.com\n", "      - platform-prod@example.com\n      - oncall@example.com\n"),
  );
  const config = (stack: string) => parseEnvironmentConfig(readStackFile(dir, stack));
  drift = await configDrift(config("staging"), config("prod"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the drift between two stacks", () => {
  it("lists an environment variable set in one stack only, with both values", () => {
    expect(drift.items).toContainEqual({
      kind: "differs",
      type: "aws:ecs/taskDefinition:TaskDefinition",
      name: "delivery-{stack}-api-task",
      inputs: [{ path: "containerDefinitions[0].environment.FEATURE_X", from: null, to: "on" }],
    });
  });

  it("lists a resource that exists in one stack only", () => {
    expect(drift.items).toContainEqual({
      kind: "only-in-to",
      type: "aws:sns/topicSubscription:TopicSubscription",
      name: "delivery-{stack}-critical-email-2",
      inputs: [],
    });
  });

  it("does not list the desired counts the tier sets, and counts them as explained", () => {
    expect(drift.items.flatMap((i) => i.inputs).filter((i) => i.path === "desiredCount")).toEqual([]);
    expect(drift.explained).toContainEqual({ what: "desired counts", count: 2 });
  });

  it("does not list image tags: moving them is the promotion itself", () => {
    expect(drift.items.flatMap((i) => i.inputs.map((x) => x.path)).filter((p) => /image/.test(p))).toEqual([]);
  });

  it("names the two stacks it compares", () => {
    expect([drift.from, drift.to]).toEqual(["staging", "prod"]);
  });
});

describe("the drift between two renders (computeDrift)", () => {
  const rendered = (stack: string, resources: SynthDocument["resources"]): SynthDocument => ({
    schemaVersion: 1,
    project: "delivery",
    stack,
    tier: stack,
    region: "us-east-1",
    summary: { stack, tier: stack, region: "us-east-1", resourceCount: resources.length, resourcesByType: {}, services: [] },
    resources,
    outputs: {},
    policy: { violations: [] },
  });
  const statement = (sid: string | undefined, action: string) => ({
    ...(sid ? { Sid: sid } : {}),
    Effect: "Allow",
    Action: action,
    Resource: "*",
  });
  const rolePolicy = (stack: string, statements: object[]) => ({
    type: "aws:iam/rolePolicy:RolePolicy",
    name: `delivery-${stack}-api-task-policy`,
    inputs: { role: `delivery-${stack}-api-task`, policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) },
  });

  it("shows one statement inserted at the top as that one statement, not every later one shifted", () => {
    const common = [
      statement("Logs", "logs:PutLogEvents"),
      statement(undefined, "ecr:GetAuthorizationToken"),
      statement("Read", "s3:GetObject"),
    ];
    const inserted = statement("Queue", "sqs:SendMessage");

    const drift = computeDrift(
      rendered("staging", [rolePolicy("staging", common)]),
      rendered("prod", [rolePolicy("prod", [inserted, ...common])]),
    );

    expect(drift.items).toEqual([
      {
        kind: "differs",
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "delivery-{stack}-api-task-policy",
        inputs: [{ path: "policy.Statement.Queue", from: null, to: inserted }],
      },
    ]);
  });

  it("finds no drift in a health check's /dev/null when promoting from dev", () => {
    const task = (stack: string) => ({
      type: "aws:ecs/taskDefinition:TaskDefinition",
      name: `delivery-${stack}-api-task`,
      inputs: {
        family: `delivery-${stack}-api`,
        containerDefinitions: JSON.stringify([
          { name: "api", healthCheck: { command: ["CMD-SHELL", "curl -fsS -o /dev/null http://127.0.0.1:8080/health || exit 1"] } },
        ]),
      },
    });

    const drift = computeDrift(rendered("dev", [task("dev")]), rendered("staging", [task("staging")]));

    expect(drift.items).toEqual([]);
  });
});

describe("the drift between two Kubernetes stacks (examples/kubernetes, staging on Istio, prod on ingress-nginx)", () => {
  let k8s: DriftReport;
  beforeAll(async () => {
    const example = join(__dirname, "..", "..", "examples", "kubernetes");
    const config = (stack: string) => parseEnvironmentConfig(readStackFile(example, stack));
    k8s = await configDrift(config("staging"), config("prod"));
  });

  it("lists the config that differs (prod's progress deadline, its writable path, LOG_LEVEL), not image tags or version labels", () => {
    expect(k8s.items.filter((i) => i.type === "kubernetes:apps/v1:Deployment" || i.name.endsWith("-api-config"))).toEqual([
      {
        kind: "differs",
        type: "kubernetes:apps/v1:Deployment",
        name: "delivery-{stack}-api-deployment",
        inputs: [
          { path: "spec.progressDeadlineSeconds", from: 600, to: 900 },
          {
            path: "spec.template.spec.containers[0].volumeMounts[1]",
            from: null,
            to: { mountPath: "/var/cache/api", name: "var-cache-api" },
          },
          { path: "spec.template.spec.volumes[1]", from: null, to: { emptyDir: {}, name: "var-cache-api" } },
        ],
      },
      {
        kind: "differs",
        type: "kubernetes:core/v1:ConfigMap",
        name: "delivery-{stack}-api-config",
        inputs: [{ path: "data.LOG_LEVEL", from: "info", to: "warn" }],
      },
    ]);
  });

  it("lists the traffic layer each stack uses: Istio routes in staging only, Ingresses in prod only", () => {
    expect(k8s.items.filter((i) => i.kind !== "differs").map((i) => `${i.kind} ${i.type} ${i.name}`)).toEqual([
      "only-in-from kubernetes:networking.istio.io/v1beta1:VirtualService delivery-{stack}-api-virtualservice",
      "only-in-from kubernetes:networking.istio.io/v1beta1:VirtualService delivery-{stack}-web-virtualservice",
      "only-in-to kubernetes:networking.k8s.io/v1:Ingress delivery-{stack}-api-ingress",
      "only-in-to kubernetes:networking.k8s.io/v1:Ingress delivery-{stack}-web-ingress",
    ]);
  });

  it("leaves out what the tier sets (requests and limits, replicas, HPA bounds, prod's spreading and PDBs), counted", () => {
    expect(k8s.explained).toEqual([
      { what: "task sizes (CPU, memory)", count: 8 },
      { what: "desired counts", count: 2 },
      { what: "autoscaling bounds and target", count: 4 },
      { what: "pods spread across nodes and zones, disruption budgets (prod)", count: 4 },
    ]);
  });
});
