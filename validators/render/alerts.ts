import type { ActionRecord } from "../../contract/report";

/** Alert actions that read the same (kind, channel, status, message), with the services they were for. */
export interface AlertGroup {
  kind: string;
  target: string;
  status: ActionRecord["status"];
  message: string;
  services: string[];
}

/**
 * The alert and resolve actions of a run, one group per identical line: the same failure of one
 * channel for two services (or twice for one) is one line naming the services, not two lines
 * that look the same.
 */
export function groupAlertActions(actions: readonly ActionRecord[]): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const a of actions) {
    if (a.kind !== "alert" && a.kind !== "resolve") continue;
    const key = JSON.stringify([a.kind, a.target ?? "", a.status, a.message]);
    const group = groups.get(key) ?? { kind: a.kind, target: a.target ?? "", status: a.status, message: a.message, services: [] };
    const service = typeof a.details?.service === "string" ? a.details.service : undefined;
    if (service !== undefined && !group.services.includes(service)) group.services.push(service);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** `alert sns for api, web` (no `for` when no service is known). */
export function alertSubject(group: AlertGroup): string {
  const target = group.target ? ` ${group.target}` : "";
  return `${group.kind}${target}${group.services.length > 0 ? ` for ${group.services.join(", ")}` : ""}`;
}
