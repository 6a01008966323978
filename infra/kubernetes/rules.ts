import { DEFAULT_PROMETHEUS_QUERIES, fillQuery } from "../../contract/prometheus";
import type { KubernetesTraffic } from "./settings";

/** One Prometheus alerting rule, as a PrometheusRule lists it. */
export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "critical" | "warning" | "info"; stack: string; namespace: string; service?: string };
  annotations: { summary: string; description: string };
}

export interface AlertRuleInputs {
  stack: string;
  namespace: string;
  traffic: KubernetesTraffic;
  services: readonly { name: string; deployment: string }[];
  thresholds: { errorRateWarningPercent: number; errorRateCriticalPercent: number; p95LatencyMs: number; cpuPercent: number };
}

/** Restarts counted as critical: this many in 5 minutes. */
export const RESTARTS_CRITICAL = 3;
export const VOLUME_FULL_PERCENT = 85;
export const CERTIFICATE_DAYS = 7;

/**
 * The stack's alert rules, with the `severity` label Alertmanager routes on (plus stack, namespace
 * and service): pods restarting, 5xx ratio (critical and warning), p95 latency, CPU against the
 * limit, volumes filling up, certificates about to expire.
 */
export function alertRules(inputs: AlertRuleInputs): AlertRule[] {
  const { stack, namespace, thresholds } = inputs;
  const base = { stack, namespace };
  const ns = `namespace="${namespace}"`;
  const rules: AlertRule[] = [
    {
      alert: "PodRestarting",
      expr: `increase(kube_pod_container_status_restarts_total{${ns}}[5m]) >= ${RESTARTS_CRITICAL}`,
      for: "0m",
      labels: { severity: "critical", ...base },
      annotations: {
        summary: `Pod {{ $labels.pod }} restarted ${RESTARTS_CRITICAL} times or more in 5 minutes`,
        description: `Container {{ $labels.container }} of {{ $labels.pod }} in ${namespace} is restarting (crash loop or OOM).`,
      },
    },
  ];
  for (const svc of inputs.services) {
    const q = DEFAULT_PROMETHEUS_QUERIES[inputs.traffic];
    const fill = (t: string) => fillQuery(t, { namespace, service: svc.name, deployment: svc.deployment, window: 300 });
    const ratio = `(${fill(q.errors)}) / (${fill(q.requests)})`;
    const labels = { ...base, service: svc.name };
    const pascal = svc.name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
    rules.push(
      {
        alert: `${pascal}ErrorRateCritical`,
        expr: `${ratio} > ${thresholds.errorRateCriticalPercent / 100}`,
        for: "2m",
        labels: { severity: "critical", ...labels },
        annotations: {
          summary: `${svc.name}: 5xx above ${thresholds.errorRateCriticalPercent}% of requests`,
          description: `{{ $value | humanizePercentage }} of ${svc.name}'s requests answered 5xx over 5 minutes.`,
        },
      },
      {
        alert: `${pascal}ErrorRateWarning`,
        expr: `${ratio} > ${thresholds.errorRateWarningPercent / 100}`,
        for: "5m",
        labels: { severity: "warning", ...labels },
        annotations: {
          summary: `${svc.name}: 5xx above ${thresholds.errorRateWarningPercent}% of requests`,
          description: `{{ $value | humanizePercentage }} of ${svc.name}'s requests answered 5xx over 5 minutes.`,
        },
      },
      {
        alert: `${pascal}LatencyP95High`,
        expr: `${fill(q.latencyP95)} > ${thresholds.p95LatencyMs}`,
        for: "5m",
        labels: { severity: "warning", ...labels },
        annotations: {
          summary: `${svc.name}: p95 latency above ${thresholds.p95LatencyMs} ms`,
          description: `${svc.name}'s p95 latency is {{ $value }} ms over 5 minutes.`,
        },
      },
    );
  }
  rules.push(
    {
      alert: "PodCpuHigh",
      expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${ns},container!=""}[5m])) / sum by (pod) (kube_pod_container_resource_limits{${ns},resource="cpu"}) > ${thresholds.cpuPercent / 100}`,
      for: "5m",
      labels: { severity: "warning", ...base },
      annotations: {
        summary: `Pod {{ $labels.pod }} above ${thresholds.cpuPercent}% of its CPU limit for 5 minutes`,
        description: `{{ $labels.pod }} in ${namespace} uses {{ $value | humanizePercentage }} of its CPU limit.`,
      },
    },
    {
      alert: "VolumeFillingUp",
      expr: `kubelet_volume_stats_used_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}} > ${VOLUME_FULL_PERCENT / 100}`,
      for: "5m",
      labels: { severity: "warning", ...base },
      annotations: {
        summary: `Volume {{ $labels.persistentvolumeclaim }} above ${VOLUME_FULL_PERCENT}% full`,
        description: `{{ $labels.persistentvolumeclaim }} in ${namespace} is {{ $value | humanizePercentage }} full.`,
      },
    },
    {
      alert: "CertificateExpiringSoon",
      expr: `certmanager_certificate_expiration_timestamp_seconds{${ns}} - time() < ${CERTIFICATE_DAYS * 86400}`,
      for: "1h",
      labels: { severity: "info", ...base },
      annotations: {
        summary: `Certificate {{ $labels.name }} expires within ${CERTIFICATE_DAYS} days`,
        description: `Renew {{ $labels.name }} in ${namespace} (cert-manager) before it expires.`,
      },
    },
  );
  return rules;
}
