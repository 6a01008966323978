/**
 * What `deployctl pipeline status --output json` prints. Field names are a contract; times are
 * ISO 8601 strings (or null when AWS gives none).
 */
export const PIPELINE_STATUS_SCHEMA_VERSION = 1;

/** An action's status in the latest execution; `NotRun` when it has not run in that execution. */
export type ActionRunStatus = "Succeeded" | "Failed" | "InProgress" | "Abandoned" | "NotRun";

export interface ActionStatus {
  name: string;
  /** Source, Build, Test, Deploy, Approval, Invoke. */
  category: string | null;
  /** Actions with the same run order in a stage run in parallel. */
  runOrder: number;
  status: ActionRunStatus;
  lastStatusChange: string | null;
  summary: string | null;
  error: { code: string | null; message: string | null } | null;
  /** The CodeBuild build (or other external run) behind the action. */
  externalUrl: string | null;
}

export interface StageStatus {
  name: string;
  /** The stage's status in the latest execution (Succeeded, Failed, InProgress, Stopped...), or NotRun. */
  status: string;
  actions: ActionStatus[];
}

export interface SourceRevisionSummary {
  actionName: string;
  revisionId: string | null;
  summary: string | null;
}

export interface ExecutionSummary {
  id: string;
  /** InProgress, Stopping, Stopped, Succeeded, Superseded, Failed or Cancelled. */
  status: string;
  statusSummary: string | null;
  startTime: string | null;
  lastUpdateTime: string | null;
  trigger: string | null;
  sourceRevisions: SourceRevisionSummary[];
  /** The execution in the CodePipeline console. */
  url: string;
}

export interface PipelineStatus {
  schemaVersion: typeof PIPELINE_STATUS_SCHEMA_VERSION;
  pipeline: string;
  region: string;
  /** The pipeline definition's version. */
  version: number | null;
  /** Newest first; as many as asked for (fewer when the pipeline has run fewer times). */
  executions: ExecutionSummary[];
  /** The stages, in pipeline order, as they stand for the newest execution; empty without executions. */
  stages: StageStatus[];
  /** The newest execution Failed, was Stopped or Cancelled, or is Stopping: its change did not reach a validated release. */
  failed: boolean;
}
