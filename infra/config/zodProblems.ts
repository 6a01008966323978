import type { z } from "zod";
import { type ConfigProblem, closest, show } from "./errors";

/** A key path as the README and messages write it: `delivery:services[1].image.tag`. */
export function keyPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  return out;
}

/** Turns zod's issues into problems that name the key path, the value seen and what is allowed. */
export function zodProblems(root: string, error: z.ZodError, schema: z.ZodType): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const path = keyPath(root, issue.path);
    switch (issue.code) {
      case "unrecognized_keys": {
        const known = knownKeys(schema, issue.path);
        for (const key of issue.keys) {
          const guess = closest(key, known);
          problems.push({
            code: "unknown-key",
            path: keyPath(root, [...issue.path, key]),
            message: `is not a known key${guess ? `; did you mean '${guess}'?` : ""} Known keys: ${known.join(", ")}.`,
          });
        }
        break;
      }
      case "invalid_type":
        problems.push(
          issue.input === undefined
            ? { code: "missing", path, message: `is missing; it is required (${issue.message}).` }
            : { code: "invalid", path, message: `is ${show(issue.input)}; ${issue.message}.` },
        );
        break;
      default:
        problems.push({ code: "invalid", path, message: `is ${show(issue.input)}; ${issue.message}.` });
    }
  }
  return problems;
}

interface Walkable {
  _zod: { def: { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; options?: z.ZodType[] } };
}

/** The keys an object schema accepts at `path` (for "did you mean" suggestions). */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: Walkable | undefined = schema as unknown as Walkable;
  for (const p of path) {
    node = unwrap(node);
    const def = node?._zod.def;
    if (!def) return [];
    if (def.type === "object" && def.shape && typeof p === "string") node = def.shape[p] as unknown as Walkable;
    else if (def.type === "array" && def.element) node = def.element as unknown as Walkable;
    else return [];
  }
  const def = unwrap(node)?._zod.def;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(node: Walkable | undefined): Walkable | undefined {
  let n = node;
  for (;;) {
    const def = n?._zod.def;
    if (!def) return n;
    if ((def.type === "optional" || def.type === "default" || def.type === "nullable") && def.innerType) {
      n = def.innerType as unknown as Walkable;
    } else if (def.type === "union" && def.options) {
      n = def.options.find((o) => (o as unknown as Walkable)._zod.def.type === "object") as unknown as Walkable | undefined;
    } else return n;
  }
}
