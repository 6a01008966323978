/**
 * Reading resource properties safely. Policies see raw JSON (the engine's resource inputs, or the
 * offline render's): every field may be missing or of another shape, so nothing is trusted.
 */

export type Props = Record<string, unknown>;

export function rec(value: unknown): Props | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Props) : undefined;
}

/** The elements of an array, or none. */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Strings of a value that is a string or a list of strings (IAM's Action, Resource...). */
export function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return arr(value).filter((v): v is string => typeof v === "string");
}

/** How a value reads in a message: `not set`, or its JSON. Only for values that are never secret. */
export function seen(value: unknown): string {
  if (value === undefined || value === null) return "not set";
  return JSON.stringify(value);
}

/** The resource's `tags` input as a string map (non-string values are dropped). */
export function tagsOf(props: Props): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(props.tags) ?? {})) {
    if (typeof v === "string") out[k] = v;
  }
  return out;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** A JSON document given as a string (what `pulumi.jsonStringify` produces) or already as an object. */
export function parseJson(value: unknown): Parsed<unknown> {
  if (typeof value !== "string") return value === undefined ? { ok: false, error: "not set" } : { ok: true, value };
  try {
    return { ok: true, value: JSON.parse(value) as unknown };
  } catch {
    return { ok: false, error: "not valid JSON" };
  }
}

/** Case-insensitive match of an IAM action pattern (`iam:Pass*`, `*`) against an action. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  return regex.test(action);
}

/**
 * The type chain of a URN (`urn:pulumi:stack::project::parent$child::name`): the component types the
 * resource sits in, outermost first, then its own type.
 */
export function urnTypeChain(urn: string): string[] {
  const parts = urn.split("::");
  return parts.length >= 4 ? parts[2].split("$") : [];
}
