import type { Alert, AlertCheck } from "./types";

/** `[CRITICAL] staging/api: fail` — the one-line headline every channel uses. */
export function alertTitle(alert: Alert): string {
  return `[${alert.severity.toUpperCase()}] ${alert.stack}/${alert.service}: ${alert.verdict}`;
}

/** `errorRatePercent=12.5, requests=400` — a record of values, compact and stable. */
export function formatValues(values: Record<string, unknown>): string {
  const parts = Object.entries(values).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return parts.length > 0 ? parts.join(", ") : "-";
}

/** `errorRate (fail): observed errorRatePercent=12.5 vs threshold criticalPercent=5` */
export function formatCheck(check: AlertCheck): string {
  return `${check.name} (${check.status}): observed ${formatValues(check.observed)} vs threshold ${formatValues(check.threshold)}`;
}

/** The alert as plain text (SNS e-mail, logs): every fact on its own line. */
export function alertText(alert: Alert): string {
  const lines = [
    alertTitle(alert),
    "",
    `Stack:     ${alert.stack}`,
    `Service:   ${alert.service}`,
    `Verdict:   ${alert.verdict}`,
    `Severity:  ${alert.severity}`,
    `Action:    ${alert.action}`,
    `Dashboard: ${alert.dashboardUrl || "-"}`,
    `Run:       ${alert.runId}`,
    "",
    alert.checks.length > 0 ? "Checks:" : "Checks: none failed",
    ...alert.checks.map((c) => `  - ${formatCheck(c)}${c.message ? ` — ${c.message}` : ""}`),
  ];
  if (alert.details && alert.details.length > 0) lines.push("", "Details:", ...alert.details.map((d) => `  - ${d}`));
  return lines.join("\n");
}

/** SNS subjects: printable ASCII, no line breaks, under 100 characters. */
export function snsSubject(alert: Alert): string {
  const ascii = alertTitle(alert).replace(/[^\x20-\x7e]/g, "?");
  return ascii.length <= 99 ? ascii : `${ascii.slice(0, 96)}...`;
}
