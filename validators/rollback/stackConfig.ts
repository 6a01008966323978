import { z } from "zod";
import { BadInputError, OperationalError } from "../core/errors";
import { isPulumiCliMissing } from "../providers/pulumi/errors";
import type { ConfigEdit, PulumiStacks } from "../providers/pulumi/stacks";

/** A service as the stack config lists it: its position in `delivery:services` and its image tag. */
export interface StackService {
  name: string;
  index: number;
  tag: string;
  /** The service's config has a `migration` (ECS: a one-off task before its update; Kubernetes: a Job in its stack update). */
  migration?: true;
}

const servicesSchema = z.array(
  z.looseObject({ name: z.string(), image: z.looseObject({ tag: z.string() }), migration: z.unknown().optional() }),
);

/**
 * Reads `delivery:services` (the single source of truth for what runs) and returns each service's
 * index and image tag. The config is read as JSON through PulumiStacks.getConfig.
 */
export async function readStackServices(stacks: PulumiStacks, stack: string): Promise<StackService[]> {
  let raw: string | undefined;
  try {
    raw = await stacks.getConfig(stack, "delivery:services");
  } catch (err) {
    // Already said for people (the Pulumi CLI is missing, and the ways out): as it is.
    if (isPulumiCliMissing(err)) throw err;
    throw new OperationalError(
      `cannot read delivery:services of stack ${stack}: ${err instanceof Error ? err.message : String(err)}`,
      "pulumi config",
      { cause: err },
    );
  }
  if (raw === undefined)
    throw new BadInputError(`Pulumi.${stack}.yaml: delivery:services is not set; deploy and rollback set image tags in it.`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new BadInputError(
      `Pulumi.${stack}.yaml: delivery:services is not a list (${raw.slice(0, 80)}); expected a list of services with name and image.tag.`,
      { cause: err },
    );
  }
  const parsed = servicesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = `delivery:services${(issue?.path ?? []).map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`;
    throw new BadInputError(`Pulumi.${stack}.yaml: ${where}: ${issue?.message ?? "invalid"}; every service needs a name and an image.tag.`);
  }
  return parsed.data.map((s, index) => ({
    name: s.name,
    index,
    tag: s.image.tag,
    ...(s.migration !== undefined ? { migration: true as const } : {}),
  }));
}

/** `delivery:services[<index>].image.tag` edits, in the order given. Unknown services are bad input. */
export function tagEdits(
  stack: string,
  services: readonly StackService[],
  tags: readonly { service: string; tag: string }[],
): ConfigEdit[] {
  return tags.map(({ service, tag }) => {
    const entry = services.find((s) => s.name === service);
    if (!entry) {
      throw new BadInputError(
        `Pulumi.${stack}.yaml: service "${service}" is not in delivery:services; it lists ${services.map((s) => s.name).join(", ") || "none"}.`,
      );
    }
    return { path: `delivery:services[${entry.index}].image.tag`, value: tag };
  });
}
