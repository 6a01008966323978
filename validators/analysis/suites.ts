import { BadInputError } from "../core/errors";
import type { SuiteSpec } from "./types";

const NAME = /^[a-z][a-z0-9_-]*$/;

/**
 * Parses `--suites unit,api:backend,load:performance`: comma-separated `name` or `name:kind`
 * entries (the kind defaults to the name). Every bad entry is reported at once.
 */
export function parseSuites(list: string): SuiteSpec[] {
  const suites: SuiteSpec[] = [];
  const problems: string[] = [];
  const entries = list.split(",").map((e) => e.trim());
  for (const entry of entries) {
    const [name, kind = name, ...rest] = entry.split(":");
    if (rest.length > 0 || !NAME.test(name) || !NAME.test(kind)) {
      problems.push(
        `--suites has ${JSON.stringify(entry)}; expected name or name:kind, each lowercase letters, digits, '-' or '_' starting with a letter (e.g. "unit,api-tests:backend,load:performance")`,
      );
    } else if (suites.some((s) => s.name === name)) {
      problems.push(`--suites names ${JSON.stringify(name)} twice; each suite once`);
    } else {
      suites.push({ name, kind });
    }
  }
  if (problems.length > 0) throw new BadInputError(problems.join("\n"));
  return suites;
}
