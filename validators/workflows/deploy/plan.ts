import type { DeploymentManifest } from "../../../contract/manifest";
import type { Verdict } from "../../../contract/report";
import { type StackService, tagEdits } from "../../rollback/stackConfig";
import type { GateFn, GateOutcome } from "./gate";

/** One service to deploy: from the tag the stack last deployed (the manifest) to the wanted one. */
export interface PlannedService {
  name: string;
  from: string;
  to: string;
}

/**
 * What a deploy will do, in dependsOn order. With `--tag`, every selected service goes to that tag.
 * Without it (a promotion: the tags are already in the stack config), the services whose config
 * tag differs from what the stack last deployed; so they still go one at a time, those after the
 * first are first set back to their deployed tag (`holdBack`) and moved on when their turn comes.
 */
export function planDeploy(
  stack: string,
  order: readonly string[],
  manifest: { services: readonly { name: string; imageTag: string }[] },
  stackServices: readonly StackService[],
  tag: string | undefined,
): { services: PlannedService[]; holdBack: { service: string; tag: string }[] } {
  const wanted = order.map((name) => ({ service: name, tag: tag ?? stackServices.find((s) => s.name === name)?.tag ?? "" }));
  tagEdits(stack, stackServices, wanted); // every service must be in delivery:services
  const services = wanted
    .map(({ service, tag: to }) => ({ name: service, from: manifest.services.find((s) => s.name === service)?.imageTag ?? "", to }))
    .filter((s) => tag !== undefined || s.from !== s.to);
  const holdBack = tag === undefined ? services.slice(1).map((s) => ({ service: s.name, tag: s.from })) : [];
  return { services, holdBack };
}

/** The gate for each distinct tag of the plan, merged: fail if any fails, else inconclusive if any is. */
export async function runGates(gate: GateFn, manifest: DeploymentManifest, services: readonly PlannedService[]): Promise<GateOutcome> {
  const byTag = new Map<string, string[]>();
  for (const s of services) byTag.set(s.to, [...(byTag.get(s.to) ?? []), s.name]);
  const outcomes: GateOutcome[] = [];
  for (const [tag, names] of byTag) outcomes.push(await gate({ manifest, services: names, tag }));
  const verdicts = outcomes.map((o) => o.verdict);
  const verdict: Verdict = verdicts.includes("fail") ? "fail" : verdicts.includes("inconclusive") ? "inconclusive" : "pass";
  return { verdict, services: outcomes.flatMap((o) => o.services) };
}

/** `sha-abc1234`, or `api sha-1, web sha-2` when the services go to different tags. */
export function describeTags(services: readonly PlannedService[]): string {
  const tags = [...new Set(services.map((s) => s.to))];
  return tags.length === 1 ? (tags[0] ?? "") : services.map((s) => `${s.name} ${s.to}`).join(", ");
}
