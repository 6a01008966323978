import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../infra/config";
import { environmentConfig, serviceEntry } from "../../support/pulumi";
import { kubeConfig } from "./support";

function problems(delivery: Record<string, unknown>, secretPaths: string[] = []): string[] {
  try {
    environmentConfig({ tier: "staging", services: [serviceEntry("api")], ...delivery }, { stack: "staging", secretPaths });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path} ${p.message}`);
    throw err;
  }
  return [];
}

describe("delivery:runtime and delivery:kubernetes", () => {
  it("defaults the runtime to ecs and keeps delivery:kubernetes away from it", () => {
    const config = environmentConfig({ tier: "dev", services: [serviceEntry("api")] });
    expect([config.runtime, config.kubernetes]).toEqual(["ecs", undefined]);
  });

  it("applies the defaults: namespace delivery-<stack>, istio, class nginx, host <stack>.delivery.local, the tier's sizing", () => {
    const config = kubeConfig("prod");
    expect([config.runtime, config.pipeline, config.kubernetes]).toEqual([
      "kubernetes",
      undefined,
      {
        namespace: "delivery-prod",
        traffic: "istio",
        ingressClass: "nginx",
        host: "prod.delivery.local",
        gateway: "istio-system/ingressgateway",
        prometheusUrl: "http://prometheus.monitoring:9090",
        services: {
          api: { cpu: "500m", memory: "512Mi", progressDeadlineSeconds: 600, writablePaths: ["/tmp"], secrets: {} },
          worker: { cpu: "500m", memory: "512Mi", progressDeadlineSeconds: 600, writablePaths: ["/tmp"], secrets: {} },
        },
      },
    ]);
  });

  it("gives settings for a service the stack does not have the stable code unknown-service", () => {
    const codes = (() => {
      try {
        kubeConfig("dev", { services: { ghost: { cpu: "1" } } });
        return [];
      } catch (err) {
        return err instanceof ConfigError ? err.problems.map((p) => p.code) : [];
      }
    })();
    expect(codes).toEqual(["unknown-service"]);
  });

  it("releases with a rolling update in every tier: prod's default canary strategy is ECS's", () => {
    const config = environmentConfig(
      { tier: "prod", runtime: "kubernetes", kubernetes: { prometheusUrl: "http://p:9090" }, services: [serviceEntry("api")] },
      { stack: "prod" },
    );
    expect(config.services[0].deployment).toEqual({ strategy: "rolling" });
  });

  it("needs no aws:region on a Kubernetes stack", () => {
    const config = environmentConfig(
      { tier: "dev", runtime: "kubernetes", kubernetes: { prometheusUrl: "http://p:9090" }, services: [serviceEntry("api")] },
      { extra: { "aws:region": undefined } },
    );
    expect([config.region, config.kubernetes?.namespace]).toEqual(["", "delivery-test"]);
  });

  it.each<[string, Record<string, unknown>, string[], string[]]>([
    ["an unknown runtime", { runtime: "nomad" }, [], ['delivery:runtime is "nomad"; expected one of ecs, docker, kubernetes.']],
    [
      "a kubernetes runtime without its settings",
      { runtime: "kubernetes" },
      [],
      [
        "delivery:kubernetes is missing; a Kubernetes stack needs at least { prometheusUrl } (namespace, context, traffic... are optional).",
      ],
    ],
    [
      "kubernetes settings on an ECS stack",
      { kubernetes: { prometheusUrl: "http://p:9090" } },
      [],
      ['delivery:kubernetes is set, but delivery:runtime is "ecs"; set delivery:runtime: kubernetes or remove it.'],
    ],
    [
      "a traffic source Kubernetes metrics do not come from",
      { runtime: "kubernetes", kubernetes: { prometheusUrl: "http://p:9090", traffic: "linkerd" } },
      [],
      ['delivery:kubernetes.traffic is "linkerd"; expected one of istio, ingress-nginx.'],
    ],
    [
      "a plaintext kubeconfig",
      { runtime: "kubernetes", kubernetes: { prometheusUrl: "http://p:9090", kubeconfig: "apiVersion: v1" } },
      [],
      [
        "delivery:kubernetes.kubeconfig is a plaintext value; it must be a Pulumi secret. Set it with: pulumi config set --secret --path 'delivery:kubernetes.kubeconfig' <value>.",
      ],
    ],
    [
      "a service's secret given in plain text instead of a secure: value, without echoing it",
      {
        runtime: "kubernetes",
        kubernetes: { prometheusUrl: "http://p:9090", secrets: { api: { DATABASE_URL: "postgres://u:p@db/app" } } },
      },
      [],
      [
        "delivery:kubernetes.secrets.api.DATABASE_URL is a plaintext value; it must be a Pulumi secret. Set it with: pulumi config set --secret --path 'delivery:kubernetes.secrets.api.DATABASE_URL' <value>.",
      ],
    ],
    [
      "settings and secrets for a service the stack does not have",
      {
        runtime: "kubernetes",
        kubernetes: { prometheusUrl: "http://p:9090", services: { apu: { cpu: "1" } }, secrets: { web: { TOKEN: "x" } } },
      },
      ["delivery:kubernetes.secrets.web.TOKEN"],
      [
        'delivery:kubernetes.services.apu names no service; delivery:services lists "api".',
        'delivery:kubernetes.secrets.web names no service; delivery:services lists "api".',
      ],
    ],
    [
      "a service's Secrets Manager or SSM references, which nothing on Kubernetes reads",
      {
        runtime: "kubernetes",
        kubernetes: { prometheusUrl: "http://p:9090" },
        services: [serviceEntry("api", { secrets: ["DATABASE_URL", "API_TOKEN"] })],
      },
      [],
      [
        `delivery:services[0].secrets is ["DATABASE_URL","API_TOKEN"]; a Kubernetes stack reads no Secrets Manager or SSM parameter: set each variable as a secure value in delivery:kubernetes.secrets.api (pulumi config set --secret --path 'delivery:kubernetes.secrets.api.DATABASE_URL' <value>), and remove it.`,
      ],
    ],
    [
      "service keys a Kubernetes stack takes from elsewhere or has no use for, each naming where it lives",
      {
        runtime: "kubernetes",
        kubernetes: { prometheusUrl: "http://p:9090" },
        services: [
          serviceEntry("api", {
            cpu: 512,
            memory: 1024,
            desiredCount: 4,
            autoscaling: { min: 2, max: 8 },
            host: "api.example.com",
            readonlyRootFilesystem: false,
            deployment: { strategy: "canary", canary: { steps: [10, 100] } },
          }),
        ],
      },
      [],
      [
        `delivery:services[0].cpu is 512; a Kubernetes stack takes this from delivery:kubernetes.services.api.cpu (a quantity such as "500m"; default: the tier's), so it would be ignored: remove it.`,
        `delivery:services[0].memory is 1024; a Kubernetes stack takes this from delivery:kubernetes.services.api.memory (a quantity such as "512Mi"; default: the tier's), so it would be ignored: remove it.`,
        "delivery:services[0].desiredCount is 4; a Kubernetes stack takes this from the tier (replicas: dev 1, staging 2, prod 3), so it would be ignored: remove it.",
        `delivery:services[0].autoscaling is {"min":2,"max":8}; a Kubernetes stack takes this from the tier (a HorizontalPodAutoscaler in staging, 2-5, and prod, 3-20, at 70% CPU), so it would be ignored: remove it.`,
        'delivery:services[0].host is "api.example.com"; a Kubernetes stack takes this from delivery:kubernetes.host, so it would be ignored: remove it.',
        "delivery:services[0].readonlyRootFilesystem is false; Kubernetes pods always run with a read-only root filesystem: give the paths the service writes in delivery:kubernetes.services.api.writablePaths, and remove it.",
        'delivery:services[0].deployment.strategy is "canary"; a Kubernetes Deployment releases with a rolling update only (progressive delivery is ECS\'s): remove it.',
        "delivery:services[0].deployment.canary is set; a Kubernetes Deployment releases with a rolling update only (progressive delivery is ECS's), so it would be ignored: remove it.",
      ],
    ],
    [
      "a CPU quantity Kubernetes does not read",
      { runtime: "kubernetes", kubernetes: { prometheusUrl: "http://p:9090", services: { api: { cpu: "250 millicores" } } } },
      [],
      ['delivery:kubernetes.services.api.cpu is "250 millicores"; expected a Kubernetes CPU quantity such as "250m" or "1".'],
    ],
  ])("reports %s", (_, delivery, secretPaths, expected) => {
    expect(problems(delivery, secretPaths)).toEqual(expected);
  });
});
