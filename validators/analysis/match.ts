import { OTHER_CATEGORY, type AnalysisRules, type PathMatcher } from "./rules";

/**
 * Path matching for the analysis rules. Paths are repository-relative with '/' separators, as git
 * prints them. Matching is case-sensitive, like git.
 */

const globCache = new Map<string, RegExp>();

/** A glob as a regular expression over the whole path: `*` within a folder, `**` across folders, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  const cached = globCache.get(glob);
  if (cached) return cached;
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === "*" && glob[i + 1] === "*") {
      const slashAfter = glob[i + 2] === "/";
      const atSegmentStart = i === 0 || glob[i - 1] === "/";
      if (atSegmentStart && slashAfter) {
        source += "(?:.*/)?"; // `**/`: zero or more folders
        i += 2;
      } else {
        source += ".*";
        i += 1;
      }
    } else if (ch === "*") {
      source += "[^/]*";
    } else if (ch === "?") {
      source += "[^/]";
    } else {
      source += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  const re = new RegExp(`^${source}$`);
  globCache.set(glob, re);
  return re;
}

/** Whether `prefix` (a folder such as `src/pages/`) starts `path` at the root or right after a '/'. */
export function matchesPrefix(path: string, prefix: string): boolean {
  return path.startsWith(prefix) || path.includes(`/${prefix}`);
}

/** Whether any of the matcher's patterns matches `path`. */
export function matches(matcher: PathMatcher, path: string): boolean {
  return (
    matcher.prefixes.some((p) => matchesPrefix(path, p)) ||
    matcher.suffixes.some((s) => path.endsWith(s)) ||
    matcher.globs.some((g) => globToRegExp(g).test(path))
  );
}

/** The category of `path`: the first category (in rule order) that matches it, else `other`. */
export function categorize(rules: AnalysisRules, path: string): string {
  return rules.categories.find((c) => matches(c, path))?.name ?? OTHER_CATEGORY;
}

/** The services whose folder holds `path` (usually one; nested prefixes may give more). */
export function servicesOf(rules: AnalysisRules, path: string): string[] {
  return Object.entries(rules.services)
    .filter(([, prefix]) => path.startsWith(prefix))
    .map(([name]) => name);
}
