import type { Alert, AlertCheck } from "../alerts/types";
import type { DeploymentManifest } from "../../contract/manifest";
import type { ServiceReport } from "../../contract/report";
import type { RollbackResult } from "./rollback";

/** The checks worth alerting on: failing ones, and inconclusive ones (too little data). */
export function alertChecks(service: Pick<ServiceReport, "checks">): AlertCheck[] {
  return service.checks
    .filter((c) => c.status === "fail" || c.status === "inconclusive")
    .map((c) => ({ name: c.name, status: c.status, message: c.message, observed: c.observed, threshold: c.threshold }));
}

/** A one-line reason for a service's failure: `errorRate failed, latency failed`. */
export function failureReason(service: Pick<ServiceReport, "name" | "checks">): string {
  const failing = service.checks.filter((c) => c.status === "fail").map((c) => `${c.name} failed`);
  return `${service.name}: ${failing.length > 0 ? failing.join(", ") : "verdict fail"}`;
}

interface AlertContext {
  manifest: Pick<DeploymentManifest, "stack" | "dashboardUrl">;
  runId: string;
}

/** An alert about a service report, with the action taken. */
export function serviceAlert(
  ctx: AlertContext,
  service: Pick<ServiceReport, "name" | "verdict" | "checks">,
  fields: Pick<Alert, "severity" | "action"> & Partial<Alert>,
): Alert {
  return {
    stack: ctx.manifest.stack,
    service: service.name,
    verdict: service.verdict,
    checks: alertChecks(service),
    dashboardUrl: ctx.manifest.dashboardUrl ?? "",
    runId: ctx.runId,
    ...fields,
  };
}

/** An inconclusive service: a warning, never a rollback. */
export function inconclusiveAlert(ctx: AlertContext, service: Pick<ServiceReport, "name" | "verdict" | "checks">): Alert {
  return serviceAlert(ctx, service, {
    severity: "warning",
    action: "none: an inconclusive verdict never triggers a rollback; look at the checks and validate again",
  });
}

/** The validator itself failed (exit 4): a warning naming the error, never a rollback. */
export function operationalAlert(ctx: AlertContext, services: readonly string[], error: string): Alert {
  return {
    stack: ctx.manifest.stack,
    service: services.length === 1 ? (services[0] ?? "*") : "*",
    verdict: "error",
    severity: "warning",
    checks: [],
    action: `none: the validator could not judge (exit 4), so nothing was rolled back: ${error}`,
    dashboardUrl: ctx.manifest.dashboardUrl ?? "",
    runId: ctx.runId,
  };
}

/**
 * The alert of a failed service after a rollback attempt: a warning naming the restored release
 * when it worked; critical (never deduplicated) with everything known when it did not, or when
 * there was nothing to roll back to.
 */
export function rollbackAlert(
  ctx: AlertContext,
  service: Pick<ServiceReport, "name" | "verdict" | "checks">,
  result: RollbackResult,
): Alert {
  const target = result.targets.find((t) => t.service === service.name);
  const cascade = result.targets.filter((t) => t.service !== service.name).map((t) => `${t.service} -> ${t.release.imageTag}`);
  const cascadeText = cascade.length > 0 ? `; also rolled back ${cascade.join(", ")}` : "";
  if (result.status === "ok" && target) {
    return serviceAlert(ctx, service, {
      severity: "warning",
      action: `rolled back to ${target.release.imageTag} (${target.release.taskDefinitionArn}) and validated again${cascadeText}`,
    });
  }
  const missing = result.missing.find((m) => m.service === service.name);
  const details = [
    ...result.problems,
    ...result.targets.map(
      (t) =>
        `target ${t.service}: ${t.release.imageTag} (${t.release.taskDefinitionArn}), validated ${t.release.validatedAt} in run ${t.release.runId}`,
    ),
    ...result.reports.map(
      (r, i) => `validation after the rollback #${i + 1}: ${r.verdict} (${r.services.map((s) => `${s.name} ${s.verdict}`).join(", ")})`,
    ),
  ];
  const action = missing
    ? `not rolled back: ${missing.reason}`
    : `rollback FAILED${target ? ` (to ${target.release.imageTag})` : ""}: ${result.problems.join("; ")}`;
  return serviceAlert(ctx, service, { severity: "critical", action, details, dedup: false });
}
