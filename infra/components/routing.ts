import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One service as the load balancer routes it. */
export interface Route {
  service: string;
  port: number;
  healthCheckPath: string;
  /** The target group's name (32 characters at most). */
  targetGroupName: string;
  path?: string;
  host?: string;
  /** The listener rule's priority; a route without path and host has none: it is the default action. */
  priority?: number;
}

export interface RoutingArgs {
  vpcId: pulumi.Input<string>;
  loadBalancerArn: pulumi.Input<string>;
  routes: Route[];
  /** With a certificate: an HTTPS listener serves, and HTTP redirects to it. @default HTTP only */
  certificateArn?: string;
  /** @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
  sslPolicy?: string;
  /** Seconds a target drains before it is removed. @default 30 */
  deregistrationDelaySeconds?: number;
  tags: Record<string, string>;
}

/**
 * How requests reach the services: a target group per service (IP targets, health check on its
 * path), the listeners (HTTP; or HTTPS with HTTP redirecting to it) whose default action is the
 * service without path or host (a 404 when there is none), and a listener rule per routed service.
 */
export class Routing extends pulumi.ComponentResource {
  public readonly targetGroups: Record<string, aws.lb.TargetGroup>;
  /** The listener that serves requests (HTTPS when a certificate is set). */
  public readonly listener: aws.lb.Listener;
  /** Everything an ECS service must wait for: its target group must be attached to the load balancer. */
  public readonly attachments: pulumi.Resource[];

  constructor(name: string, args: RoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:lb:Routing", name, {}, opts);
    const parent = { parent: this };
    const tagsFor = (service: string) => ({ ...args.tags, service });

    this.targetGroups = {};
    for (const route of args.routes) {
      this.targetGroups[route.service] = new aws.lb.TargetGroup(
        `${name}-${route.service}`,
        {
          name: route.targetGroupName,
          port: route.port,
          protocol: "HTTP",
          targetType: "ip",
          vpcId: args.vpcId,
          deregistrationDelay: args.deregistrationDelaySeconds ?? 30,
          healthCheck: {
            enabled: true,
            path: route.healthCheckPath,
            protocol: "HTTP",
            port: "traffic-port",
            matcher: "200-399",
            interval: 15,
            timeout: 5,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
          },
          tags: tagsFor(route.service),
        },
        parent,
      );
    }

    const fallback = args.routes.find((r) => r.priority === undefined);
    const defaultAction: aws.types.input.lb.ListenerDefaultAction = fallback
      ? { type: "forward", targetGroupArn: this.targetGroups[fallback.service].arn }
      : { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not found" } };

    const listeners: aws.lb.Listener[] = [];
    if (args.certificateArn) {
      this.listener = new aws.lb.Listener(
        `${name}-https`,
        {
          loadBalancerArn: args.loadBalancerArn,
          port: 443,
          protocol: "HTTPS",
          certificateArn: args.certificateArn,
          sslPolicy: args.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06",
          defaultActions: [defaultAction],
          tags: args.tags,
        },
        parent,
      );
      const redirect = new aws.lb.Listener(
        `${name}-http`,
        {
          loadBalancerArn: args.loadBalancerArn,
          port: 80,
          protocol: "HTTP",
          defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
          tags: args.tags,
        },
        parent,
      );
      listeners.push(this.listener, redirect);
    } else {
      this.listener = new aws.lb.Listener(
        `${name}-http`,
        { loadBalancerArn: args.loadBalancerArn, port: 80, protocol: "HTTP", defaultActions: [defaultAction], tags: args.tags },
        parent,
      );
      listeners.push(this.listener);
    }

    const rules = args.routes
      .filter((r): r is Route & { priority: number } => r.priority !== undefined)
      .map(
        (route) =>
          new aws.lb.ListenerRule(
            `${name}-${route.service}`,
            {
              listenerArn: this.listener.arn,
              priority: route.priority,
              actions: [{ type: "forward", targetGroupArn: this.targetGroups[route.service].arn }],
              conditions: ruleConditions(route),
              tags: tagsFor(route.service),
            },
            parent,
          ),
      );

    this.attachments = [...listeners, ...rules];
    this.registerOutputs({ listenerArn: this.listener.arn });
  }
}

/** A rule's conditions: its host header and/or path pattern. */
export function ruleConditions(route: Pick<Route, "host" | "path">): aws.types.input.lb.ListenerRuleCondition[] {
  const conditions: aws.types.input.lb.ListenerRuleCondition[] = [];
  if (route.host) conditions.push({ hostHeader: { values: [route.host] } });
  if (route.path) conditions.push({ pathPattern: { values: [route.path] } });
  return conditions;
}
