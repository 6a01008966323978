import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  AnalyzeRequest,
  type AnalyzeResponse,
  type AnalyzerInfo,
  AnalyzerResourceOptions,
  ConfigureAnalyzerRequest,
  EnforcementLevel,
  PolicyConfig,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ecsServiceCircuitBreaker } from "../../policy/ecsService";
import { policies } from "../../policy/policies";

/**
 * The pack as `pulumi preview --policy-pack policy` runs it: the host script of @pulumi/pulumi
 * (run-policy-pack, with ts-node) started in policy/, spoken to over gRPC the way the engine does.
 */
const ROOT = join(__dirname, "..", "..");
const HOST = join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js");

let host: ChildProcess;
let client: AnalyzerClient;

function startHost(): Promise<number> {
  return new Promise((resolve, reject) => {
    host = spawn(process.execPath, [HOST, "127.0.0.1:1", "."], { cwd: join(ROOT, "policy"), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    host.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    host.stdout?.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    host.once("exit", (code) => reject(new Error(`the policy host exited with ${code}: ${stderr}`)));
  });
}

/** A unary call as a promise. */
function unary<Res>(start: (callback: (err: grpc.ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    start((err, res) => (err ? reject(err) : resolve(res)));
  });
}

function configure(stack: string): Promise<unknown> {
  const request = new ConfigureAnalyzerRequest();
  const file = JSON.parse(readFileSync(join(ROOT, "policy", "config", `${stack}.json`), "utf8")) as Record<
    string,
    { enforcementLevel: string } & Record<string, never>
  >;
  for (const [name, { enforcementLevel, ...properties }] of Object.entries(file)) {
    const config = new PolicyConfig();
    config.setEnforcementlevel(enforcementLevel === "mandatory" ? EnforcementLevel.MANDATORY : EnforcementLevel.ADVISORY);
    config.setProperties(Struct.fromJavaScript(properties));
    request.getPolicyconfigMap().set(name, config);
  }
  return unary((cb) => client.configure(request, cb));
}

async function analyzeServiceWithoutBreaker() {
  const request = new AnalyzeRequest();
  request.setType("aws:ecs/service:Service");
  request.setName("delivery-prod-api");
  request.setUrn("urn:pulumi:prod::delivery::delivery:ecs:Service$aws:ecs/service:Service::delivery-prod-api");
  request.setProperties(
    Struct.fromJavaScript({
      name: "api",
      desiredCount: 3,
      alarms: { alarmNames: ["delivery-prod-api-error-rate-critical"], enable: true, rollback: true },
      tags: { environment: "prod", "managed-by": "pulumi", service: "api" },
    }),
  );
  request.setOptions(new AnalyzerResourceOptions());
  const response = await unary<AnalyzeResponse>((cb) => client.analyze(request, cb));
  return response.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), level: d.getEnforcementlevel(), message: d.getMessage() }));
}

beforeAll(async () => {
  const port = await startHost();
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
  client?.close();
  host?.kill();
});

describe("the policy pack served by the Pulumi policy host", () => {
  it("serves every rule of policy/policies.ts under the name delivery, versioned as the repository", async () => {
    const info = await unary<AnalyzerInfo>((cb) => client.getAnalyzerInfo(new Empty(), cb));
    expect([info.getName(), info.getVersion(), info.getPoliciesList().map((p) => p.getName())]).toEqual([
      "delivery",
      "0.1.0",
      policies.map((p) => p.name),
    ]);
  });

  it("reports a prod service without the circuit breaker as mandatory with policy/config/prod.json", async () => {
    await configure("prod");
    expect(await analyzeServiceWithoutBreaker()).toEqual([
      {
        policy: "ecs-service-circuit-breaker",
        level: EnforcementLevel.MANDATORY,
        message: `${ecsServiceCircuitBreaker.description}\ndeploymentCircuitBreaker is enable not set, rollback not set; both must be true.`,
      },
    ]);
  });

  it("reports the same service as advisory with policy/config/dev.json", async () => {
    await configure("dev");
    expect((await analyzeServiceWithoutBreaker()).map((d) => [d.policy, d.level])).toEqual([
      ["ecs-service-circuit-breaker", EnforcementLevel.ADVISORY],
    ]);
  });
});
