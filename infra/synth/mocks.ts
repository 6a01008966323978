import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { partitionOf } from "../components/lib/naming";

/** The account every mocked ARN names. */
export const MOCK_ACCOUNT_ID = "123456789012";

type Inputs = Record<string, unknown>;
type State = { id: string; state: Inputs };

/** What a resource handler gets: the resource, its inputs, and deterministic ids derived from its type and name. */
interface MockContext {
  type: string;
  name: string;
  inputs: Inputs;
  region: string;
  account: string;
  /** `n` hex characters from sha256(type::name). */
  hex(n: number): string;
  /** The input `name` (or `field`), else the Pulumi name plus 7 hex: what Pulumi's auto-naming would give. */
  physical(field?: string): string;
}

/** The regional Elastic Load Balancing accounts (access-log bucket policies) the mocks know; others get a made-up one. */
const ELB_ACCOUNTS: Record<string, string> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "eu-west-1": "156460612806",
  "eu-central-1": "054676820928",
};

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/**
 * Pulumi's mock runtime for this program: every resource type it uses gets plausible ids and ARNs
 * (region from the config, account 123456789012), all derived from a hash of type and name so two
 * renders of one config are identical. `call` answers exactly the invokes the program makes and
 * throws on any other, so nothing passes by accident.
 */
export class DeliveryMocks implements pulumi.runtime.Mocks {
  constructor(
    readonly region: string,
    readonly account: string = MOCK_ACCOUNT_ID,
  ) {}

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    if (!args.custom) return { id: undefined, state: {} };
    const inputs = (args.inputs ?? {}) as Inputs;
    const digest = createHash("sha256").update(`${args.type}::${args.name}`).digest("hex");
    const ctx: MockContext = {
      type: args.type,
      name: args.name,
      inputs,
      region: this.region,
      account: this.account,
      hex: (n) => digest.slice(0, n),
      physical: (field = "name") => str(inputs[field]) || `${args.name}-${digest.slice(0, 7)}`,
    };
    const handler = HANDLERS[args.type] ?? generic;
    const { id, state } = handler(ctx);
    return { id, state: { ...inputs, ...state } };
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    const { region, account } = this;
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { id: account, accountId: account, arn: `arn:aws:iam::${account}:user/synth`, userId: "AIDASYNTHMOCKUSER0000" };
      case "aws:index/getAvailabilityZones:getAvailabilityZones":
        return {
          id: region,
          names: ["a", "b", "c"].map((z) => `${region}${z}`),
          zoneIds: ["1", "2", "3"].map((z) => `${region}-az${z}`),
          state: "available",
        };
      // Not called by the environment itself; the delivery pipeline component uses them.
      case "aws:index/getPartition:getPartition":
        return { id: partitionOf(region), partition: partitionOf(region), dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
      case "aws:index/getRegion:getRegion":
        return { id: region, name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
      case "aws:elb/getServiceAccount:getServiceAccount": {
        const elb = ELB_ACCOUNTS[region] ?? "999999999999";
        return { id: elb, arn: `arn:aws:iam::${elb}:root`, region };
      }
      default:
        throw new Error(
          `the mocks do not answer the invoke ${args.token}: add it to infra/synth/mocks.ts (and only if the program really calls it)`,
        );
    }
  }
}

const ec2 =
  (prefix: string) =>
  (c: MockContext): State => {
    const id = `${prefix}-${c.hex(17)}`;
    return { id, state: { arn: `arn:aws:ec2:${c.region}:${c.account}:${prefix}/${id}`, ownerId: c.account } };
  };

const uuid = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

const HANDLERS: Record<string, (c: MockContext) => State> = {
  "aws:ec2/vpc:Vpc": ec2("vpc"),
  "aws:ec2/subnet:Subnet": ec2("subnet"),
  "aws:ec2/internetGateway:InternetGateway": ec2("igw"),
  "aws:ec2/natGateway:NatGateway": ec2("nat"),
  "aws:ec2/routeTable:RouteTable": ec2("rtb"),
  "aws:ec2/route:Route": (c) => ({ id: `r-${c.hex(17)}`, state: {} }),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": (c) => ({ id: `rtbassoc-${c.hex(17)}`, state: {} }),
  "aws:ec2/eip:Eip": (c) => {
    const bytes = [0, 2, 4].map((i) => parseInt(c.hex(6).slice(i, i + 2), 16));
    return { id: `eipalloc-${c.hex(17)}`, state: { allocationId: `eipalloc-${c.hex(17)}`, publicIp: `52.${bytes.join(".")}` } };
  },
  "aws:ec2/securityGroup:SecurityGroup": (c) => {
    const id = `sg-${c.hex(17)}`;
    return { id, state: { name: c.physical(), arn: `arn:aws:ec2:${c.region}:${c.account}:security-group/${id}`, ownerId: c.account } };
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (c) => ({
    id: `sgr-${c.hex(17)}`,
    state: { securityGroupRuleId: `sgr-${c.hex(17)}` },
  }),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (c) => ({
    id: `sgr-${c.hex(17)}`,
    state: { securityGroupRuleId: `sgr-${c.hex(17)}` },
  }),
  "aws:lb/loadBalancer:LoadBalancer": (c) => {
    const name = c.physical();
    const arnSuffix = `app/${name}/${c.hex(16)}`;
    const arn = `arn:aws:elasticloadbalancing:${c.region}:${c.account}:loadbalancer/${arnSuffix}`;
    const dnsName = `${name}-${parseInt(c.hex(8), 16) % 10 ** 10}.${c.region}.elb.amazonaws.com`;
    return { id: arn, state: { name, arn, arnSuffix, dnsName, zoneId: "Z35SXDOTRQ7X7K" } };
  },
  "aws:lb/targetGroup:TargetGroup": (c) => {
    const name = c.physical();
    const arnSuffix = `targetgroup/${name}/${c.hex(16)}`;
    const arn = `arn:aws:elasticloadbalancing:${c.region}:${c.account}:${arnSuffix}`;
    return { id: arn, state: { name, arn, arnSuffix } };
  },
  "aws:lb/listener:Listener": (c) => {
    const arn = `${str(c.inputs.loadBalancerArn).replace(":loadbalancer/", ":listener/")}/${c.hex(16)}`;
    return { id: arn, state: { arn } };
  },
  "aws:lb/listenerRule:ListenerRule": (c) => {
    const arn = `${str(c.inputs.listenerArn).replace(":listener/", ":listener-rule/")}/${c.hex(16)}`;
    return { id: arn, state: { arn } };
  },
  "aws:ecs/cluster:Cluster": (c) => {
    const name = c.physical();
    const arn = `arn:aws:ecs:${c.region}:${c.account}:cluster/${name}`;
    return { id: arn, state: { name, arn } };
  },
  "aws:ecs/service:Service": (c) => {
    const name = c.physical();
    const cluster = str(c.inputs.cluster).split("/").pop() || "default";
    const arn = `arn:aws:ecs:${c.region}:${c.account}:service/${cluster}/${name}`;
    return { id: arn, state: { name, arn } };
  },
  "aws:ecs/taskDefinition:TaskDefinition": (c) => {
    const family = c.physical("family");
    const arnWithoutRevision = `arn:aws:ecs:${c.region}:${c.account}:task-definition/${family}`;
    // A revision that follows the content, as registering a changed definition makes a new one: a
    // changed image shows up downstream (the service's taskDefinition) in a plan diff.
    const revision = 1 + (parseInt(createHash("sha256").update(JSON.stringify(c.inputs)).digest("hex").slice(0, 6), 16) % 999);
    return { id: family, state: { arn: `${arnWithoutRevision}:${revision}`, arnWithoutRevision, revision } };
  },
  "aws:ecr/repository:Repository": (c) => {
    const name = c.physical();
    return {
      id: name,
      state: {
        name,
        arn: `arn:aws:ecr:${c.region}:${c.account}:repository/${name}`,
        registryId: c.account,
        repositoryUrl: `${c.account}.dkr.ecr.${c.region}.amazonaws.com/${name}`,
      },
    };
  },
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": (c) => ({ id: str(c.inputs.repository), state: { registryId: c.account } }),
  "aws:cloudwatch/logGroup:LogGroup": (c) => {
    const name = c.physical();
    return { id: name, state: { name, arn: `arn:aws:logs:${c.region}:${c.account}:log-group:${name}` } };
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => {
    const name = c.physical();
    return { id: name, state: { name, arn: `arn:aws:cloudwatch:${c.region}:${c.account}:alarm:${name}` } };
  },
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": (c) => ({ id: c.physical("policyName"), state: {} }),
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": (c) => ({ id: c.physical(), state: {} }),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (c) => ({ id: `${str(c.inputs.role)}-${c.hex(20)}`, state: {} }),
  "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": (c) => {
    const name = c.physical("configurationName");
    return { id: name, state: { chatConfigurationArn: `arn:aws:chatbot::${c.account}:chat-configuration/slack-channel/${name}` } };
  },
  "aws:cloudwatch/dashboard:Dashboard": (c) => {
    const name = c.physical("dashboardName");
    return { id: name, state: { dashboardName: name, dashboardArn: `arn:aws:cloudwatch::${c.account}:dashboard/${name}` } };
  },
  "aws:iam/role:Role": (c) => {
    const name = c.physical();
    return { id: name, state: { name, arn: `arn:aws:iam::${c.account}:role/${name}`, uniqueId: `AROA${c.hex(17).toUpperCase()}` } };
  },
  "aws:iam/rolePolicy:RolePolicy": (c) => {
    const name = c.physical();
    return { id: `${str(c.inputs.role)}:${name}`, state: { name } };
  },
  "aws:appautoscaling/target:Target": (c) => ({
    id: str(c.inputs.resourceId),
    state: { arn: `arn:aws:application-autoscaling:${c.region}:${c.account}:scalable-target/${c.hex(28)}` },
  }),
  "aws:appautoscaling/policy:Policy": (c) => {
    const name = c.physical();
    const arn = `arn:aws:autoscaling:${c.region}:${c.account}:scalingPolicy:${uuid(c.hex(32))}:resource/ecs/${str(c.inputs.resourceId)}:policyName/${name}`;
    return { id: name, state: { name, arn, alarmArns: [] } };
  },
  "aws:sns/topic:Topic": (c) => {
    const name = c.physical();
    const arn = `arn:aws:sns:${c.region}:${c.account}:${name}`;
    return { id: arn, state: { name, arn, owner: c.account } };
  },
  "aws:sns/topicPolicy:TopicPolicy": (c) => ({ id: str(c.inputs.arn), state: { owner: c.account } }),
  "aws:sns/topicSubscription:TopicSubscription": (c) => {
    const arn = `${str(c.inputs.topic)}:${uuid(c.hex(32))}`;
    return { id: arn, state: { arn, ownerId: c.account } };
  },
  "aws:kms/key:Key": (c) => {
    const keyId = uuid(c.hex(32));
    return { id: keyId, state: { keyId, arn: `arn:aws:kms:${c.region}:${c.account}:key/${keyId}` } };
  },
  "aws:kms/alias:Alias": (c) => {
    const name = c.physical();
    return { id: name, state: { name, arn: `arn:aws:kms:${c.region}:${c.account}:${name}` } };
  },
  "aws:ssm/parameter:Parameter": (c) => {
    const name = c.physical();
    const path = name.startsWith("/") ? name : `/${name}`;
    // The value is a secret input: the mock state does not echo it back.
    return { id: name, state: { value: undefined, name, arn: `arn:aws:ssm:${c.region}:${c.account}:parameter${path}`, version: 1 } };
  },
  "aws:s3/bucket:Bucket": (c) => {
    const bucket = c.physical("bucket").toLowerCase();
    return {
      id: bucket,
      state: {
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${bucket}.s3.${c.region}.amazonaws.com`,
        region: c.region,
      },
    };
  },
  "aws:lambda/function:Function": (c) => {
    const name = c.physical();
    const arn = `arn:aws:lambda:${c.region}:${c.account}:function:${name}`;
    return {
      id: name,
      state: {
        name,
        arn,
        invokeArn: `arn:aws:apigateway:${c.region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        qualifiedArn: `${arn}:$LATEST`,
        version: "$LATEST",
      },
    };
  },
  "aws:dynamodb/table:Table": (c) => {
    const name = c.physical();
    return { id: name, state: { name, arn: `arn:aws:dynamodb:${c.region}:${c.account}:table/${name}` } };
  },
};

/** Bucket configurations (versioning, encryption, policy, ...) are identified by their bucket. */
for (const kind of [
  "bucketPublicAccessBlock:BucketPublicAccessBlock",
  "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "bucketVersioning:BucketVersioning",
  "bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "bucketPolicy:BucketPolicy",
]) {
  HANDLERS[`aws:s3/${kind}`] = (c) => ({ id: str(c.inputs.bucket), state: {} });
}

// The Docker runtime (@pulumi/docker): engine ids are 64 hex characters; images keep their reference as name.
HANDLERS["pulumi:providers:docker"] = (c) => ({ id: `provider-${c.hex(12)}`, state: {} });
HANDLERS["docker:index/network:Network"] = (c) => ({ id: c.hex(64), state: { name: c.physical(), scope: "local" } });
HANDLERS["docker:index/container:Container"] = (c) => ({
  id: c.hex(64),
  state: { name: c.physical(), exitCode: 0, networkDatas: [], hostname: c.hex(12) },
});
HANDLERS["docker:index/remoteImage:RemoteImage"] = (c) => ({
  id: `sha256:${c.hex(64)}${str(c.inputs.name)}`,
  state: { imageId: `sha256:${c.hex(64)}`, repoDigest: "" },
});
HANDLERS["docker:index/image:Image"] = (c) => ({
  id: `sha256:${c.hex(64)}`,
  state: { imageName: str(c.inputs.imageName), repoDigest: "", registryServer: "", dockerfile: "Dockerfile", context: "." },
});

/** Any other type (a later component's): an id and an ARN in its service, named as Pulumi would. */
function generic(c: MockContext): State {
  const [, module = "resource", kind = "Resource"] = c.type.split(/[:/]/);
  const name = c.physical();
  return { id: `${name}`, state: { name, arn: `arn:aws:${module}:${c.region}:${c.account}:${kind.toLowerCase()}/${name}` } };
}
