import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesTraffic } from "./settings";
import { selectorLabels } from "./settings";

export interface ExposureArgs {
  namespace: pulumi.Input<string>;
  service: string;
  stack: string;
  /** The Service's name and port the route sends to. */
  serviceName: pulumi.Input<string>;
  /** The container port the NetworkPolicy lets in. */
  port: number;
  /** "istio": a VirtualService on the gateway; "ingress-nginx": an Ingress. */
  traffic: KubernetesTraffic;
  /** The route's path prefix (an ALB-style `/api/*` loses its `/*`); undefined: no route. @default none */
  path?: string;
  host: pulumi.Input<string>;
  /** @default "nginx" */
  ingressClass?: pulumi.Input<string>;
  /** @default "istio-system/ingressgateway" */
  gateway?: pulumi.Input<string>;
}

/** Where the ingress controller (or Istio's gateway) runs, for the NetworkPolicy. */
export const INGRESS_NAMESPACES: Record<KubernetesTraffic, string> = { istio: "istio-system", "ingress-nginx": "ingress-nginx" };

/** `/api/*` -> `/api`; `/` stays `/`. */
export function routePrefix(path: string): string {
  const trimmed = path.replace(/\/?\*+$/, "");
  return trimmed === "" ? "/" : trimmed;
}

/**
 * How traffic reaches one service: a NetworkPolicy that denies all ingress except from the same
 * namespace and the ingress controller's (plus Prometheus' scrapes from monitoring), and, for a
 * service with a path, an Ingress (ingress-nginx) or an Istio VirtualService.
 */
export class Exposure extends pulumi.ComponentResource {
  public readonly networkPolicy: k8s.networking.v1.NetworkPolicy;
  public readonly route?: k8s.networking.v1.Ingress | k8s.apiextensions.CustomResource;

  constructor(name: string, args: ExposureArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:kubernetes:Exposure", name, {}, opts);
    const parent = { parent: this };
    const labels = selectorLabels(args.service, args.stack);
    const metadata = { name: args.service, namespace: args.namespace, labels };
    const fromNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });
    this.networkPolicy = new k8s.networking.v1.NetworkPolicy(
      `${name}-netpol`,
      {
        metadata,
        spec: {
          podSelector: { matchLabels: labels },
          policyTypes: ["Ingress"],
          ingress: [
            {
              from: [{ podSelector: {} }, fromNamespace(INGRESS_NAMESPACES[args.traffic]), fromNamespace("monitoring")],
              ports: [{ protocol: "TCP", port: args.port }],
            },
          ],
        },
      },
      parent,
    );
    if (args.path !== undefined) {
      const prefix = routePrefix(args.path);
      this.route =
        args.traffic === "ingress-nginx"
          ? new k8s.networking.v1.Ingress(
              `${name}-ingress`,
              {
                metadata,
                spec: {
                  ingressClassName: args.ingressClass ?? "nginx",
                  rules: [
                    {
                      host: args.host,
                      http: {
                        paths: [
                          { path: prefix, pathType: "Prefix", backend: { service: { name: args.serviceName, port: { name: "http" } } } },
                        ],
                      },
                    },
                  ],
                },
              },
              parent,
            )
          : new k8s.apiextensions.CustomResource(
              `${name}-virtualservice`,
              {
                apiVersion: "networking.istio.io/v1beta1",
                kind: "VirtualService",
                metadata,
                spec: {
                  hosts: [args.host],
                  gateways: [args.gateway ?? "istio-system/ingressgateway"],
                  http: [
                    {
                      match: [{ uri: { prefix } }],
                      route: [{ destination: { host: args.serviceName, port: { number: 80 } } }],
                    },
                  ],
                },
              },
              parent,
            );
    }
    this.registerOutputs({});
  }
}
