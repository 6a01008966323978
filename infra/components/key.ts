import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { environmentKeyPolicy, type PolicyStatement } from "./lib/policies";

export interface EnvironmentKeyArgs {
  /** `alias/<project>-<stack>`. */
  alias: string;
  partition: string;
  region: string;
  accountId: pulumi.Input<string>;
  /** Days KMS waits before deleting the key. @default 30 */
  deletionWindowInDays?: number;
  /** More key policy statements (for example the pipeline's services). @default [] */
  extraStatements?: pulumi.Input<PolicyStatement[]>;
  tags: Record<string, string>;
}

/**
 * The environment's customer managed KMS key (rotation on) and its alias. It encrypts the alert
 * topics (CloudWatch alarms cannot publish to topics under alias/aws/sns), the run-record bucket and
 * lock table, and the log groups in prod.
 */
export class EnvironmentKey extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;
  public readonly keyId: pulumi.Output<string>;
  public readonly aliasName: pulumi.Output<string>;
  public readonly key: aws.kms.Key;

  constructor(name: string, args: EnvironmentKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:security:Key", name, {}, opts);
    const extra = args.extraStatements ?? [];
    const policy = pulumi
      .all([args.accountId, extra])
      .apply(([accountId, statements]) =>
        JSON.stringify(
          environmentKeyPolicy({ partition: args.partition, region: args.region, accountId }, statements as PolicyStatement[]),
        ),
      );
    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the ${name} environment's alerts, run records and logs.`,
        enableKeyRotation: true,
        deletionWindowInDays: args.deletionWindowInDays ?? 30,
        policy,
        tags: args.tags,
      },
      { parent: this },
    );
    const alias = new aws.kms.Alias(`${name}-alias`, { name: args.alias, targetKeyId: this.key.keyId }, { parent: this });

    this.arn = this.key.arn;
    this.keyId = this.key.keyId;
    this.aliasName = alias.name;
    this.registerOutputs({ arn: this.arn, keyId: this.keyId, aliasName: this.aliasName });
  }
}
