import { SECRET_PLACEHOLDER } from "../config";

/** Replaces every secret value (and any string containing one) with the placeholder. */
export function maskSecrets(value: unknown, secrets: ReadonlySet<string>): unknown {
  if (secrets.size === 0) return value;
  if (typeof value === "string") return [...secrets].some((s) => value.includes(s)) ? SECRET_PLACEHOLDER : value;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, secrets));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, secrets)]));
  }
  return value;
}
