export { deploy, type DeployDeps, type DeployOptions, type DeployResult } from "./deploy";
export { type GateFn, type GateOutcome, type GateRequest, gateReasons } from "./gate";
export { updateService, type UpdateOutcome, validateService } from "./steps";
export { renderRun, renderRunJson, renderRunMarkdown, renderRunSummary } from "../../render/deploy";
export { describeTags, type PlannedService, planDeploy, runGates } from "./plan";
export { type DeployPlan, type DeployPlanService, planDeployRun } from "./dryRun";
