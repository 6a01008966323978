import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SecureBucket } from "./secureBucket";

export interface LoadBalancerArgs {
  /** The ALB's name (32 characters at most: see lib/naming loadBalancerName). */
  loadBalancerName: string;
  vpcId: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Also open 443 (an HTTPS listener will use it). @default false */
  https?: boolean;
  /** @default 60 */
  idleTimeoutSeconds?: number;
  /** @default false */
  deletionProtection?: boolean;
  /** Write access logs to a bucket this component creates. @default none */
  accessLogs?: {
    retentionDays: number;
    forceDestroy: boolean;
    partition: string;
    region: string;
    accountId: pulumi.Input<string>;
  };
  tags: Record<string, string>;
}

export const ACCESS_LOG_PREFIX = "alb";

/**
 * The internet-facing Application Load Balancer and its security group (80, and 443 with HTTPS,
 * from anywhere; egress only to the services, added by each Service). Drops invalid header fields;
 * deletion protection and access logs as configured. Listeners and rules live in Routing.
 */
export class LoadBalancer extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;
  /** `app/<name>/<id>`: CloudWatch's LoadBalancer dimension. */
  public readonly arnSuffix: pulumi.Output<string>;
  public readonly dnsName: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly accessLogBucket?: SecureBucket;

  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:lb:LoadBalancer", name, {}, opts);
    const parent = { parent: this };
    const sg = new aws.ec2.SecurityGroup(
      `${name}-alb`,
      { vpcId: args.vpcId, description: `${name} load balancer: HTTP(S) from anywhere`, tags: { ...args.tags, Name: `${name}-alb` } },
      parent,
    );
    const ports = args.https ? [80, 443] : [80];
    for (const port of ports) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-alb-${port}`,
        {
          securityGroupId: sg.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: "0.0.0.0/0",
          description: `HTTP${port === 443 ? "S" : ""} from anywhere`,
          tags: args.tags,
        },
        parent,
      );
    }

    let accessLogs: aws.types.input.lb.LoadBalancerAccessLogs | undefined;
    const dependsOn: pulumi.Resource[] = [];
    if (args.accessLogs) {
      const logs = args.accessLogs;
      const elb = aws.elb.getServiceAccountOutput({}, parent);
      this.accessLogBucket = new SecureBucket(
        `${name}-access-logs`,
        {
          expireDays: logs.retentionDays,
          forceDestroy: logs.forceDestroy,
          albLogDelivery: {
            prefix: ACCESS_LOG_PREFIX,
            partition: logs.partition,
            region: logs.region,
            accountId: logs.accountId,
            elbAccountArn: elb.arn,
          },
          tags: args.tags,
        },
        parent,
      );
      accessLogs = { bucket: this.accessLogBucket.bucketName, prefix: ACCESS_LOG_PREFIX, enabled: true };
      // ELB checks that it may write to the bucket when the load balancer is created.
      dependsOn.push(this.accessLogBucket.policy);
    }

    const alb = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        name: args.loadBalancerName,
        loadBalancerType: "application",
        internal: false,
        securityGroups: [sg.id],
        subnets: args.publicSubnetIds,
        dropInvalidHeaderFields: true,
        enableDeletionProtection: args.deletionProtection ?? false,
        idleTimeout: args.idleTimeoutSeconds ?? 60,
        accessLogs,
        tags: args.tags,
      },
      { parent: this, dependsOn },
    );

    this.arn = alb.arn;
    this.arnSuffix = alb.arnSuffix;
    this.dnsName = alb.dnsName;
    this.securityGroupId = sg.id;
    this.registerOutputs({ arn: this.arn, arnSuffix: this.arnSuffix, dnsName: this.dnsName, securityGroupId: this.securityGroupId });
  }
}
