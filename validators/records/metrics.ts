import type { DeliveryDatum } from "../providers/metrics";
import type { RunRecord } from "./types";

/** `arn:aws:ecs:<region>:<account>:task-definition/<family>:<N>` → N; undefined for anything else (Docker, Kubernetes handles). */
export function taskDefinitionRevision(handle: string | undefined): number | undefined {
  const match = /:task-definition\/[^:/]+:(\d+)$/.exec(handle ?? "");
  return match ? Number(match[1]) : undefined;
}

/**
 * The delivery metrics of one run (contract/deliveryMetrics.ts), from its run record: for each
 * service the run touched (changed, rolled back or validated), in the record's order, one datum of
 * Deployments, Rollbacks, ValidationsFailed and ValidationsPassed, and RunningRevision when the
 * task definition the run leaves it on is known (`taskDefinitionAfter`, else `taskDefinitionBefore`).
 * Every datum is stamped with the run's end. Inconclusive verdicts count in neither validation metric.
 */
export function runMetrics(record: RunRecord): DeliveryDatum[] {
  const names: string[] = [];
  const touch = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  for (const s of record.services) touch(s.name);
  for (const name of record.rollback?.services ?? []) touch(name);
  for (const v of record.validations) for (const s of v.services) touch(s.name);

  const at = new Date(record.finishedAt);
  const rolledBack = new Set(record.rollback?.services ?? []);
  const verdicts = (name: string, verdict: "pass" | "fail") =>
    record.validations.reduce((n, v) => n + v.services.filter((s) => s.name === name && s.verdict === verdict).length, 0);

  return names.flatMap((service): DeliveryDatum[] => {
    const change = record.services.find((s) => s.name === service);
    const deployed = record.command === "deploy" && change?.tagDeployed !== undefined;
    const revision = taskDefinitionRevision(change?.taskDefinitionAfter ?? change?.taskDefinitionBefore);
    const datum = (metric: DeliveryDatum["metric"], value: number): DeliveryDatum => ({ metric, stack: record.stack, service, value, at });
    return [
      datum("Deployments", deployed ? 1 : 0),
      datum("Rollbacks", rolledBack.has(service) ? 1 : 0),
      datum("ValidationsFailed", verdicts(service, "fail")),
      datum("ValidationsPassed", verdicts(service, "pass")),
      ...(revision === undefined ? [] : [datum("RunningRevision", revision)]),
    ];
  });
}
