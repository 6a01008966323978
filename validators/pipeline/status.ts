import {
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  type ActionState,
  type PipelineExecutionSummary,
  type StageState,
} from "@aws-sdk/client-codepipeline";
import type { AwsClients } from "../providers/aws/clients";
import { callCodePipeline } from "./awsErrors";
import { readPipelineDefinition, type PipelineDefinition } from "./definition";
import { PIPELINE_STATUS_SCHEMA_VERSION, type ActionStatus, type ExecutionSummary, type PipelineStatus, type StageStatus } from "./types";

export interface PipelineStatusOptions {
  pipeline: string;
  region: string;
  /** How many executions to list, newest first (1 to 100). @default 1 */
  executions?: number;
  /** Where the name came from, for messages (`--stack dev`, `--pipeline x`). @default "--pipeline" */
  from?: string;
}

/** Execution states whose change will not reach a validated release. */
export const FAILED_EXECUTION_STATES = ["Failed", "Stopped", "Stopping", "Cancelled"];

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

export function consoleUrl(region: string, pipeline: string, executionId: string): string {
  return `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${encodeURIComponent(pipeline)}/executions/${executionId}/timeline?region=${region}`;
}

function executionSummary(e: PipelineExecutionSummary, region: string, pipeline: string): ExecutionSummary {
  const id = e.pipelineExecutionId ?? "";
  return {
    id,
    status: e.status ?? "Unknown",
    statusSummary: e.statusSummary ?? null,
    startTime: iso(e.startTime),
    lastUpdateTime: iso(e.lastUpdateTime),
    trigger: e.trigger?.triggerType ?? null,
    sourceRevisions: (e.sourceRevisions ?? []).map((r) => ({
      actionName: r.actionName ?? "",
      revisionId: r.revisionId ?? null,
      summary: r.revisionSummary ?? null,
    })),
    url: consoleUrl(region, pipeline, id),
  };
}

/** One action as it stands for `latest`: its state is older than the execution's start when it has not run in it. */
function actionStatus(
  declared: { name: string; category: string | null; runOrder: number },
  state: ActionState | undefined,
  ranInLatest: boolean,
  latestStart: Date | undefined,
): ActionStatus {
  const exec = state?.latestExecution;
  const stale =
    !ranInLatest || !exec || (latestStart !== undefined && exec.lastStatusChange !== undefined && exec.lastStatusChange < latestStart);
  if (stale) return { ...declared, status: "NotRun", lastStatusChange: null, summary: null, error: null, externalUrl: null };
  return {
    ...declared,
    status: (exec.status ?? "NotRun") as ActionStatus["status"],
    lastStatusChange: iso(exec.lastStatusChange),
    summary: exec.summary ?? null,
    error: exec.errorDetails ? { code: exec.errorDetails.code ?? null, message: exec.errorDetails.message ?? null } : null,
    externalUrl: exec.externalExecutionUrl ?? null,
  };
}

function stageStatus(
  declared: PipelineDefinition["stages"][number],
  state: StageState | undefined,
  latest: PipelineExecutionSummary,
): StageStatus {
  const ranInLatest = state?.latestExecution?.pipelineExecutionId === latest.pipelineExecutionId;
  const actions = declared.actions.map((a) =>
    actionStatus(
      a,
      state?.actionStates?.find((s) => s.actionName === a.name),
      ranInLatest,
      latest.startTime,
    ),
  );
  return { name: declared.name, status: ranInLatest ? (state?.latestExecution?.status ?? "NotRun") : "NotRun", actions };
}

/** Reads the pipeline's definition, newest executions and stage states (GetPipeline, ListPipelineExecutions, GetPipelineState). */
export async function readPipelineStatus(
  clients: Pick<AwsClients, "codepipeline">,
  options: PipelineStatusOptions,
): Promise<PipelineStatus> {
  const { pipeline, region } = options;
  const target = { pipeline, region, from: options.from ?? "--pipeline" };
  const definition = await readPipelineDefinition(clients, target);
  const listed = await callCodePipeline("ListPipelineExecutions", target, () =>
    clients.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: pipeline, maxResults: options.executions ?? 1 })),
  );
  const executions = (listed.pipelineExecutionSummaries ?? []).slice(0, options.executions ?? 1);
  const latest = executions[0];
  let stages: StageStatus[] = [];
  if (latest) {
    const state = await callCodePipeline("GetPipelineState", target, () =>
      clients.codepipeline.send(new GetPipelineStateCommand({ name: pipeline })),
    );
    stages = definition.stages.map((s) =>
      stageStatus(
        s,
        state.stageStates?.find((st) => st.stageName === s.name),
        latest,
      ),
    );
  }
  return {
    schemaVersion: PIPELINE_STATUS_SCHEMA_VERSION,
    pipeline,
    region,
    version: definition.version,
    executions: executions.map((e) => executionSummary(e, region, pipeline)),
    stages,
    failed: latest !== undefined && FAILED_EXECUTION_STATES.includes(latest.status ?? ""),
  };
}
