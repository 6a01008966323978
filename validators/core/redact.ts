/**
 * The redaction pass every record, state document and alert goes through before it leaves the
 * process: values of secret-looking keys are masked, URLs lose their credentials and secret query
 * parameters, and any known secret value (a webhook URL, a routing key) is masked wherever it appears.
 */
export const MASK = "***";

/** Keys whose values are secrets outright (matched case-insensitively, anywhere in the key). */
const SECRET_KEY = /(webhook|token|passw(or)?d|secret|credential|authorization|api_?key|routing_?key|private_?key|access_?key|^key$)/i;
/** Keys holding URLs: kept (dashboards, service URLs) but stripped of credentials and secret query values. */
const URL_KEY = /(url|uri|href|link|endpoint)$/i;
/** Query parameters whose values are masked inside URLs. */
const SECRET_PARAM = /(token|key|sig|signature|secret|passw|credential|auth|code)/i;
/** Secrets recognisable by their shape even when nobody registered them. */
const SECRET_SHAPES: RegExp[] = [
  /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g,
  /https:\/\/hooks\.slack\.com\/workflows\/[A-Za-z0-9/_-]+/g,
];
/** Values shorter than this are not registered: masking "a" everywhere would garble records. */
const MIN_SECRET_LENGTH = 6;

/** The secret values this process knows (resolved webhook URLs, routing keys). */
export class SecretRegistry {
  private readonly secrets = new Set<string>();

  add(value: string | undefined): void {
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH) this.secrets.add(value);
  }

  values(): string[] {
    // Longest first, so a secret that contains another is masked whole.
    return [...this.secrets].sort((a, b) => b.length - a.length);
  }
}

/** Masks known secret values and secret shapes inside free text (messages, errors). */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(MASK);
  for (const shape of SECRET_SHAPES) out = out.replace(shape, MASK);
  return out;
}

/** Drops user info and masks secret query parameters; a value that is not a URL is treated as text. */
export function redactUrl(value: string, secrets: readonly string[] = []): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return redactText(value, secrets);
  }
  if (url.username || url.password) {
    url.username = MASK;
    url.password = "";
  }
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) url.searchParams.set(name, MASK);
  }
  return redactText(url.toString(), secrets);
}

/** Returns a deep copy of `value` with every secret masked. Never mutates its input. */
export function redact<T>(value: T, secrets: readonly string[] = []): T {
  return redactValue(value, undefined, secrets) as T;
}

function redactValue(value: unknown, key: string | undefined, secrets: readonly string[]): unknown {
  if (key !== undefined && SECRET_KEY.test(key) && value !== null && value !== undefined && typeof value !== "object") {
    return MASK;
  }
  if (typeof value === "string") {
    return key !== undefined && URL_KEY.test(key) ? redactUrl(value, secrets) : redactText(value, secrets);
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, key, secrets));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactValue(v, k, secrets);
    return out;
  }
  return value;
}
