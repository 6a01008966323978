import { isAbsolute, relative, resolve, sep } from "node:path";
import { SAFE_NAME_MAX, isSafeName } from "../../contract/names";
import { BadInputError } from "./errors";

/**
 * Every file deployctl writes under a root of its own (run records, alert state, local last good
 * releases, lock files) is resolved here: each name that becomes a path segment must be a safe name
 * (letters, digits, `-`, `_`, `.`, not starting with `.`, at most SAFE_NAME_MAX characters), and
 * the resolved path must stay inside `root`. Anything else is bad input naming the field.
 */
export function confinedPath(root: string, segments: readonly { value: string; field: string; suffix?: string }[]): string {
  for (const { value, field } of segments) {
    if (!isSafeName(value)) {
      throw new BadInputError(
        `${field} is ${JSON.stringify(value.length > 80 ? `${value.slice(0, 79)}…` : value)}; it becomes a path segment, so it must be a safe name: ` +
          `letters, digits, '-', '_', '.', not starting with '.', at most ${SAFE_NAME_MAX} characters.`,
      );
    }
  }
  return insideRoot(root, resolve(root, ...segments.map((s) => `${s.value}${s.suffix ?? ""}`)), segments.at(-1)?.field ?? "path");
}

/** `path` when it is inside `root` (resolved), else bad input naming `field`: no write leaves its root. */
export function insideRoot(root: string, path: string, field: string): string {
  const base = resolve(root);
  const full = resolve(base, path);
  const rel = relative(base, full);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new BadInputError(`${field}: ${JSON.stringify(full.slice(0, 120))} would be written outside ${base}; refused.`);
  }
  return full;
}
