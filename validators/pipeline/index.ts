export { callCodePipeline, type CallTarget } from "./awsErrors";
export { readPipelineDefinition, type PipelineDefinition } from "./definition";
export { awsClientOptions, pipelineName, positiveInt, stackRegion, type AwsFlags } from "./options";
export { renderPipelineStatusText } from "./render";
export { consoleUrl, FAILED_EXECUTION_STATES, readPipelineStatus, type PipelineStatusOptions } from "./status";
export * from "./types";
