import { describe, expect, it } from "vitest";
import { kubernetesManifestSchema } from "../../../contract/manifest";
import { countByType, parentOf, resourcesOf, serviceEntry } from "../../support/pulumi";
import { at, K, kubeConfig, object, renderKube } from "./support";

describe("the Kubernetes program, per tier", () => {
  it("declares exactly these objects for a dev stack: no autoscaler, no disruption budget", async () => {
    const dev = await renderKube(kubeConfig("dev"));
    expect(countByType(dev)).toEqual({
      "delivery:kubernetes:Environment": 1,
      "delivery:kubernetes:Exposure": 2,
      "delivery:kubernetes:Observability": 1,
      "delivery:kubernetes:Scaling": 2,
      "delivery:kubernetes:Workload": 2,
      [K.deployment]: 2,
      [K.configMap]: 3,
      [K.namespace]: 1,
      [K.secret]: 2,
      [K.service]: 2,
      [K.serviceAccount]: 2,
      [K.prometheusRule]: 1,
      [K.networkPolicy]: 3,
      [K.virtualService]: 1,
      [K.provider]: 1,
    });
  });

  it("adds an autoscaler per service in staging (2-5) and in prod (3-20), and disruption budgets only in prod", async () => {
    const [staging, prod] = [await renderKube(kubeConfig("staging")), await renderKube(kubeConfig("prod"))];
    const bounds = (r: typeof staging) => resourcesOf(r, K.hpa).map((h) => [at(h, "spec.minReplicas"), at(h, "spec.maxReplicas")]);
    expect([bounds(staging), bounds(prod), resourcesOf(staging, K.pdb).length, resourcesOf(prod, K.pdb).length]).toEqual([
      [
        [2, 5],
        [2, 5],
      ],
      [
        [3, 20],
        [3, 20],
      ],
      0,
      2,
    ]);
  });

  it("scales on CPU with autoscaling/v2 against the service's Deployment", async () => {
    const hpa = object(await renderKube(kubeConfig("prod")), K.hpa, "api");
    expect([at(hpa, "spec.scaleTargetRef"), at(hpa, "spec.metrics")]).toEqual([
      { apiVersion: "apps/v1", kind: "Deployment", name: "api" },
      [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    ]);
  });

  it("starts staging and prod Deployments at the tier's replicas and then leaves spec.replicas to the autoscaler; dev keeps its count", async () => {
    const owner = async (tier: string) => {
      const r = await renderKube(kubeConfig(tier));
      const d = object(r, K.deployment, "api");
      return [at(d, "spec.replicas"), d.ignoreChanges ?? [], resourcesOf(r, K.hpa).length];
    };
    expect([await owner("dev"), await owner("staging"), await owner("prod")]).toEqual([
      [1, [], 0],
      [2, ["spec.replicas"], 2],
      [3, ["spec.replicas"], 2],
    ]);
  });

  it("keeps two of three prod pods through voluntary disruptions", async () => {
    const pdb = object(await renderKube(kubeConfig("prod")), K.pdb, "api");
    expect(at(pdb, "spec")).toEqual({
      minAvailable: 2,
      selector: { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "prod" } },
    });
  });

  it.each([
    ["dev", 1, "100m", "128Mi"],
    ["staging", 2, "250m", "256Mi"],
    ["prod", 3, "500m", "512Mi"],
  ])("sizes a %s Deployment: %i replicas, %s CPU and %s memory as requests and limits", async (tier, replicas, cpu, memory) => {
    const d = object(await renderKube(kubeConfig(tier)), K.deployment, "api");
    const container = at<{ resources: unknown }[]>(d, "spec.template.spec.containers")[0];
    expect([at(d, "spec.replicas"), container.resources]).toEqual([replicas, { requests: { cpu, memory }, limits: { cpu, memory } }]);
  });

  it("takes CPU, memory, progress deadline and writable paths from delivery:kubernetes.services", async () => {
    const config = kubeConfig("staging", {
      services: { api: { cpu: "1", memory: "1Gi", progressDeadlineSeconds: 900, writablePaths: ["/tmp", "/var/cache/api"] } },
    });
    const d = object(await renderKube(config), K.deployment, "api");
    const container = at<{ resources: unknown; volumeMounts: unknown }[]>(d, "spec.template.spec.containers")[0];
    expect([
      container.resources,
      at(d, "spec.progressDeadlineSeconds"),
      container.volumeMounts,
      at(d, "spec.template.spec.volumes"),
    ]).toEqual([
      { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
      900,
      [
        { name: "tmp", mountPath: "/tmp" },
        { name: "var-cache-api", mountPath: "/var/cache/api" },
      ],
      [
        { name: "tmp", emptyDir: {} },
        { name: "var-cache-api", emptyDir: {} },
      ],
    ]);
  });

  it("rolls out one new pod at a time without dropping below the desired count", async () => {
    const d = object(await renderKube(kubeConfig("staging")), K.deployment, "api");
    expect([
      at(d, "spec.strategy"),
      at(d, "spec.minReadySeconds"),
      at(d, "spec.progressDeadlineSeconds"),
      at(d, "spec.revisionHistoryLimit"),
      at(d, "spec.selector"),
    ]).toEqual([
      { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      10,
      600,
      10,
      { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "staging" } },
    ]);
  });

  it("labels the pods with the service, the stack and the release's tag", async () => {
    const d = object(await renderKube(kubeConfig("staging")), K.deployment, "api");
    expect(at(d, "spec.template.metadata.labels")).toEqual({
      "app.kubernetes.io/name": "api",
      "app.kubernetes.io/instance": "staging",
      "app.kubernetes.io/version": "sha-abc1234",
      "app.kubernetes.io/managed-by": "pulumi",
    });
  });

  it("runs the image:tag with readiness and liveness probes on the health path, env from the ConfigMap and Secret", async () => {
    const d = object(await renderKube(kubeConfig("dev")), K.deployment, "worker");
    const [c] = at<Record<string, unknown>[]>(d, "spec.template.spec.containers");
    expect([c.image, c.ports, c.readinessProbe, c.livenessProbe, c.envFrom, at(d, "spec.template.spec.serviceAccountName")]).toEqual([
      "delivery/worker:sha-abc1234",
      [{ name: "http", containerPort: 9000, protocol: "TCP" }],
      { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 2 },
      { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2, initialDelaySeconds: 10 },
      [{ configMapRef: { name: "worker-config" } }, { secretRef: { name: "worker-secret" } }],
      "worker",
    ]);
  });

  it("runs an image from a registry with a port as written: the registry's host:port/ is part of the reference", async () => {
    const config = kubeConfig(
      "dev",
      {},
      { services: [serviceEntry("api", { image: { repository: "10.0.0.7:5000/team/api", tag: "v1" } })] },
    );
    const [c] = at<Record<string, unknown>[]>(object(await renderKube(config), K.deployment, "api"), "spec.template.spec.containers");
    expect(c.image).toBe("10.0.0.7:5000/team/api:v1");
  });

  it("runs restricted: non-root, read-only root with /tmp as emptyDir, no escalation, no capabilities, RuntimeDefault seccomp", async () => {
    const d = object(await renderKube(kubeConfig("dev")), K.deployment, "api");
    const [c] = at<Record<string, unknown>[]>(d, "spec.template.spec.containers");
    expect([at(d, "spec.template.spec.securityContext"), c.securityContext, c.volumeMounts, at(d, "spec.template.spec.volumes")]).toEqual([
      { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
      {
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      },
      [{ name: "tmp", mountPath: "/tmp" }],
      [{ name: "tmp", emptyDir: {} }],
    ]);
  });

  it("spreads prod pods across nodes (hard) and zones (soft), and no other tier's", async () => {
    const prod = object(await renderKube(kubeConfig("prod")), K.deployment, "api");
    const staging = object(await renderKube(kubeConfig("staging")), K.deployment, "api");
    const labelSelector = { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "prod" } };
    expect([at(prod, "spec.template.spec.topologySpreadConstraints"), at(staging, "spec.template.spec.topologySpreadConstraints")]).toEqual(
      [
        [
          { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector },
          { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector },
        ],
        undefined,
      ],
    );
  });

  it("puts each service behind a ClusterIP Service on port 80 and gives it its own ServiceAccount without a token", async () => {
    const r = await renderKube(kubeConfig("dev"));
    const svc = object(r, K.service, "api");
    const sa = object(r, K.serviceAccount, "api");
    expect([at(svc, "spec"), at(sa, "automountServiceAccountToken"), at(sa, "metadata.namespace")]).toEqual([
      {
        type: "ClusterIP",
        selector: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "dev" },
        ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
      },
      false,
      "delivery-dev",
    ]);
  });

  it("keeps the environment in a ConfigMap and the secure values in a Secret, never in plain text", async () => {
    const config = kubeConfig(
      "dev",
      { secrets: { api: { DATABASE_URL: "postgres://u:p@db/app" } } },
      { secretPaths: ["delivery:kubernetes.secrets.api.DATABASE_URL"] },
    );
    const r = await renderKube(config);
    expect([
      at(object(r, K.configMap, "api-config"), "data"),
      at(object(r, K.secret, "api-secret"), "stringData"),
      JSON.stringify(r.resources).includes("postgres://"),
    ]).toEqual([{ LOG_LEVEL: "info" }, "[secret]", false]);
  });

  it("routes a service with a path through an Istio VirtualService on the gateway (traffic istio)", async () => {
    const r = await renderKube(kubeConfig("staging", { host: "staging.example.com" }));
    const vs = object(r, K.virtualService, "api");
    expect([resourcesOf(r, K.virtualService).length, resourcesOf(r, K.ingress).length, at(vs, "apiVersion"), at(vs, "spec")]).toEqual([
      1,
      0,
      "networking.istio.io/v1beta1",
      {
        hosts: ["staging.example.com"],
        gateways: ["istio-system/ingressgateway"],
        http: [{ match: [{ uri: { prefix: "/api" } }], route: [{ destination: { host: "api", port: { number: 80 } } }] }],
      },
    ]);
  });

  it("routes a service with a path through an Ingress of the configured class (traffic ingress-nginx)", async () => {
    const r = await renderKube(kubeConfig("prod", { traffic: "ingress-nginx", ingressClass: "public", host: "app.example.com" }));
    const ing = object(r, K.ingress, "api");
    expect([resourcesOf(r, K.ingress).length, resourcesOf(r, K.virtualService).length, at(ing, "spec")]).toEqual([
      1,
      0,
      {
        ingressClassName: "public",
        rules: [
          {
            host: "app.example.com",
            http: { paths: [{ path: "/api", pathType: "Prefix", backend: { service: { name: "api", port: { name: "http" } } } }] },
          },
        ],
      },
    ]);
  });

  it("denies all ingress in the namespace, then lets each service's port in from the namespace, the ingress controller and monitoring", async () => {
    const r = await renderKube(kubeConfig("prod", { traffic: "ingress-nginx" }));
    const deny = object(r, K.networkPolicy, "default-deny-ingress");
    const api = object(r, K.networkPolicy, "api");
    const ns = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
    expect([at(deny, "spec"), at(api, "spec")]).toEqual([
      { podSelector: {}, policyTypes: ["Ingress"] },
      {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "prod" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: {} }, ns("ingress-nginx"), ns("monitoring")], ports: [{ protocol: "TCP", port: 8080 }] }],
      },
    ]);
  });

  it("creates the namespace delivery-<stack> with the restricted Pod Security Standard enforced", async () => {
    const ns = resourcesOf(await renderKube(kubeConfig("staging")), K.namespace)[0];
    expect(at(ns, "metadata")).toEqual({
      name: "delivery-staging",
      labels: {
        "app.kubernetes.io/instance": "staging",
        "app.kubernetes.io/managed-by": "pulumi",
        "pod-security.kubernetes.io/enforce": "restricted",
        "istio-injection": "enabled",
      },
    });
  });

  it("builds the provider from the secret kubeconfig and the context, and parents every object under the environment", async () => {
    const config = kubeConfig(
      "prod",
      { context: "prod-eu", kubeconfig: "apiVersion: v1" },
      { secretPaths: ["delivery:kubernetes.kubeconfig"] },
    );
    const r = await renderKube(config);
    const provider = resourcesOf(r, K.provider)[0];
    const orphans = r.resources.filter((x) => !parentOf(r, x)).map((x) => x.type);
    expect([provider.inputs.kubeconfig, provider.inputs.context, provider.inputs.namespace, orphans]).toEqual([
      "[secret]",
      "prod-eu",
      "delivery-prod",
      ["delivery:kubernetes:Environment"],
    ]);
  });

  it("declares a PrometheusRule with every alert and its severity, and a dashboard ConfigMap Grafana's sidecar picks up", async () => {
    const r = await renderKube(kubeConfig("prod"));
    const rule = resourcesOf(r, K.prometheusRule)[0];
    const groups = at<{ name: string; rules: { alert: string; labels: { severity: string } }[] }[]>(rule, "spec.groups");
    const dashboard = object(r, K.configMap, "delivery-prod-dashboard");
    const json = JSON.parse(at<Record<string, string>>(dashboard, "data")["delivery-prod.json"]) as { panels: { title: string }[] };
    expect([
      at(rule, "apiVersion"),
      groups[0].rules.map((x) => `${x.alert}:${x.labels.severity}`),
      at(dashboard, "metadata.labels.grafana_dashboard"),
      json.panels.length,
    ]).toEqual([
      "monitoring.coreos.com/v1",
      [
        "PodRestarting:critical",
        "ApiErrorRateCritical:critical",
        "ApiErrorRateWarning:warning",
        "ApiLatencyP95High:warning",
        "WorkerErrorRateCritical:critical",
        "WorkerErrorRateWarning:warning",
        "WorkerLatencyP95High:warning",
        "PodCpuHigh:warning",
        "VolumeFillingUp:warning",
        "CertificateExpiringSoon:info",
      ],
      "1",
      10,
    ]);
  });

  it("labels every object of a service with its name and the stack, and the Deployment with the release's version too", async () => {
    const r = await renderKube(kubeConfig("prod"));
    const selector = { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "prod" };
    const release = { ...selector, "app.kubernetes.io/version": "sha-abc1234", "app.kubernetes.io/managed-by": "pulumi" };
    expect([
      at(object(r, K.deployment, "api"), "metadata.labels"),
      at(object(r, K.service, "api"), "metadata.labels"),
      at(object(r, K.serviceAccount, "api"), "metadata.labels"),
      at(object(r, K.hpa, "api"), "metadata.labels"),
      at(object(r, K.pdb, "api"), "metadata.labels"),
      at(object(r, K.networkPolicy, "api"), "metadata.labels"),
      at(object(r, K.virtualService, "api"), "metadata.labels"),
    ]).toEqual([release, release, release, selector, selector, selector, selector]);
  });

  it("lets Istio's gateway namespace in to a service when traffic is istio", async () => {
    const api = object(await renderKube(kubeConfig("staging")), K.networkPolicy, "api");
    expect(at<{ from: unknown[] }[]>(api, "spec.ingress")[0].from).toEqual([
      { podSelector: {} },
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } } },
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
    ]);
  });

  it("names the PrometheusRule after the stack, labels it for the operator's rule selector, and gives every alert the labels Alertmanager routes on", async () => {
    const r = await renderKube(kubeConfig("staging"));
    const rule = resourcesOf(r, K.prometheusRule)[0];
    type Alert = { alert: string; labels: Record<string, string> };
    const alerts = at<{ rules: Alert[] }[]>(rule, "spec.groups").flatMap((g) => g.rules);
    const base = { stack: "staging", namespace: "delivery-staging" };
    expect([
      at(rule, "metadata"),
      alerts.filter((a) => a.alert.startsWith("Api")).map((a) => a.labels),
      alerts.filter((a) => !a.alert.startsWith("Api") && !a.alert.startsWith("Worker")).map((a) => [a.alert, a.labels]),
    ]).toEqual([
      {
        name: "delivery-staging",
        namespace: "delivery-staging",
        labels: { "app.kubernetes.io/instance": "staging", "app.kubernetes.io/managed-by": "pulumi", release: "prometheus" },
      },
      [
        { severity: "critical", ...base, service: "api" },
        { severity: "warning", ...base, service: "api" },
        { severity: "warning", ...base, service: "api" },
      ],
      [
        ["PodRestarting", { severity: "critical", ...base }],
        ["PodCpuHigh", { severity: "warning", ...base }],
        ["VolumeFillingUp", { severity: "warning", ...base }],
        ["CertificateExpiringSoon", { severity: "info", ...base }],
      ],
    ]);
  });

  it("ships the release panels in the dashboard ConfigMap, each querying the stack's namespace", async () => {
    const dashboard = object(await renderKube(kubeConfig("staging")), K.configMap, "delivery-staging-dashboard");
    const json = JSON.parse(at<Record<string, string>>(dashboard, "data")["delivery-staging.json"]) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect([
      at(dashboard, "metadata.namespace"),
      json.panels.map((p) => p.title),
      json.panels.every((p) => p.targets.length > 0 && p.targets.every((t) => t.expr.includes("delivery-staging"))),
    ]).toEqual([
      "delivery-staging",
      ["Version", "Deploys", "Rollbacks", "Pods", "Restarts", "CPU", "Memory", "4xx/5xx", "Latency p50/p95/p99", "Requests per second"],
      true,
    ]);
  });

  it("exports the Kubernetes manifest: namespace, context, Prometheus, thresholds and each service's Deployment in deploy order", async () => {
    const r = await renderKube(kubeConfig("staging", { context: "staging", host: "staging.example.com" }));
    const manifest = r.outputs.deployment;
    expect(kubernetesManifestSchema.parse(manifest)).toEqual(manifest);
    expect(manifest).toEqual({
      schemaVersion: 1,
      runtime: "kubernetes",
      project: "delivery",
      stack: "staging",
      region: "us-east-1",
      kubernetes: { namespace: "delivery-staging", context: "staging" },
      prometheus: { url: "http://prometheus.monitoring:9090", traffic: "istio" },
      thresholds: {
        errorRateWarningPercent: 1,
        errorRateCriticalPercent: 5,
        errorRateFailPercent: 1,
        minRequests: 100,
        p95LatencyMs: 500,
        p99LatencyMs: 1000,
        windowSeconds: 300,
      },
      history: { prefix: "staging/" },
      services: [
        {
          name: "api",
          deployment: "api",
          image: "delivery/api",
          imageTag: "sha-abc1234",
          url: "http://staging.example.com/api",
          healthPath: "/health",
          smokePaths: [],
          dependsOn: [],
        },
        {
          name: "worker",
          deployment: "worker",
          image: "delivery/worker",
          imageTag: "sha-abc1234",
          url: "http://worker.delivery-staging.svc.cluster.local",
          healthPath: "/healthz",
          smokePaths: [],
          dependsOn: ["api"],
        },
      ],
    });
  });
});
