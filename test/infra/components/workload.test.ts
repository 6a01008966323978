import { describe, expect, it } from "vitest";
import { replicaOptions, Workload, type WorkloadArgs, WORKLOAD_DEFAULTS } from "../../../infra/kubernetes/workload";
import { childrenOf, componentOf, renderComponent, resourceNamed } from "../../support/pulumi";
import { at, K } from "../kubernetes/support";

const minimal: WorkloadArgs = {
  namespace: "apps",
  service: "api",
  stack: "qa",
  image: "registry.example.com/api",
  imageTag: "v3",
  port: 8080,
};

const render = (args: WorkloadArgs) =>
  renderComponent(() => {
    const workload = new Workload("shop-api", args);
    return { deploymentName: workload.deploymentName, serviceName: workload.serviceName };
  });

type Container = Record<string, unknown> & { resources: unknown; readinessProbe: { httpGet: { path: string } } };

describe("the Kubernetes Workload component constructed alone", () => {
  it("declares its ServiceAccount, ConfigMap, Secret, Deployment and Service, named from the component's name and parented to it", async () => {
    const r = await render(minimal);
    const component = componentOf(r, "delivery:kubernetes:Workload");
    expect([component.name, childrenOf(r, component), r.outputs]).toEqual([
      "shop-api",
      [
        [K.configMap, "shop-api-config"],
        [K.deployment, "shop-api-deployment"],
        [K.serviceAccount, "shop-api-sa"],
        [K.secret, "shop-api-secret"],
        [K.service, "shop-api-service"],
      ],
      { deploymentName: "api", serviceName: "api" },
    ]);
  });

  it("applies the documented defaults: the dev tier (1 replica, 100m / 128Mi, no spread), /health, 600 s deadline, /tmp writable", async () => {
    const r = await render(minimal);
    const d = resourceNamed(r, K.deployment, "shop-api-deployment");
    const [c] = at<Container[]>(d, "spec.template.spec.containers");
    expect([
      WORKLOAD_DEFAULTS.tier,
      at(d, "metadata.namespace"),
      at(d, "spec.replicas"),
      c.resources,
      at(d, "spec.template.spec.topologySpreadConstraints"),
      c.readinessProbe.httpGet.path,
      at(d, "spec.progressDeadlineSeconds"),
      at(d, "spec.template.spec.volumes"),
      c.image,
      c.ports,
      d.ignoreChanges,
      at(resourceNamed(r, K.configMap, "shop-api-config"), "data"),
    ]).toEqual([
      "dev",
      "apps",
      1,
      { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "100m", memory: "128Mi" } },
      undefined,
      "/health",
      600,
      [{ name: "tmp", emptyDir: {} }],
      "registry.example.com/api:v3",
      [{ name: "http", containerPort: 8080, protocol: "TCP" }],
      undefined,
      {},
    ]);
  });

  it("lets the caller's args win over the tier's and the component's defaults", async () => {
    const r = await render({
      ...minimal,
      tier: "prod",
      cpu: "2",
      replicas: 4,
      healthCheckPath: "/ready",
      progressDeadlineSeconds: 120,
      writablePaths: ["/var/run"],
      environment: { MODE: "fast" },
      secrets: { TOKEN: "s3cr3t" },
    });
    const d = resourceNamed(r, K.deployment, "shop-api-deployment");
    const [c] = at<Container[]>(d, "spec.template.spec.containers");
    expect([
      at(d, "spec.replicas"),
      c.resources,
      at<unknown[]>(d, "spec.template.spec.topologySpreadConstraints").length,
      c.readinessProbe.httpGet.path,
      at(d, "spec.progressDeadlineSeconds"),
      at(d, "spec.template.spec.volumes"),
      at(resourceNamed(r, K.configMap, "shop-api-config"), "data"),
      at(resourceNamed(r, K.secret, "shop-api-secret"), "stringData"),
      JSON.stringify(r.resources).includes("s3cr3t"),
    ]).toEqual([
      4,
      { requests: { cpu: "2", memory: "512Mi" }, limits: { cpu: "2", memory: "512Mi" } },
      2,
      "/ready",
      120,
      [{ name: "var-run", emptyDir: {} }],
      { MODE: "fast" },
      "[secret]",
      false,
    ]);
  });

  it("sets the initial replicas but leaves spec.replicas to the autoscaler when autoscaled", async () => {
    const r = await render({ ...minimal, tier: "staging", autoscaled: true });
    const d = resourceNamed(r, K.deployment, "shop-api-deployment");
    const others = r.resources.filter((x) => x !== d && x.ignoreChanges !== undefined);
    expect([at(d, "spec.replicas"), d.ignoreChanges, others]).toEqual([2, ["spec.replicas"], []]);
  });
});

describe("replicaOptions", () => {
  it("ignores later changes to spec.replicas only when an autoscaler owns them", () => {
    expect([replicaOptions(true), replicaOptions(false)]).toEqual([{ ignoreChanges: ["spec.replicas"] }, {}]);
  });
});
