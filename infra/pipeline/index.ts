export * from "./buildProject";
export * from "./deliveryPipeline";
export * from "./pipelineEvents";
export * from "./policies";
export * from "./stages";
export * from "./forEnvironment";
