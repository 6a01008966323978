import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { KubernetesManifest } from "../../contract/manifest";
import { type PromoteFlags, runPromoteCommand } from "../../validators/cli/commands/promote";
import { defaultReleaseDeps } from "../../validators/cli/compose";
import { exitCodeForError } from "../../validators/cli/exitCodes";
import { DeliveryError } from "../../validators/core/errors";
import { ConfigMapReleaseStore, kubernetesClients } from "../../validators/providers/kubernetes";
import { LocalRecordStore } from "../../validators/records/localStore";
import { ConfigMapReleaseRegistry } from "../../validators/release/configMapRegistry";
import { freePort } from "../../fixtures/ports";
import { captureIO } from "../support/io";
import { type FakeKubeApi, startFakeKubeApi } from "../support/kubeApi";
import { report, runRecord } from "../release/support";
import { testManifest } from "../validator/support/manifest";

/**
 * `deployctl promote` between two Kubernetes stacks (examples/kubernetes, staging -> prod), through
 * `main` as a user runs it: each stack's cluster reached through the kubeconfig ($KUBECONFIG) with
 * its manifest's context (staging and prod are two local API fakes), staging's last good releases
 * in its ConfigMap delivery-releases, its run records in .delivery/records/staging, prod's Lease as
 * the lock, and the images' registry (registry.example.com in the stack files) a small local OCI
 * distribution endpoint the registry's requests are routed to.
 */
const EXAMPLE = join(__dirname, "..", "..", "examples", "kubernetes");
const NEW_TAG = "sha-new1111";
const NOW = "2026-12-05T10:00:00.000Z";

let staging: FakeKubeApi;
let prod: FakeKubeApi;
let registry: { server: Server; host: string; requests: string[] };
let dir: string;
let prodBefore: string;

beforeAll(async () => {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const found = req.url === `/v2/delivery/api/manifests/${NEW_TAG}` || req.url === `/v2/delivery/web/manifests/${NEW_TAG}`;
    res.writeHead(found ? 200 : 404, found ? { "docker-content-digest": `sha256:${"ab".repeat(32)}` } : {});
    res.end();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  registry = { server, host: `127.0.0.1:${port}`, requests };
});
afterAll(async () => {
  await new Promise((resolve) => registry.server.close(resolve));
});

function manifest(stack: "staging" | "prod", namespace: string): KubernetesManifest {
  return {
    schemaVersion: 1,
    runtime: "kubernetes",
    project: "delivery",
    stack,
    kubernetes: { namespace, context: stack },
    prometheus: { url: "http://prometheus.monitoring:9090", traffic: "istio" },
    thresholds: {
      errorRateWarningPercent: 1,
      errorRateCriticalPercent: 5,
      minRequests: 50,
      p95LatencyMs: 500,
      p99LatencyMs: 1000,
      windowSeconds: 300,
    },
    history: { prefix: stack },
    services: ["api", "web"].map((name) => ({
      name,
      deployment: name,
      image: `registry.example.com/delivery/${name}`,
      imageTag: "v2.4.1",
      url: "",
      healthPath: "/health",
      smokePaths: [],
      dependsOn: [],
    })),
  };
}

beforeEach(async () => {
  staging = await startFakeKubeApi();
  prod = await startFakeKubeApi();
  registry.requests.length = 0;
  dir = mkdtempSync(join(tmpdir(), "promote-k8s-"));
  for (const file of ["Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"]) copyFileSync(join(EXAMPLE, file), join(dir, file));
  prodBefore = readFileSync(join(dir, "Pulumi.prod.yaml"), "utf8");
  writeFileSync(join(dir, "staging.json"), JSON.stringify(manifest("staging", "delivery-staging")));
  writeFileSync(join(dir, "prod.json"), JSON.stringify(manifest("prod", "delivery-prod")));
  // One kubeconfig, a context per cluster: each stack is reached with its manifest's context.
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: "staging", cluster: { server: staging.url, "insecure-skip-tls-verify": true } },
      { name: "prod", cluster: { server: prod.url, "insecure-skip-tls-verify": true } },
    ],
    users: [{ name: "tester", user: { token: "t0ken" } }],
    contexts: ["staging", "prod"].map((name) => ({ name, context: { cluster: name, user: "tester" } })),
    "current-context": "staging",
  };
  writeFileSync(join(dir, "kubeconfig"), JSON.stringify(kubeconfig));
  vi.stubEnv("KUBECONFIG", join(dir, "kubeconfig"));
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(NOW));
});
afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await staging.close();
  await prod.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Records a last good release of a staging service in staging's ConfigMap delivery-releases. */
async function release(service: string, validatedAt: string, tag = NEW_TAG): Promise<void> {
  const clients = kubernetesClients({ kubeConfig: staging.kubeConfig, context: "staging" });
  await new ConfigMapReleaseRegistry(new ConfigMapReleaseStore(clients, "delivery-staging"), "delivery-staging").put({
    stack: "staging",
    service,
    imageTag: tag,
    taskDefinitionArn: `Deployment delivery-staging/${service} registry.example.com/delivery/${service}:${tag}`,
    validatedAt,
    runId: `20261201T100000Z-${service}0000`,
    who: "ci",
  });
}

const TWO_DAYS_AGO = "2026-12-03T10:00:00.000Z";

/** Requests to https://registry.example.com go to the local registry (over HTTP); the rest as they are. */
const routed: typeof fetch = (input, init) =>
  fetch(String(input).replace("https://registry.example.com/", `http://${registry.host}/`), init);

/** `deployctl promote --from staging --to prod --yes ...` as the command's action runs it, the registry routed. */
async function deployctl(more: Partial<PromoteFlags> = {}, registryFetch: typeof fetch = routed) {
  const io = captureIO({ DELIVERY_ACTOR: "release-bot" }, dir);
  const flags: PromoteFlags = {
    from: "staging",
    to: "prod",
    yes: true,
    maxAge: 7,
    dir: ".",
    fromManifest: "staging.json",
    toManifest: "prod.json",
    lockTimeout: 0,
    output: "text",
    maxAttempts: 1,
    timeout: 5000,
    ...more,
  };
  let code: number;
  try {
    code = await runPromoteCommand(flags, { io, setExitCode: () => undefined }, { ...defaultReleaseDeps, fetch: registryFetch });
  } catch (err) {
    // As main does: a DeliveryError is printed and becomes its exit code.
    if (!(err instanceof DeliveryError)) throw err;
    io.stderr(`deployctl: ${err.message}\n`);
    code = exitCodeForError(err);
  }
  return { code, stdout: io.out(), stderr: io.err() };
}

const prodNow = () => readFileSync(join(dir, "Pulumi.prod.yaml"), "utf8");
const refused = (service: string, reason: string) =>
  `Refused: 1 of 2 service(s) cannot be promoted; nothing was changed.\n  - ${service}: ${reason}\n`;

describe("deployctl promote between two Kubernetes stacks", () => {
  it("writes staging's verified releases into Pulumi.prod.yaml, comments and every other line kept, under prod's Lease", async () => {
    await release("api", TWO_DAYS_AGO);
    await release("web", TWO_DAYS_AGO);

    const { code, stdout } = await deployctl();

    expect(code).toBe(0);
    expect(prodNow()).toBe(prodBefore.replace(/tag: v2\.4\.1/g, `tag: ${NEW_TAG}`));
    expect(prodNow()).toContain("# Prod on a multi-node cluster across zones, traffic through ingress-nginx.\n");
    expect(stdout).toContain(
      "Promoted 2 service(s) from staging to prod: wrote Pulumi.prod.yaml. Commit it for review; deploying prod runs them.\n" +
        `  delivery:services[0].image.tag: v2.4.1 -> ${NEW_TAG}\n` +
        `  delivery:services[1].image.tag: v2.4.1 -> ${NEW_TAG}\n`,
    );
    expect(stdout).toContain(
      `  api      v2.4.1  ${NEW_TAG}  ${TWO_DAYS_AGO}  ci  20261201T100000Z-api0000  promote (image in registry.example.com/delivery/api)`,
    );
    expect(registry.requests).toEqual([`HEAD /v2/delivery/api/manifests/${NEW_TAG}`, `HEAD /v2/delivery/web/manifests/${NEW_TAG}`]);
    // The releases were read on staging's cluster; the lock was prod's Lease, taken and released on prod's.
    expect(staging.requests.filter((r) => r.includes("/configmaps/")).length).toBeGreaterThan(0);
    expect(staging.requests.filter((r) => r.includes("/leases"))).toEqual([]);
    expect(prod.requests.filter((r) => r.includes("/leases")).map((r) => r.split(" ")[0])).toEqual(["POST", "GET", "DELETE"]);
    expect(prod.requests.filter((r) => r.includes("/leases"))[0]).toContain("/namespaces/delivery-prod/leases");
    expect(prod.get("leases", "delivery-prod", "delivery-lock-prod")).toBeUndefined();
  });

  it("refuses (exit 1) a service with no last good release in staging's ConfigMap, naming it and where it looked; nothing changes", async () => {
    await release("api", TWO_DAYS_AGO);

    const { code, stdout } = await deployctl();

    expect(code).toBe(1);
    expect(stdout).toContain(
      refused(
        "web",
        "no last good release in stack staging (ConfigMap delivery-staging/delivery-releases key web is not set): deploy and validate it in staging first",
      ),
    );
    expect(prodNow()).toBe(prodBefore);
  });

  it("refuses (exit 1) a release with a failed validation recorded in staging since it became last good", async () => {
    await release("api", TWO_DAYS_AGO);
    await release("web", TWO_DAYS_AGO);
    await new LocalRecordStore(join(dir, ".delivery", "records", "staging")).put(
      runRecord({
        runId: "20261204T100000Z-failed00",
        command: "validate",
        who: "ci",
        startedAt: "2026-12-04T10:00:00.000Z",
        outcome: "failed",
        verdict: "fail",
        services: [],
        validations: [{ ...report({ web: "fail" }), startedAt: "2026-12-04T10:00:00.000Z", finishedAt: "2026-12-04T10:05:00.000Z" }],
      }),
    );

    const { code, stdout } = await deployctl();

    expect(code).toBe(1);
    expect(stdout).toContain(
      "Refused: 1 of 2 service(s) cannot be promoted; nothing was changed.\n" +
        "  - web: a failed validation of it is recorded in staging since it became last good: run 20261204T100000Z-failed00 (validate by ci at 2026-12-04T10:00:00.000Z); validate it again in staging until it passes\n" +
        "  - web: its last run in staging failed: run 20261204T100000Z-failed00 (validate by ci at 2026-12-04T10:00:00.000Z): errorRate failed (errorRate is fail); promote after a run that passes\n",
    );
    expect(prodNow()).toBe(prodBefore);
  });

  it("refuses (exit 1) a release younger than prod's stabilisation window, naming its age and what is missing", async () => {
    await release("api", "2026-12-05T06:30:00.000Z");
    await release("web", TWO_DAYS_AGO);

    const { code, stdout } = await deployctl();

    expect(code).toBe(1);
    expect(stdout).toContain(
      refused(
        "api",
        `its last good release ${NEW_TAG} has been last good in staging for 3h30m (since 2026-12-05T06:30:00.000Z), less than the stabilisation window 1d (the default for a prod stack): 20h30m missing; promote later, or override with --min-age 0s --reason "..."`,
      ),
    );
    expect(prodNow()).toBe(prodBefore);
  });

  it("promotes the young release with --min-age 0s --reason, the reason in the pull-request body", async () => {
    await release("api", "2026-12-05T06:30:00.000Z");
    await release("web", TWO_DAYS_AGO);

    const { code, stdout } = await deployctl({ minAge: 0, reason: "hotfix for INC-42", output: "markdown" });

    expect(code).toBe(0);
    expect(prodNow()).toBe(prodBefore.replace(/tag: v2\.4\.1/g, `tag: ${NEW_TAG}`));
    expect(stdout).toContain("**Stabilisation window overridden** (--min-age 0s): hotfix for INC-42\n");
  });

  it("promotes when the shared registry cannot be asked, saying the image was not checked", async () => {
    await release("api", TWO_DAYS_AGO);
    await release("web", TWO_DAYS_AGO);
    const closed = await freePort();
    const nowhere: typeof fetch = (input, init) =>
      fetch(String(input).replace("https://registry.example.com/", `http://127.0.0.1:${closed}/`), init);

    const { code, stdout } = await deployctl({}, nowhere);

    expect(code).toBe(0);
    expect(stdout).toContain(
      `promote (image not checked: The registry registry.example.com of registry.example.com/delivery/api:${NEW_TAG} is unreachable (ECONNREFUSED): the image was not checked)`,
    );
    expect(prodNow()).toBe(prodBefore.replace(/tag: v2\.4\.1/g, `tag: ${NEW_TAG}`));
  });

  it("exits 2 when the target stack runs on ECS, naming both runtimes, and changes nothing", async () => {
    writeFileSync(join(dir, "prod.json"), JSON.stringify({ ...testManifest(), stack: "prod" }));

    const { code, stderr } = await deployctl();

    expect(code).toBe(2);
    expect(stderr).toBe(
      "deployctl: --from stack staging runs on kubernetes and --to stack prod on ecs; promote moves releases between stacks on the same runtime (ecs to ecs, kubernetes to kubernetes).\n",
    );
    expect(prodNow()).toBe(prodBefore);
  });

  it("exits 2 on a stack on Docker, naming its runtime: promote moves ECS and Kubernetes releases", async () => {
    const docker = {
      ...manifest("prod", "delivery-prod"),
      runtime: "docker",
      kubernetes: undefined,
      prometheus: undefined,
      docker: { host: "unix:///var/run/docker.sock" },
      services: [
        { name: "api", image: "delivery/api", imageTag: "v1", replicas: 1, url: "", healthPath: "/health", smokePaths: [], dependsOn: [] },
      ],
    };
    writeFileSync(join(dir, "prod.json"), JSON.stringify(docker));

    const { code, stderr } = await deployctl();

    expect(code).toBe(2);
    expect(stderr).toBe(
      'deployctl: --to-manifest prod.json: runtime is "docker"; promote is not available for runtime docker yet (it promotes between ECS stacks and between Kubernetes stacks).\n',
    );
    expect(prodNow()).toBe(prodBefore);
  });

  it("exits 4 naming the API when staging's cluster is unreachable, releasing prod's Lease and changing nothing", async () => {
    const down = staging.url;
    await staging.close();

    const { code, stderr } = await deployctl();

    expect(code).toBe(4);
    expect(stderr).toContain(
      `deployctl: cannot read ConfigMap delivery-staging/delivery-releases key api: Kubernetes API at ${down}: reading ConfigMap delivery-staging/delivery-releases failed (`,
    );
    expect(prodNow()).toBe(prodBefore);
    expect(prod.get("leases", "delivery-prod", "delivery-lock-prod")).toBeUndefined();
  });
});
