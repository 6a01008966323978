/**
 * The one redaction rule set: what counts as a secret in anything that leaves a process (stdout,
 * stderr, run records, alert state, alerts, synth documents), and how it is masked. Pure functions
 * without dependencies, so the synth renderer (infra/synth) and deployctl (validators/core/redact.ts,
 * which adds the registry of known secrets) share them.
 *
 * Masked: every known secret (trimmed) and, for a secret URL, its path and each distinctive part of
 * it (a Slack error that echoes `/services/T…/B…/…` leaks nothing); Slack webhook URLs and paths even
 * when unknown; credentials in URLs; bearer and basic tokens; JWTs; AWS access key ids; the value of
 * `key=value` / `"key": "value"` pairs whose key names a secret; in structured data, the values of
 * secret-named keys and the secret query parameters of URL-valued keys.
 */
export const MASK = "***";

/** Known secrets shorter than this are not masked: masking "a" everywhere would garble every text. */
export const MIN_SECRET_LENGTH = 4;

/** Path segments that say what a URL is, not whose it is: never masked on their own. */
const STRUCTURAL_SEGMENTS = new Set(["services", "workflows", "triggers", "hooks", "webhook", "webhooks", "api", "v1", "v2", "v3"]);

const SECRET_KEY_WORDS =
  "(?:password|passwd|pwd|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token|api[_-]?key|apikey|" +
  "access[_-]?key(?:[_-]?id)?|secret[_-]?access[_-]?key|private[_-]?key|authorization|credentials?|session[_-]?token|" +
  "routing[_-]?key|webhook(?:[_-]?url)?|signature|sig)";

/** Keys whose values are secrets outright, in structured data (matched case-insensitively, anywhere in the key). */
const SECRET_KEY = /(webhook|token|passw(or)?d|secret|credential|authorization|api_?key|routing_?key|private_?key|access_?key|^key$)/i;
/** Keys holding URLs: kept (dashboards, service URLs) but stripped of credentials and secret query values. */
const URL_KEY = /(url|uri|href|link|endpoint)$/i;
/** Query parameters whose values are masked inside URLs. */
const SECRET_PARAM = /(token|key|sig|signature|secret|passw|credential|auth|code)/i;

/** Secrets recognisable by their shape, known or not. */
const SHAPE_RULES: { pattern: RegExp; replace: string }[] = [
  // Slack webhook URLs carry their secret in the path.
  { pattern: /https:\/\/hooks\.slack\.com\/[^\s"'<>]+/gi, replace: MASK },
  // A Slack webhook's path echoed without its host (`/services/T…/B…/…`).
  { pattern: /\/services\/T[A-Za-z0-9]+\/B[A-Za-z0-9]+\/[A-Za-z0-9]+/g, replace: MASK },
  // user:password@ in URLs.
  { pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/:@"']+:[^\s/@"']+@/gi, replace: `$1${MASK}@` },
  // Authorization: Bearer xxx / Basic xxx.
  { pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, replace: `$1 ${MASK}` },
  // JSON Web Tokens.
  { pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g, replace: MASK },
  // AWS access key ids.
  { pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, replace: MASK },
];

/** Secrets recognisable by the name written next to them in text: key=value, key: value, "key": "value", ?key=value. */
const NAME_RULES: { pattern: RegExp; replace: string }[] = [
  {
    pattern: new RegExp(`(["']?\\b[\\w-]*${SECRET_KEY_WORDS}["']?\\s*[:=]\\s*)("[^"]*"|'[^']*'|[^\\s,;&"'}]+)`, "gi"),
    replace: `$1${MASK}`,
  },
];

/**
 * How to redact. `mask` replaces what is hidden (synth documents use their `[secret]` placeholder).
 * `byName` (default true) also hides values by the name that goes with them (secret-named keys,
 * `password=...` in text): right for messages, records and alerts; off for synth documents, whose
 * field names are AWS's (`imagePullCredentialsType`, `...:secret:name` ARNs) and never secrets.
 */
export interface RedactOptions {
  mask?: string;
  byName?: boolean;
}

/** A secret as it is registered and masked: without the whitespace around it (an SSM value often ends with a newline). */
export function normaliseSecret(value: string): string {
  return value.trim();
}

/**
 * The strings to mask for one known secret: the secret itself and, when it is a URL, its path with
 * its query, and every path segment and query value that is not a structural word. Longest first.
 */
export function secretVariants(secret: string): string[] {
  const value = normaliseSecret(secret);
  if (value.length < MIN_SECRET_LENGTH) return [];
  const out = new Set([value]);
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url && url.pathname.length > 1) {
    out.add(`${url.pathname}${url.search}`);
    out.add(url.pathname);
    for (const segment of url.pathname.split("/")) {
      if (segment.length >= MIN_SECRET_LENGTH && !STRUCTURAL_SEGMENTS.has(segment.toLowerCase())) out.add(segment);
    }
    for (const param of url.searchParams.values()) if (param.length >= MIN_SECRET_LENGTH) out.add(param);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** Masks known secrets (and their variants), secret shapes and (by default) secret-named values inside free text. */
export function redactText(text: string, secrets: readonly string[] = [], options: RedactOptions = {}): string {
  const mask = options.mask ?? MASK;
  let out = text;
  const variants = [...new Set(secrets.flatMap(secretVariants))].sort((a, b) => b.length - a.length);
  for (const secret of variants) out = out.split(secret).join(mask);
  const rules = options.byName === false ? SHAPE_RULES : [...SHAPE_RULES, ...NAME_RULES];
  for (const rule of rules) out = out.replace(rule.pattern, rule.replace.replace(MASK, mask));
  return out;
}

/** Drops user info and (by default) masks secret query parameters; a value that is not a URL is treated as text. */
export function redactUrl(value: string, secrets: readonly string[] = [], options: RedactOptions = {}): string {
  const mask = options.mask ?? MASK;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return redactText(value, secrets, options);
  }
  if (url.username || url.password) {
    url.username = mask;
    url.password = "";
  }
  if (options.byName !== false) {
    for (const name of [...url.searchParams.keys()]) {
      if (SECRET_PARAM.test(name)) url.searchParams.set(name, mask);
    }
  }
  return redactText(url.toString(), secrets, options);
}

/** Returns a deep copy of `value` with every secret masked. Never mutates its input. */
export function redact<T>(value: T, secrets: readonly string[] = [], options: RedactOptions = {}): T {
  return redactValue(value, undefined, secrets, options) as T;
}

/** Redacts, flattens to one line and then shortens to at most `max` characters: a secret cut in two never shows its head. */
export function displayLine(text: string, max = 200, secrets: readonly string[] = []): string {
  const line = redactText(text, secrets).replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function redactValue(value: unknown, key: string | undefined, secrets: readonly string[], options: RedactOptions): unknown {
  const byName = options.byName !== false;
  if (byName && key !== undefined && SECRET_KEY.test(key) && value !== null && value !== undefined && typeof value !== "object") {
    return options.mask ?? MASK;
  }
  if (typeof value === "string") {
    return key !== undefined && URL_KEY.test(key) ? redactUrl(value, secrets, options) : redactText(value, secrets, options);
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, key, secrets, options));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactValue(v, k, secrets, options);
    return out;
  }
  return value;
}
