import { join } from "node:path";
import { isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";
import { readProjectName, readStackFileText, StackFileLimitError, StackFileReadError, stackFileName } from "../../contract/stackFiles";
import { ConfigError } from "./errors";
import { SECRET_PLACEHOLDER } from "./resolve";
import type { RawStackConfig } from "./types";

// No @pulumi/* here: promote reads both stacks' config with this before its drift view, which
// alone loads the Pulumi program (sources.ts's readPulumiConfig needs the Pulumi runtime).

/**
 * Reads `Pulumi.<stack>.yaml` from `dir` without the Pulumi CLI. Secure values cannot be decrypted
 * here: each stands as SECRET_PLACEHOLDER and is reported as a secret.
 */
export function readStackFile(dir: string, stack: string): RawStackConfig {
  const file = stackFileName(stack);
  let text: string;
  try {
    text = readStackFileText(join(dir, file));
  } catch (err) {
    if (err instanceof StackFileLimitError) throw new ConfigError(file, [{ code: "invalid", path: "(file)", message: err.problem }]);
    const cause = err instanceof StackFileReadError ? err.cause : err;
    throw new ConfigError(file, [{ code: "missing", path: "(file)", message: `cannot be read: ${(cause as Error).message}.` }]);
  }
  return stackConfigFromText(text, { project: readProjectName(dir), stack });
}

/**
 * A stack file's text as raw config, as readStackFile reads it (secure values as SECRET_PLACEHOLDER):
 * for checking an edit before it is written (`deployctl config set-env`).
 */
export function stackConfigFromText(text: string, where: { project: string; stack: string }): RawStackConfig {
  const { project, stack } = where;
  const file = stackFileName(stack);
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    // The parser's later errors follow from its first (one bad indent reads as several broken
    // mappings): report that one, where it is.
    throw new ConfigError(file, [{ code: "invalid", path: "(YAML)", message: `is not valid YAML: ${doc.errors[0].message}` }]);
  }
  const secretPaths = new Set<string>();
  const values: Record<string, unknown> = {};
  const config = doc.get("config", true);
  if (config !== undefined && !isMap(config)) {
    throw new ConfigError(file, [{ code: "invalid", path: "config", message: "is not a map of config keys." }]);
  }
  for (const pair of isMap(config) ? config.items : []) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    values[key] = toValue(pair.value as Node | null, key, secretPaths);
  }
  return {
    project,
    stack,
    file,
    values,
    isSecret: (path) => [...secretPaths].some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)),
  };
}

/** Converts a YAML node to plain data, replacing `{ secure: ... }` with the placeholder and noting its path. */
function toValue(node: Node | null, path: string, secretPaths: Set<string>): unknown {
  if (node === null) return null;
  if (isMap(node)) {
    if (node.items.length === 1 && isScalar(node.items[0].key) && node.items[0].key.value === "secure") {
      secretPaths.add(path);
      return SECRET_PLACEHOLDER;
    }
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      out[key] = toValue(pair.value as Node | null, `${path}.${key}`, secretPaths);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((item, i) => toValue(item as Node | null, `${path}[${i}]`, secretPaths));
  if (isScalar(node)) return node.value;
  return node.toJSON();
}
