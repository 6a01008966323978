/** One thing wrong with a stack's config: where, what was seen, and what is allowed. */
export interface ConfigProblem {
  /** A stable code per kind of problem, for callers and tests to match. */
  code: ConfigProblemCode;
  /** The config key path, e.g. `delivery:services[1].cpu`. */
  path: string;
  /** The rest of the sentence after the path, e.g. `is 300; Fargate accepts 256, 512 ...`. */
  message: string;
}

export type ConfigProblemCode =
  | "invalid"
  | "missing"
  | "unknown-key"
  | "unknown-tier"
  | "duplicate"
  | "fargate-size"
  | "autoscaling-range"
  | "unknown-dependency"
  | "dependency-cycle"
  | "threshold-order"
  | "plaintext-secret"
  | "routing"
  | "emulator"
  | "deployment"
  | "unknown-service"
  | "missing-env-key"
  | "runtime";

/** Every problem in a stack's config at once. Its message lists them one per line. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(formatProblems(file, problems));
    this.name = "ConfigError";
  }
}

export function formatProblem(file: string, p: ConfigProblem): string {
  return `${file}: ${p.path} ${p.message}`;
}

export function formatProblems(file: string, problems: readonly ConfigProblem[]): string {
  const head = `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"} in the stack config:`;
  return [head, ...problems.map((p) => `  - ${formatProblem(file, p)}`)].join("\n");
}

/** Shows a config value in a message: strings quoted, objects as compact JSON, secrets never. */
export function show(value: unknown): string {
  if (value === undefined) return "missing";
  if (typeof value === "string") return JSON.stringify(value);
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** The closest of `candidates` to `word` (Levenshtein distance), when close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
