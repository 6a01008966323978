export { deploy, type DeployDeps, type DeployOptions, type DeployResult } from "./deploy";
export { type GateFn, type GateOutcome, type GateRequest, gateReasons } from "./gate";
export { updateService, type UpdateOutcome, validateService } from "./steps";
export { renderRun, renderRunJson, renderRunMarkdown, renderRunSummary } from "../../render/deploy";
export { describeTags, type PlannedService, planDeploy, runGates } from "./plan";
export {
  addReleaseOptions,
  buildReleaseRuntime,
  defaultReleaseDeps,
  type ReleaseCommandDeps,
  type ReleaseFlags,
  type ReleaseRuntime,
  releaseRuntime,
  type RuntimeInput,
} from "../../cli/compose";
export { addValidateReleaseOptions, afterValidationStep, type ValidateReleaseFlags, type ValidateStepInput } from "./validateHook";
