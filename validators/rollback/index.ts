export { alertChecks, failureReason, inconclusiveAlert, operationalAlert, rollbackAlert, serviceAlert } from "./alerts";
export { checkServiceNames, dependsOnOrder } from "./order";
export { Progress, type StageEnd, type StageRecord } from "../core/progress";
export { changesText, type RollbackRequest, type RollbackResult, rollbackServices } from "./rollback";
export { failingChecks, healthCheckFailed, MAX_RETRIES, RETRIED_CHECKS, retryFailedHealth, type RetryDeps } from "./retryRestart";
export { readStackServices, type StackService, tagEdits } from "./stackConfig";
export { type MissingTarget, resolveTargets, type RollbackTarget } from "./targets";
export type { LoadManifestFn, ReleaseDeps, ValidateFn, ValidateRequest } from "./types";
export { revalidateInProgress, rolloutInProgress, TRANSIENT_RETRIES, validateWithRetry } from "./validateWithRetry";
