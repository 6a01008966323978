/**
 * The one helper for Pulumi mock tests: render a stack (from its Pulumi.<stack>.yaml or from a
 * config built in the test) under the mocks, read outputs, and find resources by type and name.
 */
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { EMULATED_SERVICES, type EnvironmentConfig, parseEnvironmentConfig, type RawStackConfig, readStackFile } from "../../infra/config";
import type { DockerManifest, EcsManifest } from "../../contract/manifest";
import {
  outputValue,
  type ProgramOptions,
  type RenderedProgram,
  type RenderedResource,
  type RenderedStack,
  renderEnvironment,
  renderProgram,
  waitForRegistrations,
} from "../../infra/synth/render";
import type { DeploymentManifest } from "../../contract/manifest";

/** A rendered stack of any runtime, or a component rendered alone (the helpers below take them all). */
type AnyRendered = Pick<RenderedStack<DeploymentManifest>, "resources">;

export type { RenderedProgram, RenderedResource, RenderedStack };

/** The project's root (where Pulumi.yaml and the stack files are). */
export const PROJECT_DIR = join(__dirname, "..", "..");

/**
 * The ECS stacks the tests render, one per tier. The shipped Pulumi.local.yaml runs on Docker
 * (`DOCKER_LOCAL`); the ECS local tier is the emulator example, examples/emulator/Pulumi.local.yaml.
 */
export const STACKS = ["local", "dev", "staging", "prod"] as const;

/** The documented emulator setup: the ECS program against moto or LocalStack (stack `local`). */
export const EMULATOR_DIR = join(PROJECT_DIR, "examples", "emulator");

/** Where a test's ECS stack file is: `local` from the emulator example, the others from the project. */
export function stackDir(stack: string): string {
  return stack === "local" ? EMULATOR_DIR : PROJECT_DIR;
}

/** Resource type tokens the tests look for. */
export const T = {
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  alb: "aws:lb/loadBalancer:LoadBalancer",
  bucket: "aws:s3/bucket:Bucket",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
  ecsService: "aws:ecs/service:Service",
  egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  key: "aws:kms/key:Key",
  container: "docker:index/container:Container",
  dockerImage: "docker:index/image:Image",
  dockerNetwork: "docker:index/network:Network",
  dockerProvider: "pulumi:providers:docker",
  remoteImage: "docker:index/remoteImage:RemoteImage",
  listener: "aws:lb/listener:Listener",
  listenerRule: "aws:lb/listenerRule:ListenerRule",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  parameter: "aws:ssm/parameter:Parameter",
  repository: "aws:ecr/repository:Repository",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  scalingTarget: "aws:appautoscaling/target:Target",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  subnet: "aws:ec2/subnet:Subnet",
  table: "aws:dynamodb/table:Table",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  vpc: "aws:ec2/vpc:Vpc",
} as const;

/** The parsed config of an ECS stack of the tests (see STACKS): `local` is the emulator example. */
export function stackConfig(stack: string): EnvironmentConfig {
  return parseEnvironmentConfig(readStackFile(stackDir(stack), stack));
}

/** The parsed config of the shipped Pulumi.local.yaml (the Docker runtime). */
export function dockerLocalConfig(): EnvironmentConfig {
  return parseEnvironmentConfig(readStackFile(PROJECT_DIR, "local"));
}

/** The `deployment` output of an ECS render (throws when the stack runs elsewhere). */
export function ecsDeployment(rendered: RenderedStack): EcsManifest {
  const d = rendered.outputs.deployment;
  if (d.runtime !== undefined && d.runtime !== "ecs") throw new Error(`stack ${rendered.stack} runs on ${d.runtime}, not ecs`);
  return d as EcsManifest;
}

/** The `deployment` output of a Docker render (throws when the stack runs elsewhere). */
export function dockerDeployment(rendered: RenderedStack): DockerManifest {
  const d = rendered.outputs.deployment;
  if (d.runtime !== "docker") throw new Error(`stack ${rendered.stack} runs on ${d.runtime ?? "ecs"}, not docker`);
  return d;
}

/** Renders a stack file of the project under the mocks. */
export function renderStack(stack: string, options?: { preview?: boolean }): Promise<RenderedStack> {
  return renderEnvironment(stackConfig(stack), options);
}

/**
 * Constructs a component (or any small program) ALONE under the mocks: `build` creates it and
 * returns the outputs to resolve. The result lists every resource it registered, in tree order.
 */
export function renderComponent(
  build: () => Record<string, pulumi.Output<unknown> | undefined>,
  options?: ProgramOptions,
): Promise<RenderedProgram> {
  return renderProgram(build, options);
}

/** The one component of a type in a render; throws when there is not exactly one. */
export function componentOf(rendered: AnyRendered, type: string): RenderedResource {
  const found = resourcesOf(rendered, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** `[type, name]` of every direct child of a resource, in render order. */
export function childrenOf(rendered: AnyRendered, resource: RenderedResource): [string, string][] {
  return rendered.resources.filter((r) => r.parent === resource.urn).map((r) => [r.type, r.name]);
}

/** A minimal valid service entry (as written in a stack file), overridable. */
export function serviceEntry(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: { repository: `delivery/${name}`, tag: "sha-abc1234" }, port: 8080, ...overrides };
}

/**
 * A parsed config for a stack built in the test: `delivery` holds the `delivery:` keys without the
 * namespace. Pipelines are off unless given (they are not this helper's concern).
 */
export function environmentConfig(
  delivery: Record<string, unknown>,
  options: { stack?: string; secretPaths?: string[]; region?: string; extra?: Record<string, unknown> } = {},
): EnvironmentConfig {
  const stack = options.stack ?? "test";
  const values: Record<string, unknown> = {
    "aws:region": options.region ?? "us-east-1",
    "delivery:pipeline": { enabled: false },
    ...options.extra,
  };
  for (const [k, v] of Object.entries(delivery)) values[`delivery:${k}`] = v;
  const secrets = options.secretPaths ?? [];
  const raw: RawStackConfig = {
    project: "delivery",
    stack,
    file: `Pulumi.${stack}.yaml`,
    values,
    isSecret: (path) => secrets.some((p) => path === p || path.startsWith(`${p}.`)),
  };
  return parseEnvironmentConfig(raw);
}

/** The provider settings the local tier requires: every service at an emulator, no credential checks. */
export function emulatorConfig(endpoint = "http://localhost:4566"): Record<string, unknown> {
  return {
    "aws:endpoints": [Object.fromEntries(EMULATED_SERVICES.map((s) => [s, endpoint]))],
    "aws:skipCredentialsValidation": true,
    "aws:skipRequestingAccountId": true,
  };
}

/** The value of an output (rejects if what it depends on failed). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return outputValue(output);
}

/**
 * Waits until every registration of a program run directly under the mocks (not through
 * renderEnvironment, which waits itself) has completed: call it before the next setMocks.
 */
export function registrationsDone(): Promise<void> {
  return waitForRegistrations();
}

/** Every resource of a type, in render order. */
export function resourcesOf(rendered: AnyRendered, type: string): RenderedResource[] {
  return rendered.resources.filter((r) => r.type === type);
}

/** The resource of a type with a Pulumi name; throws (naming what exists) when absent. */
export function resourceNamed(rendered: AnyRendered, type: string, name: string): RenderedResource {
  const found = rendered.resources.find((r) => r.type === type && r.name === name);
  if (!found) {
    const names = resourcesOf(rendered, type).map((r) => r.name);
    throw new Error(`no ${type} named ${name}; there are: ${names.join(", ") || "none"}`);
  }
  return found;
}

/** Resource counts by type, sorted by type. */
export function countByType(rendered: AnyRendered): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rendered.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The resource's parent resource, if any. */
export function parentOf(rendered: AnyRendered, resource: RenderedResource): RenderedResource | undefined {
  return rendered.resources.find((r) => r.urn === resource.parent);
}

/** An input that holds JSON (a policy, container definitions, a dashboard body), parsed. */
export function jsonInput<T = unknown>(resource: RenderedResource, key: string): T {
  const value = resource.inputs[key];
  if (typeof value !== "string") throw new Error(`${resource.type} ${resource.name}: input ${key} is not a JSON string`);
  return JSON.parse(value) as T;
}
