/**
 * Masks secrets in text the validator shows (log lines, stop reasons, HTTP bodies): values of
 * secret-looking keys, bearer tokens, credentials in URLs, AWS access key ids, JWTs, Slack
 * webhook URLs, and any value passed in `known`. What is masked becomes `***`.
 */
export const MASK = "***";

const SECRET_KEY =
  "(?:password|passwd|pwd|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token|api[_-]?key|apikey|" +
  "access[_-]?key(?:[_-]?id)?|secret[_-]?access[_-]?key|private[_-]?key|authorization|credentials?|session[_-]?token|" +
  "routing[_-]?key|webhook(?:[_-]?url)?|signature|sig)";

const RULES: { pattern: RegExp; replace: string }[] = [
  // Slack webhook URLs carry their secret in the path.
  { pattern: /https:\/\/hooks\.slack\.com\/[^\s"'<>]+/gi, replace: MASK },
  // user:password@ in URLs.
  { pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/:@"']+:[^\s/@"']+@/gi, replace: `$1${MASK}@` },
  // Authorization: Bearer xxx / Basic xxx.
  { pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, replace: `$1 ${MASK}` },
  // JSON Web Tokens.
  { pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g, replace: MASK },
  // AWS access key ids.
  { pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, replace: MASK },
  // key=value, key: value, "key": "value", ?key=value (the key stays, the value goes).
  {
    pattern: new RegExp(`(["']?\\b[\\w-]*${SECRET_KEY}["']?\\s*[:=]\\s*)("[^"]*"|'[^']*'|[^\\s,;&"'}]+)`, "gi"),
    replace: `$1${MASK}`,
  },
];

/** Returns `text` with every secret it recognises replaced by `***`. */
export function maskSecrets(text: string, known: readonly string[] = []): string {
  let masked = text;
  for (const secret of known) {
    if (secret.length >= 4) masked = masked.split(secret).join(MASK);
  }
  for (const rule of RULES) masked = masked.replace(rule.pattern, rule.replace);
  return masked;
}

/** Masks, flattens to one line and shortens a line to at most `max` characters for display. */
export function displayLine(text: string, max = 200, known: readonly string[] = []): string {
  const line = maskSecrets(text, known).replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
