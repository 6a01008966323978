import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkConfig } from "../config";
import { splitCidr } from "./lib/naming";

export interface NetworkArgs {
  /** Create a VPC (two AZs, public and private subnets) or use an existing one by id. */
  network: NetworkConfig;
  /** NAT gateways when creating: 2 (one per AZ) or 1 shared by both private subnets. @default 1 */
  natGateways?: 1 | 2;
  tags: Record<string, string>;
}

/**
 * The environment's network. Created: a VPC across two availability zones, a public and a private
 * subnet in each, an internet gateway, NAT for the private subnets (one per AZ or one shared) and
 * their route tables. Existing: the given ids, looked up by nothing and created not at all.
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly publicSubnetIds: pulumi.Output<string[]>;
  public readonly privateSubnetIds: pulumi.Output<string[]>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:network:Network", name, {}, opts);
    if (args.network.kind === "existing") {
      this.vpcId = pulumi.output(args.network.vpcId);
      this.publicSubnetIds = pulumi.output([...args.network.publicSubnetIds]);
      this.privateSubnetIds = pulumi.output([...args.network.privateSubnetIds]);
    } else {
      const created = this.createVpc(name, args.network.cidrBlock, args.natGateways ?? 1, args.tags);
      this.vpcId = created.vpcId;
      this.publicSubnetIds = created.publicSubnetIds;
      this.privateSubnetIds = created.privateSubnetIds;
    }
    this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
  }

  private createVpc(name: string, cidrBlock: string, natCount: 1 | 2, tags: Record<string, string>) {
    const parent = { parent: this };
    const named = (suffix: string) => ({ ...tags, Name: `${name}-${suffix}` });
    const azs = aws.getAvailabilityZonesOutput({ state: "available" }, parent).names;
    const [publicA, publicB, privateA, privateB] = splitCidr(cidrBlock, 4);
    const zones = [0, 1] as const;

    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock, enableDnsHostnames: true, enableDnsSupport: true, tags: named("vpc") }, parent);
    const subnet = (kind: "public" | "private", i: 0 | 1, cidr: string) =>
      new aws.ec2.Subnet(
        `${name}-${kind}-${i + 1}`,
        {
          vpcId: vpc.id,
          cidrBlock: cidr,
          availabilityZone: azs.apply((names) => names[i]),
          mapPublicIpOnLaunch: false,
          tags: named(`${kind}-${i + 1}`),
        },
        parent,
      );
    const publicSubnets = [subnet("public", 0, publicA), subnet("public", 1, publicB)];
    const privateSubnets = [subnet("private", 0, privateA), subnet("private", 1, privateB)];

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: named("igw") }, parent);
    const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: named("public") }, parent);
    new aws.ec2.Route(
      `${name}-public-default`,
      { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
      parent,
    );
    zones.forEach((i) => {
      new aws.ec2.RouteTableAssociation(
        `${name}-public-${i + 1}`,
        { subnetId: publicSubnets[i].id, routeTableId: publicRoutes.id },
        parent,
      );
    });

    const nats = zones.slice(0, natCount).map((i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-${i + 1}`, { domain: "vpc", tags: named(`nat-${i + 1}`) }, parent);
      return new aws.ec2.NatGateway(
        `${name}-nat-${i + 1}`,
        { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: named(`nat-${i + 1}`) },
        { parent: this, dependsOn: [igw] },
      );
    });
    zones.forEach((i) => {
      const table = new aws.ec2.RouteTable(`${name}-private-${i + 1}`, { vpcId: vpc.id, tags: named(`private-${i + 1}`) }, parent);
      const nat = nats[Math.min(i, nats.length - 1)];
      new aws.ec2.Route(
        `${name}-private-${i + 1}-default`,
        { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id },
        parent,
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-${i + 1}`, { subnetId: privateSubnets[i].id, routeTableId: table.id }, parent);
    });

    return {
      vpcId: vpc.id,
      publicSubnetIds: pulumi.all(publicSubnets.map((s) => s.id)),
      privateSubnetIds: pulumi.all(privateSubnets.map((s) => s.id)),
    };
  }
}
