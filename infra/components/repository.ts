import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ecrLifecyclePolicy } from "./lib/containers";

export interface RepositoryArgs {
  /** The ECR repository's name: `<stack>/<image.repository>`. */
  repositoryName: string;
  /** Images kept, newest first (rollbacks need the old ones). @default 30 */
  keepImages?: number;
  /** Days before untagged images expire. @default 7 */
  untaggedImageDays?: number;
  /** Delete the repository with its images on destroy (never in prod). @default false */
  forceDelete?: boolean;
  tags: Record<string, string>;
}

/**
 * A service's ECR repository: scan on push, immutable tags (a tag names one image forever, so the
 * tag in stack config is the release), and a lifecycle policy that keeps the newest images and
 * expires untagged ones.
 */
export class Repository extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;
  public readonly repositoryUrl: pulumi.Output<string>;
  public readonly name: pulumi.Output<string>;
  public readonly repository: aws.ecr.Repository;

  constructor(name: string, args: RepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:ecr:Repository", name, {}, opts);
    this.repository = new aws.ecr.Repository(
      `${name}-repo`,
      {
        name: args.repositoryName,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        forceDelete: args.forceDelete ?? false,
        tags: args.tags,
      },
      { parent: this },
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-repo`,
      {
        repository: this.repository.name,
        policy: JSON.stringify(ecrLifecyclePolicy(args.keepImages ?? 30, args.untaggedImageDays ?? 7)),
      },
      { parent: this },
    );
    this.arn = this.repository.arn;
    this.repositoryUrl = this.repository.repositoryUrl;
    this.name = this.repository.name;
    this.registerOutputs({ arn: this.arn, repositoryUrl: this.repositoryUrl, name: this.name });
  }
}
