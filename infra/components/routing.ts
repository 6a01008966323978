import { DEFAULT_ROLLING } from "../../contract/tiers";
import { HEALTH_CHECK_INTERVAL_SECONDS, healthyThreshold } from "./lib/rolling";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { productionRulePriority, TEST_HEADER, testRulePriority } from "./lib/progressive";

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
  /**
   * Progressive delivery (ECS canary, linear, blue/green): the name of the second (alternate)
   * target group. The route then gets a production rule (the default route a catch-all one) and a
   * test rule, both forwarding to the two groups by weight, weights ECS moves during a deployment.
   */
  alternateTargetGroupName?: string;
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
  /** A new target must pass consecutive health checks for this long before it takes traffic. @default 10 */
  minReadySeconds?: number;
  tags: Record<string, string>;
}

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
    const tagsFor = (service: string) => ({ ...args.tags, service });

    const targetGroup = (resourceName: string, groupName: string, route: Route) =>
      new aws.lb.TargetGroup(
        resourceName,
        {
          name: groupName,
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
