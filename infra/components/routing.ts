import { DEFAULT_ROLLING } from "../../contract/tiers";
import { HEALTH_CHECK_INTERVAL_SECONDS, healthyThreshold } from "./lib/rolling";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { productionRulePriority, TEST_HEADER, testRulePriority } from "./lib/progressive";

/** One service as the load balancer routes it. */
export interface Route {
  /** The service's name: its target group and rule are named `<routing name>-<service>`. */
  service: string;
  /** The port the service's tasks listen on (the target group's port). */
  port: pulumi.Input<number>;
  /** The target group's health check path. @default "/health" */
  healthCheckPath?: pulumi.Input<string>;
  /** The target group's name (32 characters at most). */
  targetGroupName: pulumi.Input<string>;
  /** The rule's path pattern, e.g. `/api/*`. @default none (with `host` unset too: the default route) */
  path?: string;
  /** The rule's host header. @default none */
  host?: string;
  /** The listener rule's priority; a route without one is the listeners' default action (at most one such route). @default none */
  priority?: number;
  /**
   * Progressive delivery (ECS canary, linear, blue/green): the name of the second (alternate)
   * target group. The route then gets a production rule (the default route a catch-all one) and a
   * test rule, both forwarding to the two groups by weight, weights ECS moves during a deployment.
   * @default none (rolling: one target group)
   */
  alternateTargetGroupName?: pulumi.Input<string>;
}

/**
 * The args of the load balancer's routing: the VPC and load balancer it attaches to (Inputs of
 * their outputs) and one route per service; every optional field says its default.
 */
export interface RoutingArgs {
  vpcId: pulumi.Input<string>;
  loadBalancerArn: pulumi.Input<string>;
  routes: Route[];
  /** With a certificate: an HTTPS listener serves, and HTTP redirects to it (a plain string: it decides the listeners). @default HTTP only */
  certificateArn?: string;
  /** @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
  sslPolicy?: pulumi.Input<string>;
  /** Seconds a target drains before it is removed. @default 30 */
  deregistrationDelaySeconds?: number;
  /** A new target must pass consecutive health checks for this long before it takes traffic. @default 10 */
  minReadySeconds?: number;
  /** Tags of every resource (a route's also get `service`). @default {} */
  tags?: Record<string, string>;
}

/** The defaults of RoutingArgs and Route. */
export const ROUTING_DEFAULTS = {
  healthCheckPath: "/health",
  sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
  deregistrationDelaySeconds: 30,
} as const;

/**
 * How requests reach the services: a target group per service (IP targets, health check on its
 * path), the listeners (HTTP; or HTTPS with HTTP redirecting to it) whose default action is the
 * service without path or host (a 404 when there is none), and a listener rule per routed service.
 * A progressive route also gets an alternate target group, and weighted production and test rules.
 */
export class Routing extends pulumi.ComponentResource {
  public readonly targetGroups: Record<string, aws.lb.TargetGroup>;
  /** The listener that serves requests (HTTPS when a certificate is set). */
  public readonly listener: aws.lb.Listener;
  /** Everything an ECS service must wait for: its target group must be attached to the load balancer. */
  public readonly attachments: pulumi.Resource[];
  /** Progressive routes: the alternate target group, and the production and test rules ECS reweights. */
  public readonly alternateTargetGroups: Record<string, aws.lb.TargetGroup>;
  public readonly productionRules: Record<string, aws.lb.ListenerRule>;
  public readonly testRules: Record<string, aws.lb.ListenerRule>;

  constructor(name: string, args: RoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:lb:Routing", name, {}, opts);
    const parent = { parent: this };
    const tags = args.tags ?? {};
    const tagsFor = (service: string) => ({ ...tags, service });

    const targetGroup = (resourceName: string, groupName: pulumi.Input<string>, route: Route) =>
      new aws.lb.TargetGroup(
        resourceName,
        {
          name: groupName,
          port: route.port,
          protocol: "HTTP",
          targetType: "ip",
          vpcId: args.vpcId,
          deregistrationDelay: args.deregistrationDelaySeconds ?? ROUTING_DEFAULTS.deregistrationDelaySeconds,
          healthCheck: {
            enabled: true,
            path: route.healthCheckPath ?? ROUTING_DEFAULTS.healthCheckPath,
            protocol: "HTTP",
            port: "traffic-port",
            matcher: "200-399",
            interval: HEALTH_CHECK_INTERVAL_SECONDS,
            timeout: 5,
            healthyThreshold: healthyThreshold(args.minReadySeconds ?? DEFAULT_ROLLING.minReadySeconds),
            unhealthyThreshold: 3,
          },
          tags: tagsFor(route.service),
        },
        parent,
      );
    this.targetGroups = {};
    this.alternateTargetGroups = {};
    for (const route of args.routes) {
      this.targetGroups[route.service] = targetGroup(`${name}-${route.service}`, route.targetGroupName, route);
      if (route.alternateTargetGroupName) {
        this.alternateTargetGroups[route.service] = targetGroup(`${name}-${route.service}-alt`, route.alternateTargetGroupName, route);
      }
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
          sslPolicy: args.sslPolicy ?? ROUTING_DEFAULTS.sslPolicy,
          defaultActions: [defaultAction],
          tags,
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
          tags,
        },
        parent,
      );
      listeners.push(this.listener, redirect);
    } else {
      this.listener = new aws.lb.Listener(
        `${name}-http`,
        { loadBalancerArn: args.loadBalancerArn, port: 80, protocol: "HTTP", defaultActions: [defaultAction], tags },
        parent,
      );
      listeners.push(this.listener);
    }

    const rules = args.routes
      .filter((r): r is Route & { priority: number } => r.priority !== undefined && !r.alternateTargetGroupName)
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

    // Progressive routes: ECS moves the weights of these rules during a deployment, so Pulumi sets
    // the actions once (all traffic to the first group) and then leaves them to ECS.
    this.productionRules = {};
    this.testRules = {};
    for (const route of args.routes.filter((r) => r.alternateTargetGroupName)) {
      const weighted: aws.types.input.lb.ListenerRuleAction[] = [
        {
          type: "forward",
          forward: {
            targetGroups: [
              { arn: this.targetGroups[route.service].arn, weight: 100 },
              { arn: this.alternateTargetGroups[route.service].arn, weight: 0 },
            ],
          },
        },
      ];
      const conditions = route.priority === undefined ? [{ pathPattern: { values: ["/*"] } }] : ruleConditions(route);
      const rule = (suffix: string, priority: number, extra: aws.types.input.lb.ListenerRuleCondition[]) =>
        new aws.lb.ListenerRule(
          `${name}-${route.service}${suffix}`,
          {
            listenerArn: this.listener.arn,
            priority,
            actions: weighted,
            conditions: [...conditions, ...extra],
            tags: tagsFor(route.service),
          },
          { parent: this, ignoreChanges: ["actions"] },
        );
      this.productionRules[route.service] = rule("", productionRulePriority(route.priority), []);
      this.testRules[route.service] = rule("-test", testRulePriority(route.priority), [
        { httpHeader: { httpHeaderName: TEST_HEADER.name, values: [TEST_HEADER.value] } },
      ]);
    }

    this.attachments = [...listeners, ...rules, ...Object.values(this.productionRules), ...Object.values(this.testRules)];
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
