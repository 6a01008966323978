import { GetPipelineCommand, ListPipelinesCommand } from "@aws-sdk/client-codepipeline";
import type { AwsClients } from "../providers/aws/clients";
import { callCodePipeline, type CallTarget } from "./awsErrors";

/** A pipeline's declared stages and actions (GetPipeline), in the order they run. */
export interface PipelineDefinition {
  version: number | null;
  stages: { name: string; actions: { name: string; category: string | null; runOrder: number }[] }[];
}

/** Up to 10 pipeline names in the region, to help with a name that does not exist. */
async function knownPipelines(clients: Pick<AwsClients, "codepipeline">): Promise<string> {
  const listed = await clients.codepipeline.send(new ListPipelinesCommand({}));
  const names = (listed.pipelines ?? []).map((p) => p.name ?? "").filter((n) => n !== "");
  if (names.length === 0) return "; the region has no pipelines";
  return `; pipelines there: ${names.slice(0, 10).join(", ")}${names.length > 10 || listed.nextToken ? ", ..." : ""}`;
}

export async function readPipelineDefinition(clients: Pick<AwsClients, "codepipeline">, target: CallTarget): Promise<PipelineDefinition> {
  const out = await callCodePipeline(
    "GetPipeline",
    target,
    () => clients.codepipeline.send(new GetPipelineCommand({ name: target.pipeline })),
    () => knownPipelines(clients),
  );
  return {
    version: out.pipeline?.version ?? null,
    stages: (out.pipeline?.stages ?? []).map((s) => ({
      name: s.name ?? "",
      actions: (s.actions ?? []).map((a) => ({
        name: a.name ?? "",
        category: a.actionTypeId?.category ?? null,
        runOrder: a.runOrder ?? 1,
      })),
    })),
  };
}
