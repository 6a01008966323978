import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ofType, resourceRule, type StackResource, stackRule } from "./lib/define";
import { arr, type Props, rec, seen, str } from "./lib/values";

const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];

const isApplication = (props: Props) => props.loadBalancerType === undefined || props.loadBalancerType === "application";

/** ELB security policies that accept TLS 1.2 or newer only (the TLS13-1-2/1-3, TLS-1-2 and FS-1-2 families). */
export function isTls12OrNewer(policy: unknown): boolean {
  return typeof policy === "string" && /^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)/.test(policy);
}

export const albDropInvalidHeaders = resourceRule({
  name: "alb-drop-invalid-headers",
  description:
    "Application Load Balancers drop HTTP headers with invalid fields, a request-smuggling defence (Security Hub ELB.4, checkov CKV_AWS_131).",
  remediation: "Set dropInvalidHeaderFields: true on the load balancer.",
  severity: "medium",
  types: LOAD_BALANCERS,
  validate(props, ctx) {
    if (isApplication(props) && props.dropInvalidHeaderFields !== true)
      ctx.report(`dropInvalidHeaderFields is ${seen(props.dropInvalidHeaderFields)}; it must be true.`);
  },
});

export const albAccessLogsProd = resourceRule({
  name: "alb-access-logs-prod",
  description: "In prod, load balancers write access logs to S3 (Security Hub ELB.5, checkov CKV_AWS_91).",
  remediation: "Set accessLogs: { bucket: <log bucket>, enabled: true } (delivery:loadBalancer.accessLogs, on by default in prod).",
  severity: "medium",
  tiers: ["prod"],
  types: LOAD_BALANCERS,
  validate(props, ctx) {
    const logs = rec(props.accessLogs);
    if (logs?.enabled !== true || typeof logs.bucket !== "string")
      ctx.report(`accessLogs is enabled ${seen(logs?.enabled)}, bucket ${seen(logs?.bucket)}; prod load balancers must log to a bucket.`);
  },
});

export const albDeletionProtectionProd = resourceRule({
  name: "alb-deletion-protection-prod",
  description: "In prod, load balancers have deletion protection on (Security Hub ELB.6, checkov CKV_AWS_150).",
  remediation: "Set enableDeletionProtection: true on the load balancer (prod's default through the tier's deletionProtection).",
  severity: "medium",
  tiers: ["prod"],
  types: LOAD_BALANCERS,
  validate(props, ctx) {
    if (props.enableDeletionProtection !== true)
      ctx.report(
        `enableDeletionProtection is ${seen(props.enableDeletionProtection)}; prod load balancers must be protected from deletion.`,
      );
  },
});

export const albListenerTls = resourceRule({
  name: "alb-listener-tls12",
  description:
    "HTTPS listeners accept TLS 1.2 or newer only (an ELBSecurityPolicy of the TLS13-1-2, TLS13-1-3, TLS-1-2 or FS-1-2 family) (checkov CKV_AWS_103).",
  remediation:
    'Set sslPolicy to "ELBSecurityPolicy-TLS13-1-2-2021-06" (delivery:loadBalancer.sslPolicy) or another TLS 1.2+ policy; unset means ELBSecurityPolicy-2016-08, which allows TLS 1.0.',
  severity: "high",
  types: LISTENERS,
  validate(props, ctx) {
    if (props.protocol === "HTTPS" && !isTls12OrNewer(props.sslPolicy))
      ctx.report(`sslPolicy is ${seen(props.sslPolicy)}; HTTPS listeners must use a TLS 1.2 or newer security policy.`);
  },
});

/** The load balancer a listener belongs to: by ARN or id, else the only load balancer of the stack. */
function ownerOf(listener: StackResource, balancers: readonly StackResource[]): StackResource | undefined {
  const arn = str(listener.props.loadBalancerArn);
  const byArn = balancers.find((lb) => arn !== undefined && (lb.props.arn === arn || lb.props.id === arn));
  return byArn ?? (balancers.length === 1 ? balancers[0] : undefined);
}

function redirectsToHttps(listener: StackResource): boolean {
  const actions = arr(listener.props.defaultActions).map((a) => rec(a) ?? {});
  return actions.length > 0 && actions.every((a) => a.type === "redirect" && rec(a.redirect)?.protocol === "HTTPS");
}

export const albHttpsProd = stackRule({
  name: "alb-https-prod",
  description:
    "In prod, every Application Load Balancer serves HTTPS and its plain-HTTP listeners only redirect to HTTPS (Security Hub ELB.1, checkov CKV_AWS_2).",
  remediation:
    "Set delivery:loadBalancer.certificateArn in Pulumi.prod.yaml (an ACM certificate): the component then adds an HTTPS listener and turns the HTTP listener into a redirect.",
  severity: "high",
  tiers: ["prod"],
  validate(resources, ctx) {
    const balancers = ofType(resources, ...LOAD_BALANCERS).filter((lb) => isApplication(lb.props));
    const listeners = ofType(resources, ...LISTENERS);
    for (const lb of balancers) {
      const own = listeners.filter((l) => ownerOf(l, balancers) === lb);
      if (!own.some((l) => l.props.protocol === "HTTPS"))
        ctx.report(`load balancer ${lb.name} has no HTTPS listener; prod must serve HTTPS.`, lb.urn);
      for (const l of own.filter((x) => x.props.protocol === "HTTP" && !redirectsToHttps(x))) {
        ctx.report(`listener ${l.name} serves plain HTTP (port ${seen(l.props.port)}) instead of redirecting to HTTPS.`, l.urn);
      }
    }
  },
});

export const albPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
  albDropInvalidHeaders,
  albAccessLogsProd,
  albDeletionProtectionProd,
  albListenerTls,
  albHttpsProd,
];
