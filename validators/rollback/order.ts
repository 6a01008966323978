import { BadInputError } from "../core/errors";
import type { EcsManifestService } from "../../contract/manifest";

/**
 * The services in `dependsOn` order (a service after the services it depends on, directly or
 * through services not selected), restricted to `selected`. Ties keep the manifest's order.
 * A cycle is bad input naming it.
 */
export function dependsOnOrder(services: readonly Pick<EcsManifestService, "name" | "dependsOn">[], selected: readonly string[]): string[] {
  const wanted = new Set(selected);
  const byName = new Map(services.map((s) => [s.name, s]));
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...path.slice(path.indexOf(name)), name].join(" -> ");
      throw new BadInputError(`services depend on each other in a cycle (${cycle}); dependsOn must not loop.`);
    }
    state.set(name, "visiting");
    for (const dep of byName.get(name)?.dependsOn ?? []) if (byName.has(dep)) visit(dep, [...path, name]);
    state.set(name, "done");
    if (wanted.has(name)) order.push(name);
  };
  for (const s of services) if (wanted.has(s.name)) visit(s.name, []);
  return order;
}

/** Bad input unless every name is a service of the manifest; the message lists what is allowed. */
export function checkServiceNames(
  flag: string,
  names: readonly string[],
  services: readonly Pick<EcsManifestService, "name">[],
  stack: string,
): void {
  const known = services.map((s) => s.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new BadInputError(
      `${flag} ${unknown.join(", ")}: no such service in stack ${stack}; it has ${known.join(", ") || "no services"}.`,
    );
  }
}
