import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { PipelineSource } from "../config";

type Stage = aws.types.input.codepipeline.PipelineStage;
type Action = aws.types.input.codepipeline.PipelineStageAction;

export interface StageInputs {
  source: PipelineSource;
  builds: { service: string; project: pulumi.Input<string> }[];
  suites: { suite: string; project: pulumi.Input<string> }[];
  approval?: { topicArn: pulumi.Input<string>; stack: string };
  deployProject: pulumi.Input<string>;
  validateProject: pulumi.Input<string>;
}

/** The namespace of a service's build action: its IMAGE_TAG is `#{Build_<service>.IMAGE_TAG}`. */
export function buildNamespace(service: string): string {
  return `Build_${service.replace(/-/g, "_")}`;
}

/** `api=#{Build_api.IMAGE_TAG},web=#{Build_web.IMAGE_TAG}`: what the deploy step sets in stack config. */
export function imageTagsVariable(services: readonly string[]): string {
  return services.map((s) => `${s}=#{${buildNamespace(s)}.IMAGE_TAG}`).join(",");
}

const codebuild = (name: string, project: pulumi.Input<string>, extra: Partial<Action> = {}): Action => ({
  name,
  category: "Build",
  owner: "AWS",
  provider: "CodeBuild",
  version: "1",
  inputArtifacts: ["source"],
  runOrder: 1,
  configuration: { ProjectName: project },
  ...extra,
});

/** Source, Build, Test, (Approval), Deploy, Validate. */
export function pipelineStages(inputs: StageInputs): Stage[] {
  const sourceAction: Action =
    inputs.source.kind === "connection"
      ? {
          name: "Source",
          category: "Source",
          owner: "AWS",
          provider: "CodeStarSourceConnection",
          version: "1",
          outputArtifacts: ["source"],
          namespace: "SourceVariables",
          configuration: {
            ConnectionArn: inputs.source.connectionArn,
            FullRepositoryId: inputs.source.repository,
            BranchName: inputs.source.branch,
            // A full clone: the change analysis needs history to diff against the previous commit.
            OutputArtifactFormat: "CODEBUILD_CLONE_REF",
            DetectChanges: "true",
          },
        }
      : {
          name: "Source",
          category: "Source",
          owner: "AWS",
          provider: "S3",
          version: "1",
          outputArtifacts: ["source"],
          namespace: "SourceVariables",
          configuration: { S3Bucket: inputs.source.bucket, S3ObjectKey: inputs.source.key, PollForSourceChanges: "false" },
        };

  const stages: Stage[] = [
    { name: "Source", actions: [sourceAction] },
    {
      name: "Build",
      actions: inputs.builds.map((b) =>
        codebuild(`Build-${b.service}`, b.project, {
          namespace: buildNamespace(b.service),
          outputArtifacts: [`image_${b.service.replace(/-/g, "_")}`],
        }),
      ),
    },
    // Every suite in the same run order: they run in parallel.
    { name: "Test", actions: inputs.suites.map((s) => codebuild(`Test-${s.suite}`, s.project)) },
  ];
  if (inputs.approval) {
    stages.push({
      name: "Approval",
      actions: [
        {
          name: "Approve",
          category: "Approval",
          owner: "AWS",
          provider: "Manual",
          version: "1",
          runOrder: 1,
          configuration: {
            NotificationArn: inputs.approval.topicArn,
            CustomData: `Approve deploying commit #{SourceVariables.CommitId} to ${inputs.approval.stack}.`,
          },
        },
      ],
    });
  }
  stages.push(
    {
      name: "Deploy",
      actions: [
        codebuild("Deploy", inputs.deployProject, {
          configuration: {
            ProjectName: inputs.deployProject,
            EnvironmentVariables: JSON.stringify([
              { name: "IMAGE_TAGS", value: imageTagsVariable(inputs.builds.map((b) => b.service)), type: "PLAINTEXT" },
            ]),
          },
        }),
      ],
    },
    { name: "Validate", actions: [codebuild("Validate", inputs.validateProject)] },
  );
  return stages;
}
