import { overallVerdict, type ServiceReport, type ValidationReport } from "../../contract/report";
import type { DeploymentManifest } from "../../contract/manifest";
import type { ValidateFn, ValidateRequest } from "./types";

/** A rollout still in progress is validated again this many times before it counts. @default 2 */
export const TRANSIENT_RETRIES = 2;

/**
 * True when the service did not pass only because ECS is still rolling it out: its rollout check
 * is not passing and reports `observed.rolloutState` IN_PROGRESS (what the rollout check sets).
 */
export function rolloutInProgress(service: Pick<ServiceReport, "verdict" | "checks">): boolean {
  if (service.verdict === "pass") return false;
  const rollout = service.checks.find((c) => c.name === "rollout");
  return rollout !== undefined && rollout.status !== "pass" && rollout.observed.rolloutState === "IN_PROGRESS";
}

/**
 * Validates, and validates again (up to `retries` times) while a service's rollout is still in
 * progress: a transient state is not a failure yet. Returns every report, the last one decides.
 */
export async function validateWithRetry<M extends DeploymentManifest>(
  validate: ValidateFn<M>,
  request: ValidateRequest<M>,
  options: { retries?: number; onRetry?: (message: string) => void } = {},
): Promise<ValidationReport[]> {
  const retries = options.retries ?? TRANSIENT_RETRIES;
  const reports: ValidationReport[] = [];
  for (let attempt = 0; ; attempt += 1) {
    const report = await validate(request);
    reports.push(report);
    const pending = report.services.filter(rolloutInProgress).map((s) => s.name);
    if (report.verdict === "pass" || pending.length === 0 || attempt >= retries) return reports;
    options.onRetry?.(`rollout of ${pending.join(", ")} still in progress: validating again (${attempt + 1} of ${retries})`);
  }
}

/**
 * For a report already in hand (`deployctl validate` made it): validates again, up to `retries`
 * times, the services whose rollout was still in progress, and merges their new results in.
 * Returns the merged report and the extra reports (for the run record). Errors propagate.
 */
export async function revalidateInProgress<M extends DeploymentManifest>(
  validate: ValidateFn<M>,
  first: ValidationReport,
  request: Omit<ValidateRequest<M>, "services">,
  options: { retries?: number; onRetry?: (message: string) => void } = {},
): Promise<{ report: ValidationReport; extra: ValidationReport[] }> {
  const retries = options.retries ?? TRANSIENT_RETRIES;
  let report = first;
  const extra: ValidationReport[] = [];
  for (let attempt = 1; attempt <= retries; attempt += 1) {
    const pending = report.services.filter(rolloutInProgress).map((s) => s.name);
    if (pending.length === 0) break;
    options.onRetry?.(`rollout of ${pending.join(", ")} still in progress: validating again (${attempt} of ${retries})`);
    const again = await validate({ ...request, services: pending });
    extra.push(again);
    const services = report.services.map((s) => again.services.find((a) => a.name === s.name) ?? s);
    report = { ...report, services, verdict: overallVerdict(services), finishedAt: again.finishedAt };
  }
  return { report, extra };
}
