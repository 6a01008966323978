export { callCodePipeline } from "./awsErrors";
export { awsClientOptions, pipelineName, positiveInt, type AwsFlags } from "./options";
export { renderPipelineStatusText } from "./render";
export { consoleUrl, FAILED_EXECUTION_STATES, readPipelineStatus, type PipelineStatusOptions } from "./status";
export * from "./types";
